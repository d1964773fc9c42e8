// dtwin config show|keys: the effective configuration and the key table.
#include "app/cli.hpp"
#include "app/commands.hpp"

#include <iostream>

namespace dtwin::app {

namespace json = boost::json;

namespace {

int show(CommandContext& ctx) {
    json::object values;
    for (const auto& [key, value] : ctx.config.entries()) {
        if (ctx.json) {
            values[key] = value;
        } else {
            *ctx.out << key << " = " << value << "\n";
        }
    }
    if (ctx.json) {
        print_json(*ctx.out, values);
    }
    return k_exit_ok;
}

int keys(CommandContext& ctx) {
    for (const auto& key : config_keys()) {
        *ctx.out << key.name << " (default \"" << key.default_value << "\"): " << key.description << "\n";
    }
    return k_exit_ok;
}

} // namespace

void add_config_commands(CLI::App& app, Action& action) {
    auto* config = app.add_subcommand("config", "The effective configuration");
    config->require_subcommand(1);
    config->add_subcommand("show", "Print every key with its effective value")->callback([&action] {
        action = [](CommandContext& ctx) { return show(ctx); };
    });
    config->add_subcommand("keys", "Print every key with its default and meaning")->callback([&action] {
        action = [](CommandContext& ctx) { return keys(ctx); };
    });
}

} // namespace dtwin::app
