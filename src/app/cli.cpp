#include "app/cli.hpp"

#include "app/commands.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace dtwin::app {

core::Result<boost::json::value> read_json_argument(const std::string& argument, const std::string& what) {
    if (!argument.empty() && argument.front() == '@') {
        const std::string path = argument.substr(1);
        auto text = read_text_file(path);
        if (!text) {
            return std::unexpected(text.error());
        }
        return parse_json_text(*text, path);
    }
    return parse_json_text(argument, what);
}

core::Result<boost::json::value> read_json_object_argument(const std::string& argument, const std::string& what) {
    auto value = read_json_argument(argument, what);
    if (value && !value->is_object()) {
        return core::fail(core::ErrorCode::invalid_json, "expected a JSON object of properties", what);
    }
    return value;
}

int run_cli(int argc, char** argv) {
    CLI::App app{"dtwin: a self-hosted digital-twin platform", "dtwin"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("--version", "dtwin 0.1.0");

    std::string data_dir;
    std::string config_file;
    std::vector<std::string> overrides;
    bool json_output = false;
    app.add_option("--data", data_dir, "Data directory (config key data.dir)");
    app.add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
    app.add_option("--set", overrides, "Override a configuration key: --set key=value (repeatable)");
    app.add_flag("--json", json_output, "Machine-readable JSON output");

    Action action;
    add_model_commands(app, action);
    add_twin_commands(app, action);
    add_relationship_commands(app, action);
    add_import_command(app, action);
    add_config_commands(app, action);
    add_history_command(app, action);
    add_alerts_command(app, action);
    add_serve_command(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return k_exit_usage;
    }

    CommandContext ctx{Config{}, json_output, &std::cout, &std::cerr};
    try {
        if (!config_file.empty()) {
            ctx.config.load_file(config_file);
        }
        for (const auto& assignment : overrides) {
            ctx.config.apply_override(assignment);
        }
        if (!data_dir.empty()) {
            ctx.config.set("data.dir", data_dir, "--data");
        }
    } catch (const ConfigError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return k_exit_invalid;
    }

    if (!action) {
        std::cerr << app.help();
        return k_exit_usage;
    }
    try {
        return action(ctx);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return k_exit_invalid;
    }
}

} // namespace dtwin::app
