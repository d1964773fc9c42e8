#include "app/workspace.hpp"

#include "core/twin_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <filesystem>
#include <system_error>

namespace dtwin::app {

namespace fs = std::filesystem;
namespace json = boost::json;

Workspace::Workspace(std::unique_ptr<store::Store> store, core::dtdl::ModelParseOptions options)
    : m_store(std::move(store)), m_graph(m_clock), m_parse_options(options) {}

core::Result<std::unique_ptr<Workspace>> Workspace::open(const Config& config, Access access) {
    std::string url = config.get_string("store.url");
    const std::string& data_dir = config.get_string("data.dir");
    if (url.empty()) {
        if (access == Access::read_write) {
            std::error_code ec;
            fs::create_directories(data_dir, ec);
            if (ec) {
                return core::fail(core::ErrorCode::io, "cannot create the data directory: " + ec.message(), data_dir);
            }
        } else if (!fs::is_directory(data_dir)) {
            return core::fail(core::ErrorCode::io, "no such data directory (create it with `dtwin model import`)",
                              data_dir);
        }
        url = "sqlite:" + data_dir;
    }
    store::StoreOptions options;
    options.read_only = access == Access::read_only;
    options.durability = config.get_string("store.durability") == "power" ? store::Durability::power
                                                                          : store::Durability::process;
    auto opened = store::open_store(url, options);
    if (!opened) {
        return std::unexpected(opened.error());
    }
    core::dtdl::ModelParseOptions parse_options;
    parse_options.allow_undefined_extensions = config.get_bool("models.allow_undefined_extensions");
    return std::unique_ptr<Workspace>(new Workspace(std::move(*opened), parse_options));
}

core::Result<void> Workspace::load_models() {
    if (m_models_loaded) {
        return {};
    }
    store::LoadSink sink;
    sink.on_model = [&](store::ModelRecord&& record) { m_model_records.push_back(std::move(record)); };
    sink.on_cursor = [&](store::CursorRecord&& cursor) {
        if (cursor.source == k_version_cursor) {
            m_graph.raise_version_floor(cursor.sequence);
        }
    };
    if (auto loaded = m_store->load_all(sink); !loaded) {
        return std::unexpected(loaded.error());
    }
    std::vector<core::dtdl::ModelDocument> documents;
    documents.reserve(m_model_records.size());
    for (const auto& record : m_model_records) {
        documents.push_back({"model " + record.id, record.document});
    }
    auto parsed = core::dtdl::parse_models(documents, m_parse_options);
    if (!parsed.ok()) {
        return core::fail(core::ErrorCode::storage,
                          "stored models no longer parse: " + parsed.errors.front().to_string());
    }
    for (auto& interface : parsed.interfaces) {
        m_interfaces.emplace(interface->id, interface);
        if (auto added = m_graph.add_model(interface); !added) {
            return std::unexpected(added.error());
        }
    }
    for (const auto& record : m_model_records) {
        if (record.decommissioned) {
            (void)m_graph.models().set_decommissioned(record.id, true);
        }
    }
    m_models_loaded = true;
    return {};
}

core::Result<void> Workspace::load_graph() {
    if (auto models = load_models(); !models) {
        return models;
    }
    std::optional<core::Error> failure;
    std::vector<core::Relationship> relationships;
    store::LoadSink sink;
    sink.on_twin = [&](store::TwinRecord&& record) {
        if (failure) {
            return;
        }
        core::Result<core::ParsedTwin> parsed = core::fail(core::ErrorCode::invalid_json, "");
        try {
            parsed = core::twin_from_json(json::parse(record.document));
        } catch (const std::exception& e) {
            parsed = core::fail(core::ErrorCode::invalid_json, e.what());
        }
        if (!parsed) {
            failure = core::Error{core::ErrorCode::storage, "stored twin is unreadable: " + parsed.error().message,
                                  "twin " + record.id};
            return;
        }
        if (auto restored = m_graph.restore_twin(*parsed); !restored) {
            failure = restored.error();
        }
    };
    sink.on_relationship = [&](store::RelationshipRecord&& record) {
        if (failure) {
            return;
        }
        try {
            auto parsed = core::relationship_from_json(json::parse(record.document));
            if (!parsed) {
                failure = parsed.error();
                return;
            }
            relationships.push_back(std::move(*parsed));
        } catch (const std::exception& e) {
            failure = core::Error{core::ErrorCode::storage, std::string("stored relationship is unreadable: ") + e.what(),
                                  "relationship " + record.source + "/" + record.id};
        }
    };
    if (auto loaded = m_store->load_all(sink); !loaded) {
        return std::unexpected(loaded.error());
    }
    if (failure) {
        return std::unexpected(*failure);
    }
    for (const auto& relationship : relationships) {
        if (auto restored = m_graph.restore_relationship(relationship); !restored) {
            return restored;
        }
    }
    return {};
}

void Workspace::stage_twins(store::WriteBatch& batch, const std::vector<std::string>& twin_ids) const {
    for (const auto& id : twin_ids) {
        if (const core::Twin* twin = m_graph.find_twin(id)) {
            batch.put_twin({twin->id(), twin->model_id(), twin->version(), json::serialize(core::twin_to_json(*twin))});
        } else {
            batch.delete_twin(id);
        }
    }
}

void Workspace::stage_relationship(store::WriteBatch& batch, const std::string& source, const std::string& id) const {
    if (auto relationship = m_graph.get_relationship(source, id)) {
        batch.put_relationship({relationship->id, relationship->source_id, relationship->target_id, relationship->name,
                                json::serialize(core::relationship_to_json(*relationship))});
    } else {
        batch.delete_relationship(source, id);
    }
}

core::Result<void> Workspace::commit(store::WriteBatch batch) {
    batch.set_cursor(std::string(k_version_cursor), m_graph.last_version());
    return m_store->commit(batch);
}

} // namespace dtwin::app
