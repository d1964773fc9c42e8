// dtwin alerts list|ack|silence|outbox: the command line. What each subcommand does is in
// alert_list_command.cpp, alert_ack_command.cpp, alert_silence_command.cpp and
// alert_outbox_command.cpp.
#include "app/alerts_command.hpp"

#include "app/cli.hpp"
#include "app/commands.hpp"

#include <memory>

namespace dtwin::app {

namespace {

void add_list(CLI::App& alerts, Action& action) {
    auto args = std::make_shared<AlertListArguments>();
    auto* command = alerts.add_subcommand("list", "Stored alerts, oldest raised first");
    command->add_option("--twin", args->twin, "Only alerts of this twin");
    command->add_option("--rule", args->rule, "Only alerts of this rule");
    command->add_option("--state", args->state, "Only alerts in this state: pending, firing or resolved");
    command->add_option("--limit", args->limit, "At most this many alerts (0: all)");
    command->callback([&action, args] { action = [args](CommandContext& ctx) { return list_alerts(ctx, *args); }; });
}

void add_ack(CLI::App& alerts, Action& action) {
    auto args = std::make_shared<AlertAckArguments>();
    auto* command = alerts.add_subcommand(
        "ack", "Acknowledge a firing alert (dtwin serve applies it: now if it runs, else when it starts)");
    command->add_option("id", args->id, "Alert id: twin/rule/instance (see dtwin alerts list)")->required();
    command->add_option("--by", args->by, "Who acknowledges (free text)");
    command->add_option("--comment", args->comment, "Why (free text)");
    command->callback(
        [&action, args] { action = [args](CommandContext& ctx) { return acknowledge_alert(ctx, *args); }; });
}

void add_silence_add(CLI::App& silence, Action& action) {
    auto args = std::make_shared<SilenceAddArguments>();
    auto* command = silence.add_subcommand("add", "Silence the notifications of matching alerts for a time window");
    command->add_option("--twin", args->twin, "A twin id, or * for every twin")->required();
    command->add_option("--rule", args->rule, "A rule name, or * for every rule")->required();
    auto* window = command->add_option_group("window", "How long: exactly one of --for and --until");
    window->add_option("--for", args->duration, "Length of the window: 90s, 30m, 2h, 1d");
    window->add_option("--until", args->until, "End of the window, exclusive (ISO-8601)");
    window->require_option(1);
    command->add_option("--from", args->from, "Start of the window (ISO-8601; default: now)");
    command->add_option("--comment", args->comment, "Why (free text)");
    command->callback([&action, args] { action = [args](CommandContext& ctx) { return add_silence(ctx, *args); }; });
}

void add_silence(CLI::App& alerts, Action& action) {
    auto* silence = alerts.add_subcommand("silence", "Silences: add, list, remove");
    silence->require_subcommand(1);
    add_silence_add(*silence, action);
    silence->add_subcommand("list", "Every silence with its status: active, upcoming or expired")->callback([&action] {
        action = [](CommandContext& ctx) { return list_silences(ctx); };
    });
    auto id = std::make_shared<std::string>();
    auto* remove = silence->add_subcommand("remove", "Delete a silence");
    remove->add_option("id", *id, "Silence id (see dtwin alerts silence list)")->required();
    remove->callback([&action, id] { action = [id](CommandContext& ctx) { return remove_silence(ctx, *id); }; });
}

} // namespace

void add_alerts_command(CLI::App& app, Action& action) {
    auto* alerts =
        app.add_subcommand("alerts", "Alerts raised by rules: list, ack, silence, outbox (pending notifications)");
    alerts->require_subcommand(1);
    add_list(*alerts, action);
    add_ack(*alerts, action);
    add_silence(*alerts, action);
    alerts->add_subcommand("outbox", "Notifications waiting for delivery, or failed")->callback([&action] {
        action = [](CommandContext& ctx) { return list_outbox(ctx); };
    });
}

int print_listing(const CommandContext& ctx, const boost::json::array& rows, const TextTable& table,
                  std::string_view empty_text) {
    if (ctx.json) {
        print_json(*ctx.out, rows);
    } else if (table.empty()) {
        *ctx.out << empty_text << "\n";
    } else {
        table.print(*ctx.out);
    }
    return k_exit_ok;
}

} // namespace dtwin::app
