// Registration of the subcommands. Each add_* function adds its subcommands to `app`;
// when one of them is chosen on the command line it stores the work to do in `action`,
// which run_cli calls once the configuration is complete.
#pragma once

#include "app/command_context.hpp"

#include <CLI/CLI.hpp>
#include <functional>

namespace dtwin::app {

using Action = std::function<int(CommandContext&)>;

void add_model_commands(CLI::App& app, Action& action);
void add_twin_commands(CLI::App& app, Action& action);
void add_relationship_commands(CLI::App& app, Action& action);
void add_import_command(CLI::App& app, Action& action);
void add_config_commands(CLI::App& app, Action& action);
void add_history_command(CLI::App& app, Action& action);
void add_alerts_command(CLI::App& app, Action& action);
void add_serve_command(CLI::App& app, Action& action);

/// Reads a JSON argument: inline JSON text, or "@FILE" for the contents of FILE.
core::Result<boost::json::value> read_json_argument(const std::string& argument, const std::string& what);

/// read_json_argument for arguments that must be a JSON object (property sets).
core::Result<boost::json::value> read_json_object_argument(const std::string& argument, const std::string& what);

} // namespace dtwin::app
