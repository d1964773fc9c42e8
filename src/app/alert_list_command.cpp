// dtwin alerts list: the stored alerts with their details, and whether an acknowledgement
// was requested that dtwin serve has not applied yet.
#include "app/alerts_command.hpp"
#include "app/cli.hpp"
#include "app/text_table.hpp"
#include "app/workspace.hpp"
#include "core/alerts/alert_state.hpp"
#include "engine/event_json.hpp"

#include <boost/json/parse.hpp>
#include <chrono>
#include <fmt/format.h>
#include <map>
#include <system_error>

namespace dtwin::app {

namespace json = boost::json;

namespace {

using PendingAcks = std::map<std::string, store::AlertAckRecord, std::less<>>;

core::Result<PendingAcks> pending_acks(store::Store& store) {
    auto acks = store.list_alert_acks();
    if (!acks) {
        return std::unexpected(acks.error());
    }
    PendingAcks by_alert;
    for (auto& ack : *acks) {
        by_alert.emplace(ack.alert_id, std::move(ack));
    }
    return by_alert;
}

/// The record's details; nullopt when they are not a JSON object.
std::optional<json::object> parse_details(const store::AlertRecord& record) {
    std::error_code ec;
    json::value parsed = json::parse(record.details, ec);
    if (ec || !parsed.is_object()) {
        return std::nullopt;
    }
    return std::move(parsed.get_object());
}

std::string string_member(const json::object& details, std::string_view key) {
    const json::value* value = details.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

/// A details time for a table cell; the text as stored if it is no time, "-" if absent.
std::string time_cell(const json::object& details, std::string_view key) {
    const std::string text = string_member(details, key);
    if (text.empty()) {
        return "-";
    }
    const auto time = core::parse_time(text);
    return time ? table_time(*time) : text;
}

/// 850ms, 12.3s, 4m12s, 2h05m, 3d04h.
std::string lateness_cell(const json::object& details) {
    const json::value* value = details.if_contains("latenessMs");
    if (value == nullptr || !value->is_number()) {
        return "-";
    }
    std::error_code ec;
    const auto ms = value->to_number<std::int64_t>(ec);
    if (ec) {
        return "-";
    }
    if (ms < 1000) {
        return std::to_string(ms) + "ms";
    }
    if (ms < 60'000) {
        return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
    }
    const std::int64_t seconds = ms / 1000;
    if (seconds < 3600) {
        return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
    }
    if (seconds < 86'400) {
        return fmt::format("{}h{:02}m", seconds / 3600, seconds % 3600 / 60);
    }
    return fmt::format("{}d{:02}h", seconds / 86'400, seconds % 86'400 / 3600);
}

std::string ack_cell(const json::object& details, const store::AlertAckRecord* pending) {
    std::string status = engine::alert_ack_status(details, pending);
    if (status == "none") {
        return "-";
    }
    const std::string by = status == "acknowledged" ? string_member(details, "acknowledgedBy") : pending->by;
    return by.empty() ? status : status + " (" + by + ")";
}

std::vector<std::string> alert_row(const store::AlertRecord& record, const std::optional<json::object>& parsed,
                                   const store::AlertAckRecord* pending) {
    const json::object details = parsed.value_or(json::object{});
    const std::string severity = string_member(details, "severity");
    return {record.id,
            record.state,
            severity.empty() ? "-" : severity,
            record.twin,
            record.rule,
            table_time(record.raised_time),
            time_cell(details, "firedAt"),
            table_time(record.resolved_time),
            lateness_cell(details),
            ack_cell(details, pending)};
}

core::Result<store::AlertQuery> alert_query(const AlertListArguments& args) {
    if (!args.state.empty() && !core::alerts::parse_alert_state(args.state)) {
        return core::fail(core::ErrorCode::invalid_value,
                          "not an alert state: \"" + args.state + "\" (expected pending, firing or resolved)",
                          "--state");
    }
    return store::AlertQuery{args.twin, args.state, args.rule, args.limit};
}

} // namespace

int list_alerts(CommandContext& ctx, const AlertListArguments& args) {
    auto query = alert_query(args);
    if (!query) {
        return report_error(ctx, query.error());
    }
    auto workspace = Workspace::open(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    store::Store& store = (*workspace)->store();
    auto alerts = store.list_alerts(*query);
    if (!alerts) {
        return report_error(ctx, alerts.error());
    }
    auto acks = pending_acks(store);
    if (!acks) {
        return report_error(ctx, acks.error());
    }
    json::array rows;
    TextTable table({"ID", "STATE", "SEVERITY", "TWIN", "RULE", "RAISED", "FIRED", "RESOLVED", "LATENESS", "ACK"});
    for (const auto& alert : *alerts) {
        const auto found = acks->find(alert.id);
        const store::AlertAckRecord* pending = found == acks->end() ? nullptr : &found->second;
        const auto details = parse_details(alert);
        if (ctx.json) {
            rows.emplace_back(engine::alert_record_to_json(alert, details, pending));
        } else {
            table.add_row(alert_row(alert, details, pending));
        }
    }
    return print_listing(ctx, rows, table, "no alerts");
}

} // namespace dtwin::app
