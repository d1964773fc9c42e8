// dtwin relationship create|get|patch|delete|list.
#include "app/cli.hpp"
#include "app/commands.hpp"
#include "app/workspace.hpp"
#include "core/twin_json.hpp"

#include <iostream>

namespace dtwin::app {

namespace json = boost::json;

namespace {

struct RelationshipArguments {
    std::string source;
    std::string id;
    std::string name;
    std::string target;
    std::string properties = "{}";
    std::string patch;
    std::string if_match;
    bool incoming = false;
};

core::WriteOptions write_options(const RelationshipArguments& args) {
    core::WriteOptions options;
    if (!args.if_match.empty()) {
        options.if_match = args.if_match;
    }
    return options;
}

void print_relationship(const CommandContext& ctx, const core::Relationship& relationship) {
    if (ctx.json) {
        print_json(*ctx.out, core::relationship_to_json(relationship));
    } else {
        *ctx.out << relationship.source_id << " -[" << relationship.name << "]-> " << relationship.target_id << "  ("
                 << relationship.id << ", " << relationship.etag() << ")\n";
    }
}

/// Commits the current state of one relationship and prints it.
int persist(CommandContext& ctx, Workspace& workspace, const RelationshipArguments& args) {
    store::WriteBatch batch;
    workspace.stage_relationship(batch, args.source, args.id);
    if (auto committed = workspace.commit(std::move(batch)); !committed) {
        return report_error(ctx, committed.error());
    }
    if (auto relationship = workspace.graph().get_relationship(args.source, args.id)) {
        print_relationship(ctx, *relationship);
    } else if (ctx.json) {
        print_json(*ctx.out, json::object{{"deleted", args.id}, {"source", args.source}});
    } else {
        *ctx.out << "deleted " << args.source << "/" << args.id << "\n";
    }
    return k_exit_ok;
}

int create(CommandContext& ctx, RelationshipArguments args) {
    auto body = read_json_object_argument(args.properties, "--properties");
    if (!body) {
        return report_error(ctx, body.error());
    }
    auto& object = body->get_object();
    object["$relationshipName"] = args.name;
    object["$targetId"] = args.target;
    if (args.id.empty()) {
        args.id = args.source + "-" + args.name + "-" + args.target;
    }
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto created = (*workspace)->graph().create_relationship(args.source, args.id, *body, write_options(args));
        !created) {
        return report_error(ctx, created.error());
    }
    return persist(ctx, **workspace, args);
}

int get(CommandContext& ctx, const RelationshipArguments& args) {
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    auto relationship = (*workspace)->graph().get_relationship(args.source, args.id);
    if (!relationship) {
        return report_error(ctx, relationship.error());
    }
    print_relationship(ctx, *relationship);
    return k_exit_ok;
}

int patch(CommandContext& ctx, const RelationshipArguments& args) {
    auto patch_document = read_json_argument(args.patch, "patch");
    if (!patch_document) {
        return report_error(ctx, patch_document.error());
    }
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto patched =
            (*workspace)->graph().patch_relationship(args.source, args.id, *patch_document, write_options(args));
        !patched) {
        return report_error(ctx, patched.error());
    }
    return persist(ctx, **workspace, args);
}

int remove(CommandContext& ctx, const RelationshipArguments& args) {
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto deleted = (*workspace)->graph().delete_relationship(args.source, args.id, write_options(args)); !deleted) {
        return report_error(ctx, deleted.error());
    }
    return persist(ctx, **workspace, args);
}

int list(CommandContext& ctx, const RelationshipArguments& args) {
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    const auto direction =
        args.incoming ? core::RelationshipDirection::incoming : core::RelationshipDirection::outgoing;
    auto relationships = (*workspace)->graph().list_relationships(args.source, direction);
    if (!relationships) {
        return report_error(ctx, relationships.error());
    }
    if (ctx.json) {
        json::array value;
        for (const auto& relationship : *relationships) {
            value.emplace_back(core::relationship_to_json(relationship));
        }
        print_json(*ctx.out, json::object{{"value", std::move(value)}});
    } else {
        for (const auto& relationship : *relationships) {
            print_relationship(ctx, relationship);
        }
    }
    return k_exit_ok;
}

} // namespace

void add_relationship_commands(CLI::App& app, Action& action) {
    auto* relationship =
        app.add_subcommand("relationship", "Relationships between twins: create, get, patch, delete, list");
    relationship->require_subcommand(1);
    auto args = std::make_shared<RelationshipArguments>();
    const auto bind = [&action, args](int (*run)(CommandContext&, const RelationshipArguments&)) {
        return [&action, args, run] { action = [args, run](CommandContext& ctx) { return run(ctx, *args); }; };
    };

    auto* create_cmd = relationship->add_subcommand("create", "Create a relationship from SOURCE to TARGET");
    create_cmd->add_option("source", args->source, "Source twin id")->required();
    create_cmd->add_option("name", args->name, "Relationship name, as declared by the source's model")->required();
    create_cmd->add_option("target", args->target, "Target twin id")->required();
    create_cmd->add_option("--id", args->id, "Relationship id (default SOURCE-NAME-TARGET)");
    create_cmd->add_option("--properties,-p", args->properties, "Properties as a JSON object, or @FILE");
    create_cmd->callback([&action, args] { action = [args](CommandContext& ctx) { return create(ctx, *args); }; });

    auto* get_cmd = relationship->add_subcommand("get", "Print a relationship");
    get_cmd->add_option("source", args->source, "Source twin id")->required();
    get_cmd->add_option("id", args->id, "Relationship id")->required();
    get_cmd->callback(bind(&get));

    auto* patch_cmd = relationship->add_subcommand("patch", "Apply a JSON Patch to a relationship's properties");
    patch_cmd->add_option("source", args->source, "Source twin id")->required();
    patch_cmd->add_option("id", args->id, "Relationship id")->required();
    patch_cmd->add_option("patch", args->patch, "The JSON Patch array, or @FILE")->required();
    patch_cmd->add_option("--if-match", args->if_match, "Apply only if the relationship's ETag is this (or *)");
    patch_cmd->callback(bind(&patch));

    auto* delete_cmd = relationship->add_subcommand("delete", "Delete a relationship");
    delete_cmd->add_option("source", args->source, "Source twin id")->required();
    delete_cmd->add_option("id", args->id, "Relationship id")->required();
    delete_cmd->add_option("--if-match", args->if_match, "Delete only if the relationship's ETag is this (or *)");
    delete_cmd->callback(bind(&remove));

    auto* list_cmd = relationship->add_subcommand("list", "List the relationships of a twin");
    list_cmd->add_option("twin", args->source, "Twin id")->required();
    list_cmd->add_flag("--incoming", args->incoming, "Relationships that point at the twin instead of from it");
    list_cmd->callback(bind(&list));
}

} // namespace dtwin::app
