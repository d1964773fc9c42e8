// dtwin model validate|import|list|get: DTDL models from files into the store.
#include "app/cli.hpp"
#include "app/commands.hpp"
#include "app/workspace.hpp"
#include "core/time.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <iostream>

namespace dtwin::app {

namespace fs = std::filesystem;
namespace json = boost::json;
using core::dtdl::ModelDocument;

namespace {

/// Reads every file named (folders: every *.json below them, sorted).
core::Result<std::vector<ModelDocument>> read_documents(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const auto& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
                 it.increment(ec)) {
                if (it->is_regular_file() && it->path().extension() == ".json") {
                    files.push_back(it->path().string());
                }
            }
            if (ec) {
                return core::fail(core::ErrorCode::io, "cannot list the folder: " + ec.message(), path);
            }
        } else if (fs::exists(path, ec)) {
            files.push_back(path);
        } else {
            return core::fail(core::ErrorCode::io, "no such file or folder", path);
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<ModelDocument> documents;
    for (const auto& file : files) {
        auto text = read_text_file(file);
        if (!text) {
            return std::unexpected(text.error());
        }
        if (text->starts_with("\xEF\xBB\xBF")) { // a UTF-8 byte order mark is not part of the JSON
            text->erase(0, 3);
        }
        documents.push_back({file, std::move(*text)});
    }
    return documents;
}

json::object issue_to_json(const core::dtdl::ModelIssue& issue) {
    return {{"document", issue.document}, {"pointer", issue.pointer}, {"rule", issue.rule}, {"message", issue.message}};
}

/// Prints the outcome of a parse; returns the exit status.
int report_parse(const CommandContext& ctx, const core::dtdl::ModelParseResult& result, std::size_t documents,
                 std::string_view verb) {
    if (ctx.json) {
        json::array ids;
        for (const auto& interface : result.interfaces) {
            ids.emplace_back(interface->id);
        }
        json::array errors;
        for (const auto& issue : result.errors) {
            errors.emplace_back(issue_to_json(issue));
        }
        print_json(*ctx.out,
                   json::object{{"valid", result.ok()}, {"interfaces", std::move(ids)}, {"errors", std::move(errors)}});
    } else {
        for (const auto& issue : result.errors) {
            *ctx.err << "error: " << issue.to_string() << "\n";
        }
        if (result.ok()) {
            *ctx.out << verb << " " << result.interfaces.size() << " interface(s) from " << documents
                     << " document(s)\n";
        } else {
            *ctx.err << result.errors.size() << " error(s) in " << documents << " document(s)\n";
        }
    }
    return result.ok() ? k_exit_ok : k_exit_invalid;
}

int validate(CommandContext& ctx, const std::vector<std::string>& paths) {
    auto documents = read_documents(paths);
    if (!documents) {
        return report_error(ctx, documents.error());
    }
    core::dtdl::ModelParseOptions options;
    options.allow_undefined_extensions = ctx.config.get_bool("models.allow_undefined_extensions");
    return report_parse(ctx, core::dtdl::parse_models(*documents, options), documents->size(), "valid:");
}

/// Splits each document into one JSON text per top-level interface, keyed by its @id.
std::map<std::string, std::string> interface_texts(const std::vector<ModelDocument>& documents) {
    std::map<std::string, std::string> texts;
    for (const auto& document : documents) {
        const json::value value = json::parse(document.text);
        const auto add = [&](const json::value& element) {
            if (const auto* object = element.if_object()) {
                if (const auto* id = object->if_contains("@id"); id && id->is_string()) {
                    texts.emplace(std::string(id->get_string()), json::serialize(element));
                }
            }
        };
        if (value.is_array()) {
            for (const auto& element : value.get_array()) {
                add(element);
            }
        } else {
            add(value);
        }
    }
    return texts;
}

int import(CommandContext& ctx, const std::vector<std::string>& paths) {
    auto documents = read_documents(paths);
    if (!documents) {
        return report_error(ctx, documents.error());
    }
    auto workspace = Workspace::open(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto loaded = (*workspace)->load_models(); !loaded) {
        return report_error(ctx, loaded.error());
    }
    const auto result = core::dtdl::parse_models(*documents, (*workspace)->parse_options(), (*workspace)->interfaces());
    if (!result.ok()) {
        return report_parse(ctx, result, documents->size(), "imported");
    }
    const auto texts = interface_texts(*documents);
    const auto now = SystemClock{}.now();
    store::WriteBatch batch;
    for (const auto& interface : result.interfaces) {
        const auto text = texts.find(interface->id);
        if (text != texts.end()) {
            batch.put_model({interface->id, text->second, now, false});
        }
    }
    if (auto committed = (*workspace)->commit(std::move(batch)); !committed) {
        return report_error(ctx, committed.error());
    }
    return report_parse(ctx, result, documents->size(), "imported");
}

int list(CommandContext& ctx) {
    auto workspace = Workspace::open(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    if (auto loaded = (*workspace)->load_models(); !loaded) {
        return report_error(ctx, loaded.error());
    }
    json::array models;
    for (const auto& record : (*workspace)->model_records()) {
        const auto interface = (*workspace)->graph().find_model(record.id);
        json::object entry{{"id", record.id},
                           {"uploadTime", core::format_time(record.upload_time)},
                           {"decommissioned", record.decommissioned}};
        if (interface && !interface->display_name.empty()) {
            entry["displayName"] = interface->display_name;
        }
        if (ctx.json) {
            models.emplace_back(std::move(entry));
        } else {
            *ctx.out << record.id
                     << (interface && !interface->display_name.empty() ? "  " + interface->display_name : "")
                     << (record.decommissioned ? "  (decommissioned)" : "") << "\n";
        }
    }
    if (ctx.json) {
        print_json(*ctx.out, json::object{{"models", std::move(models)}});
    }
    return k_exit_ok;
}

int get(CommandContext& ctx, const std::string& id) {
    auto workspace = Workspace::open(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    auto record = (*workspace)->store().get_model(id);
    if (!record) {
        return report_error(ctx, record.error());
    }
    print_json(*ctx.out, json::parse(record->document));
    return k_exit_ok;
}

} // namespace

void add_model_commands(CLI::App& app, Action& action) {
    auto* model = app.add_subcommand("model", "DTDL models: validate, import, list, get");
    model->require_subcommand(1);

    auto* validate_cmd = model->add_subcommand("validate", "Check DTDL files or folders (parsed together)");
    auto paths = std::make_shared<std::vector<std::string>>();
    validate_cmd->add_option("paths", *paths, "DTDL files or folders of *.json")->required();
    validate_cmd->callback(
        [&action, paths] { action = [paths](CommandContext& ctx) { return validate(ctx, *paths); }; });

    auto* import_cmd = model->add_subcommand("import", "Validate DTDL files or folders and add them to the store");
    auto import_paths = std::make_shared<std::vector<std::string>>();
    import_cmd->add_option("paths", *import_paths, "DTDL files or folders of *.json")->required();
    import_cmd->callback([&action, import_paths] {
        action = [import_paths](CommandContext& ctx) { return import(ctx, *import_paths); };
    });

    auto* list_cmd = model->add_subcommand("list", "List the stored models");
    list_cmd->callback([&action] { action = [](CommandContext& ctx) { return list(ctx); }; });

    auto* get_cmd = model->add_subcommand("get", "Print a stored model's DTDL document");
    auto id = std::make_shared<std::string>();
    get_cmd->add_option("id", *id, "The model's DTMI")->required();
    get_cmd->callback([&action, id] { action = [id](CommandContext& ctx) { return get(ctx, *id); }; });
}

} // namespace dtwin::app
