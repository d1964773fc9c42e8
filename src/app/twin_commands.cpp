// dtwin twin create|get|patch|replace|delete|list.
#include "app/cli.hpp"
#include "app/commands.hpp"
#include "app/workspace.hpp"
#include "core/twin_json.hpp"

#include <boost/json/serialize.hpp>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace dtwin::app {

namespace json = boost::json;

namespace {

struct TwinArguments {
    std::string id;
    std::string model;
    std::string body = "{}";
    std::string patch;
    std::string if_match;
    std::string source_time;
};

core::Result<core::WriteOptions> write_options(const TwinArguments& args) {
    core::WriteOptions options;
    if (!args.if_match.empty()) {
        options.if_match = args.if_match;
    }
    if (!args.source_time.empty()) {
        options.source_time = core::parse_time(args.source_time);
        if (!options.source_time) {
            return core::fail(core::ErrorCode::invalid_value, "not an ISO-8601 date-time: \"" + args.source_time + "\"",
                              "--source-time");
        }
    }
    return options;
}

void print_twin_text(std::ostream& out, const core::Twin& twin) {
    out << twin.id() << "  " << twin.model_id() << "  " << twin.etag() << "  updated "
        << core::format_time(twin.last_update_time()) << "\n";
    const json::object document = twin.properties();
    for (const auto& [name, value] : document) {
        const auto* metadata = twin.metadata(name);
        std::ostringstream text;
        print_json(text, value);
        std::string rendered = text.str();
        rendered.pop_back(); // the newline
        out << "  " << std::left << std::setw(20) << std::string(name) << " " << std::setw(24) << rendered;
        if (metadata != nullptr) {
            out << " source " << core::format_time(metadata->source_time);
        }
        out << "\n";
    }
}

/// Prints the twin after a write (JSON or text) and returns success.
int print_twin(const CommandContext& ctx, Workspace& workspace, const std::string& id) {
    const core::Twin* twin = workspace.graph().find_twin(id);
    if (twin == nullptr) {
        return report_error(ctx, core::Error{core::ErrorCode::unknown_twin, "no such twin", id});
    }
    if (ctx.json) {
        print_json(*ctx.out, core::twin_to_json(*twin));
    } else {
        print_twin_text(*ctx.out, *twin);
    }
    return k_exit_ok;
}

int create(CommandContext& ctx, const TwinArguments& args) {
    auto body = read_json_object_argument(args.body, "--properties");
    if (!body) {
        return report_error(ctx, body.error());
    }
    auto& object = body->get_object();
    if (!args.model.empty()) {
        json::object metadata;
        if (auto* existing = object.if_contains("$metadata"); existing && existing->is_object()) {
            metadata = existing->get_object();
        }
        metadata["$model"] = args.model;
        object["$metadata"] = std::move(metadata);
    }
    auto options = write_options(args);
    if (!options) {
        return report_error(ctx, options.error());
    }
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto created = (*workspace)->graph().create_twin(args.id, *body, *options); !created) {
        return report_error(ctx, created.error());
    }
    if (auto committed = (*workspace)->commit_twins({args.id}); !committed) {
        return report_error(ctx, committed.error());
    }
    return print_twin(ctx, **workspace, args.id);
}

int get(CommandContext& ctx, const TwinArguments& args) {
    auto workspace = Workspace::open(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto loaded = (*workspace)->load_twin(args.id); !loaded) {
        return report_error(ctx, loaded.error());
    }
    return print_twin(ctx, **workspace, args.id);
}

int patch(CommandContext& ctx, const TwinArguments& args) {
    auto patch_document = read_json_argument(args.patch, "patch");
    if (!patch_document) {
        return report_error(ctx, patch_document.error());
    }
    auto options = write_options(args);
    if (!options) {
        return report_error(ctx, options.error());
    }
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    auto result = (*workspace)->graph().patch_twin(args.id, *patch_document, *options);
    if (!result) {
        return report_error(ctx, result.error());
    }
    // The twin and the history of every value this patch carried commit together.
    // Without --source-time the graph stamped the applied values with its clock's now,
    // which is also the twin's new last update time (stale values carry their own time).
    const core::Twin* twin = (*workspace)->graph().find_twin(args.id);
    const core::TimePoint source_time =
        options->source_time.value_or(twin != nullptr ? twin->last_update_time() : core::TimePoint{});
    store::WriteBatch batch;
    std::uint64_t sequence = options->sequence.value_or(0);
    if (sequence == 0) {
        // The write's version tells its samples apart from those of other writes. A write
        // that changed nothing has no version of its own: it takes one unused number
        // (versions must never repeat, they need not be dense).
        if (!result->changed()) {
            core::TwinGraph& graph = (*workspace)->graph();
            graph.raise_version_floor(graph.last_version() + 1);
        }
        sequence = (*workspace)->graph().last_version();
    }
    const std::size_t samples = stage_history(batch, args.id, *result, source_time, sequence);
    if (result->changed() || samples > 0) {
        (*workspace)->stage_twins(batch, {args.id});
        if (auto committed = (*workspace)->commit(std::move(batch)); !committed) {
            return report_error(ctx, committed.error());
        }
    }
    for (const auto& stale : result->stale) {
        *ctx.err << "stale: " << args.id << " " << stale.path << " kept its value from "
                 << core::format_time(stale.current_source_time) << " (this write is from "
                 << core::format_time(stale.source_time) << ")\n";
    }
    return print_twin(ctx, **workspace, args.id);
}

int remove(CommandContext& ctx, const TwinArguments& args) {
    auto options = write_options(args);
    if (!options) {
        return report_error(ctx, options.error());
    }
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto deleted = (*workspace)->graph().delete_twin(args.id, *options); !deleted) {
        return report_error(ctx, deleted.error());
    }
    if (auto committed = (*workspace)->commit_twins({args.id}); !committed) {
        return report_error(ctx, committed.error());
    }
    if (ctx.json) {
        print_json(*ctx.out, json::object{{"deleted", args.id}});
    } else {
        *ctx.out << "deleted " << args.id << "\n";
    }
    return k_exit_ok;
}

int list(CommandContext& ctx, const TwinArguments& args) {
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    json::array twins;
    for (const auto& id : (*workspace)->graph().list_twin_ids()) {
        const core::Twin* twin = (*workspace)->graph().find_twin(id);
        if (!args.model.empty()) {
            const auto model = (*workspace)->graph().find_model(twin->model_id());
            if (!model || !model->is_a(args.model)) {
                continue;
            }
        }
        if (ctx.json) {
            twins.emplace_back(core::twin_to_json(*twin));
        } else {
            *ctx.out << twin->id() << "  " << twin->model_id() << "  " << twin->etag() << "\n";
        }
    }
    if (ctx.json) {
        print_json(*ctx.out, json::object{{"value", std::move(twins)}});
    }
    return k_exit_ok;
}

} // namespace

void add_twin_commands(CLI::App& app, Action& action) {
    auto* twin = app.add_subcommand("twin", "Digital twins: create, get, patch, delete, list");
    twin->require_subcommand(1);
    auto args = std::make_shared<TwinArguments>();
    const auto bind = [&action, args](int (*run)(CommandContext&, const TwinArguments&)) {
        return [&action, args, run] { action = [args, run](CommandContext& ctx) { return run(ctx, *args); }; };
    };

    auto* create_cmd = twin->add_subcommand("create", "Create a twin of a model");
    create_cmd->add_option("id", args->id, "Twin id ($dtId)")->required();
    create_cmd->add_option("--model,-m", args->model, "The twin's model (DTMI)");
    create_cmd->add_option("--properties,-p", args->body,
                           "Initial properties as a JSON object, or @FILE (may hold the whole ADT twin body)");
    create_cmd->add_option("--source-time", args->source_time, "Event time of the initial values (ISO-8601)");
    create_cmd->callback(bind(&create));

    auto* get_cmd = twin->add_subcommand("get", "Print a twin (with --json: as Azure Digital Twins returns it)");
    get_cmd->add_option("id", args->id, "Twin id")->required();
    get_cmd->callback(bind(&get));

    auto* patch_cmd = twin->add_subcommand("patch", "Apply a JSON Patch (RFC 6902) to a twin");
    patch_cmd->add_option("id", args->id, "Twin id")->required();
    patch_cmd->add_option("patch", args->patch, "The JSON Patch array, or @FILE")->required();
    patch_cmd->add_option("--if-match", args->if_match, "Apply only if the twin's ETag is this (or *)");
    patch_cmd->add_option("--source-time", args->source_time,
                          "Event time of the values (ISO-8601); older than the stored values: they stay");
    patch_cmd->callback(bind(&patch));

    auto* delete_cmd = twin->add_subcommand("delete", "Delete a twin (its relationships must be deleted first)");
    delete_cmd->add_option("id", args->id, "Twin id")->required();
    delete_cmd->add_option("--if-match", args->if_match, "Delete only if the twin's ETag is this (or *)");
    delete_cmd->callback(bind(&remove));

    auto* list_cmd = twin->add_subcommand("list", "List twins");
    list_cmd->add_option("--model,-m", args->model, "Only twins of this model or of models extending it");
    list_cmd->callback(bind(&list));
}

} // namespace dtwin::app
