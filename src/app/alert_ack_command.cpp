// dtwin alerts ack ID: records a user's acknowledgement of a firing alert. dtwin serve
// applies it to the alert (and deletes the request) in one commit, now if it runs,
// else when it next starts.
#include "app/alerts_command.hpp"
#include "app/cli.hpp"
#include "app/system_clock.hpp"
#include "app/workspace.hpp"
#include "engine/alert_records.hpp"

#include <boost/json/parse.hpp>
#include <system_error>

namespace dtwin::app {

namespace json = boost::json;

namespace {

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
    if (auto allowed = engine::check_acknowledgeable(store, *alert); !allowed) {
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
