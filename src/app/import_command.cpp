// dtwin import FILE: twins and relationships from one graph file, all or nothing.
//
// The file: {"twins": [<ADT twin bodies with $dtId>], "relationships": [<ADT relationship
// bodies with $relationshipId, $sourceId, $relationshipName, $targetId>]}.
#include "app/cli.hpp"
#include "app/commands.hpp"
#include "app/workspace.hpp"

#include <iostream>

namespace dtwin::app {

namespace json = boost::json;

namespace {

const json::array* member_array(const json::object& object, std::string_view name) {
    const auto* member = object.if_contains(name);
    return member != nullptr && member->is_array() ? &member->get_array() : nullptr;
}

std::string string_member(const json::value& value, std::string_view name) {
    if (const auto* object = value.if_object()) {
        if (const auto* member = object->if_contains(name); member && member->is_string()) {
            return std::string(member->get_string());
        }
    }
    return {};
}

int import_graph(CommandContext& ctx, const std::string& file) {
    auto document = read_json_argument("@" + file, file);
    if (!document) {
        return report_error(ctx, document.error());
    }
    if (!document->is_object()) {
        return report_error(
            ctx, {core::ErrorCode::invalid_json, "expected an object with \"twins\" and \"relationships\"", file});
    }
    auto workspace = Workspace::open_loaded(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    auto& graph = (*workspace)->graph();
    store::WriteBatch batch;
    std::vector<std::string> twin_ids;
    std::size_t relationships = 0;
    if (const auto* twins = member_array(document->get_object(), "twins")) {
        for (std::size_t i = 0; i < twins->size(); ++i) {
            const std::string id = string_member((*twins)[i], "$dtId");
            const std::string where = file + " /twins/" + std::to_string(i);
            if (id.empty()) {
                return report_error(ctx, {core::ErrorCode::invalid_json, "missing \"$dtId\"", where});
            }
            if (auto created = graph.create_twin(id, (*twins)[i]); !created) {
                auto error = created.error();
                error.where = where + (error.where.empty() ? "" : " " + error.where);
                return report_error(ctx, error);
            }
            twin_ids.push_back(id);
        }
    }
    (*workspace)->stage_twins(batch, twin_ids);
    if (const auto* list = member_array(document->get_object(), "relationships")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string source = string_member((*list)[i], "$sourceId");
            const std::string id = string_member((*list)[i], "$relationshipId");
            const std::string where = file + " /relationships/" + std::to_string(i);
            if (source.empty() || id.empty()) {
                return report_error(
                    ctx, {core::ErrorCode::invalid_json, "missing \"$sourceId\" or \"$relationshipId\"", where});
            }
            if (auto created = graph.create_relationship(source, id, (*list)[i]); !created) {
                auto error = created.error();
                error.where = where + (error.where.empty() ? "" : " " + error.where);
                return report_error(ctx, error);
            }
            (*workspace)->stage_relationship(batch, source, id);
            ++relationships;
        }
    }
    if (auto committed = (*workspace)->commit(std::move(batch)); !committed) {
        return report_error(ctx, committed.error());
    }
    if (ctx.json) {
        print_json(*ctx.out, json::object{{"twins", twin_ids.size()}, {"relationships", relationships}});
    } else {
        *ctx.out << "imported " << twin_ids.size() << " twin(s) and " << relationships << " relationship(s)\n";
    }
    return k_exit_ok;
}

} // namespace

void add_import_command(CLI::App& app, Action& action) {
    auto* import_cmd =
        app.add_subcommand("import", "Create the twins and relationships of a graph file (all or nothing)");
    auto file = std::make_shared<std::string>();
    import_cmd->add_option("file", *file, "JSON file: {\"twins\": [...], \"relationships\": [...]}")->required();
    import_cmd->callback(
        [&action, file] { action = [file](CommandContext& ctx) { return import_graph(ctx, *file); }; });
}

} // namespace dtwin::app
