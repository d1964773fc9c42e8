// dtwin alerts ack ID: records a user's acknowledgement of a firing alert. dtwin serve
// applies it to the alert (and deletes the request) in one commit, now if it runs,
// else when it next starts.
#include "app/alerts_command.hpp"
#include "app/cli.hpp"
#include "app/system_clock.hpp"
#include "app/workspace.hpp"

#include <boost/json/parse.hpp>
#include <system_error>

namespace dtwin::app {

namespace json = boost::json;

namespace {

/// The time and author of an acknowledgement dtwin serve already applied, as the alert's
/// details hold them ("acknowledgedAt", "acknowledgedBy"); empty when there is none.
std::string applied_acknowledgement(const store::AlertRecord& alert) {
    std::error_code ec;
    const json::value details = json::parse(alert.details, ec);
    if (ec || !details.is_object()) {
        return {};
    }
    const json::value* at = details.get_object().if_contains("acknowledgedAt");
    if (at == nullptr || !at->is_string()) {
        return {};
    }
    std::string text(at->get_string());
    const json::value* by = details.get_object().if_contains("acknowledgedBy");
    if (by != nullptr && by->is_string() && !by->get_string().empty()) {
        text += " by " + std::string(by->get_string());
    }
    return text;
}

/// Whether `alert` may be acknowledged: firing, not acknowledged, no request waiting.
core::Result<void> check_acknowledgeable(store::Store& store, const store::AlertRecord& alert) {
    if (alert.state != "firing") {
        return core::fail(core::ErrorCode::invalid_value,
                          "the alert is " + alert.state + "; only a firing alert can be acknowledged", alert.id);
    }
    if (const std::string applied = applied_acknowledgement(alert); !applied.empty()) {
        return core::fail(core::ErrorCode::already_exists, "the alert was already acknowledged at " + applied,
                          alert.id);
    }
    auto acks = store.list_alert_acks();
    if (!acks) {
        return std::unexpected(acks.error());
    }
    for (const auto& ack : *acks) {
        if (ack.alert_id == alert.id) {
            return core::fail(core::ErrorCode::already_exists,
                              "an acknowledgement was already requested at " + core::format_time(ack.requested_time) +
                                  "; dtwin serve has not applied it yet",
                              alert.id);
        }
    }
    return {};
}

void print_request(const CommandContext& ctx, const store::AlertAckRecord& ack) {
    if (ctx.json) {
        print_json(*ctx.out, json::object{{"alertId", ack.alert_id},
                                          {"requestedTime", core::format_time(ack.requested_time)},
                                          {"by", ack.by},
                                          {"comment", ack.comment},
                                          {"ack", "ack requested"}});
        return;
    }
    *ctx.out << "acknowledgement of " << ack.alert_id
             << " recorded; dtwin serve applies it (at once if it runs on this data directory, else when it next "
                "starts)\n";
}

} // namespace

int acknowledge_alert(CommandContext& ctx, const AlertAckArguments& args) {
    auto workspace = Workspace::open(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    store::Store& store = (*workspace)->store();
    auto alert = store.get_alert(args.id);
    if (!alert && alert.error().code == core::ErrorCode::unknown_alert) {
        return report_error(ctx, core::Error{core::ErrorCode::unknown_alert,
                                             "no such alert (dtwin alerts list shows the ids)", args.id});
    }
    if (!alert) {
        return report_error(ctx, alert.error());
    }
    if (auto allowed = check_acknowledgeable(store, *alert); !allowed) {
        return report_error(ctx, allowed.error());
    }
    store::AlertAckRecord ack{alert->id, SystemClock{}.now(), args.by, args.comment};
    store::WriteBatch batch;
    batch.put_alert_ack(ack);
    if (auto committed = store.commit(batch); !committed) {
        return report_error(ctx, committed.error());
    }
    print_request(ctx, ack);
    return k_exit_ok;
}

} // namespace dtwin::app
