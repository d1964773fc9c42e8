// dtwin alerts outbox: the notifications dtwin serve has not delivered yet (waiting for
// their first attempt or retrying after failed ones) and those that failed for good.
#include "app/alerts_command.hpp"
#include "app/cli.hpp"
#include "app/text_table.hpp"
#include "app/workspace.hpp"

#include <boost/json/parse.hpp>
#include <system_error>

namespace dtwin::app {

namespace json = boost::json;

namespace {

/// "failed" (never tried again), "retrying" (after failed attempts) or "waiting".
std::string_view outbox_status(const store::OutboxRecord& record) {
    if (record.failed) {
        return "failed";
    }
    return record.attempts > 0 ? "retrying" : "waiting";
}

/// The notification the record carries, without its HTML body; the payload text as
/// stored when it is not a JSON object.
json::value notification_json(const store::OutboxRecord& record) {
    std::error_code ec;
    json::value payload = json::parse(record.payload, ec);
    if (ec || !payload.is_object()) {
        return json::value(record.payload);
    }
    payload.get_object().erase("html");
    return payload;
}

json::object outbox_to_json(const store::OutboxRecord& record) {
    json::object out{{"id", record.id},
                     {"sink", record.sink},
                     {"status", outbox_status(record)},
                     {"attempts", record.attempts},
                     {"createdTime", core::format_time(record.created_time)},
                     {"nextAttemptTime", nullptr},
                     {"lastError", record.last_error},
                     {"failed", record.failed},
                     {"notification", notification_json(record)}};
    if (!record.failed) {
        out["nextAttemptTime"] = core::format_time(record.next_attempt_time);
    }
    return out;
}

std::vector<std::string> outbox_row(const store::OutboxRecord& record) {
    return {record.id,
            record.sink,
            std::string(outbox_status(record)),
            std::to_string(record.attempts),
            record.failed ? "-" : table_time(record.next_attempt_time),
            record.last_error.empty() ? "-" : record.last_error};
}

} // namespace

int list_outbox(CommandContext& ctx) {
    auto workspace = Workspace::open(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    auto records = (*workspace)->store().list_outbox(store::OutboxQuery{});
    if (!records) {
        return report_error(ctx, records.error());
    }
    json::array rows;
    TextTable table({"ID", "SINK", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"});
    for (const auto& record : *records) {
        if (ctx.json) {
            rows.emplace_back(outbox_to_json(record));
        } else {
            table.add_row(outbox_row(record));
        }
    }
    return print_listing(ctx, rows, table, "no notifications waiting");
}

} // namespace dtwin::app
