// dtwin alerts: what each subcommand does, called by the command line of
// alerts_command.cpp once the configuration is complete. Every function prints its result
// to ctx.out (a table, or JSON with ctx.json), reports errors with report_error, and
// returns the process exit status.
//
// Reads open the store read-only; writes open it read-write through the Workspace and
// commit one short transaction, so both work while `dtwin serve` runs on the same data
// directory. Writes go straight to the store (not Workspace::commit): they change no twin
// and must leave the graph's version counter alone.
//
// Thread: main thread only.
#pragma once

#include "app/command_context.hpp"
#include "app/text_table.hpp"

#include <boost/json/array.hpp>
#include <string_view>

#include <cstddef>
#include <string>

namespace dtwin::app {

/// `dtwin alerts list`: filters left empty (or 0) select everything.
struct AlertListArguments {
    std::string twin;
    std::string rule;
    std::string state; ///< pending | firing | resolved
    std::size_t limit = 0;
};
int list_alerts(CommandContext& ctx, const AlertListArguments& args);

/// `dtwin alerts ack ID`: records an acknowledgement request for dtwin serve to apply.
struct AlertAckArguments {
    std::string id;
    std::string by;
    std::string comment;
};
int acknowledge_alert(CommandContext& ctx, const AlertAckArguments& args);

/// `dtwin alerts silence add`: exactly one of duration (--for) and until is set.
struct SilenceAddArguments {
    std::string twin;
    std::string rule;
    std::string duration;
    std::string until;
    std::string from; ///< empty: now
    std::string comment;
};
int add_silence(CommandContext& ctx, const SilenceAddArguments& args);
int list_silences(CommandContext& ctx);
int remove_silence(CommandContext& ctx, const std::string& id);

/// `dtwin alerts outbox`: notifications waiting for delivery, or failed for good.
int list_outbox(CommandContext& ctx);

/// The end of every listing: @p rows as a JSON array with --json, else @p table, or
/// @p empty_text when the table has no rows. Returns k_exit_ok.
int print_listing(const CommandContext& ctx, const boost::json::array& rows, const TextTable& table,
                  std::string_view empty_text);

} // namespace dtwin::app
