#include "app/workspace.hpp"

#include "core/bounded_queue.hpp"
#include "core/twin_json.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <limits>
#include <system_error>
#include <thread>

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
    options.durability =
        config.get_string("store.durability") == "power" ? store::Durability::power : store::Durability::process;
    auto opened = store::open_store(url, options);
    if (!opened) {
        return std::unexpected(opened.error());
    }
    core::dtdl::ModelParseOptions parse_options;
    parse_options.allow_undefined_extensions = config.get_bool("models.allow_undefined_extensions");
    return std::unique_ptr<Workspace>(new Workspace(std::move(*opened), parse_options));
}

core::Result<std::unique_ptr<Workspace>> Workspace::open_loaded(const Config& config, Access access) {
    auto workspace = open(config, access);
    if (!workspace) {
        return workspace;
    }
    if (auto loaded = (*workspace)->load_graph(); !loaded) {
        return std::unexpected(loaded.error());
    }
    return workspace;
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
                          "stored models no longer parse (this dtwin checks DTDL more strictly than the one "
                          "that imported them; `dtwin model validate` on the model files shows every error): " +
                              parsed.errors.front().to_string());
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

namespace {

/// Twins travel between the load stages in chunks, to keep queue traffic low.
constexpr std::size_t k_load_chunk = 512;

/// Parses a stored twin document and hands it to `read` (twin_from_json against the
/// model registry), reporting an unreadable document as a storage error.
template <typename Read>
auto parse_stored_twin(const store::TwinRecord& record, Read read) -> decltype(read(json::value{})) {
    // The parsed document only lives until `read` has copied what it needs: a stack
    // buffer spares the allocator a malloc and a free per value.
    unsigned char buffer[8192];
    json::monotonic_resource resource(buffer, sizeof buffer);
    std::error_code ec;
    const json::value document = json::parse(record.document, ec, &resource);
    if (ec) {
        return core::fail(core::ErrorCode::storage, "stored twin is not JSON: " + ec.message(), "twin " + record.id);
    }
    auto parsed = read(document);
    if (!parsed) {
        return core::fail(core::ErrorCode::storage, "stored twin is unreadable: " + parsed.error().to_string(),
                          "twin " + record.id);
    }
    return parsed;
}

} // namespace

core::Result<void> Workspace::load_graph() {
    if (auto models = load_models(); !models) {
        return models;
    }
    // Parsing twin JSON costs about as much as reading SQLite and filling the graph
    // together, so it runs on a second thread: this thread reads records and restores
    // parsed twins, the worker parses. Order does not matter for twins; relationships
    // are restored once every twin is in.
    using RecordChunk = std::vector<store::TwinRecord>;
    using ParsedChunk = std::vector<core::Result<core::Twin>>;
    core::BoundedQueue<RecordChunk> to_parse(8);
    // Unbounded in effect: this thread drains it after every push, and a bound here
    // could deadlock with the bound of to_parse.
    core::BoundedQueue<ParsedChunk> parsed(std::numeric_limits<std::size_t>::max());
    const core::ModelRegistry& models = m_graph.models();
    std::thread parser([&] {
        while (auto chunk = to_parse.pop()) {
            ParsedChunk out;
            out.reserve(chunk->size());
            for (const auto& record : *chunk) {
                // Reads the model registry only; nothing changes it during the load.
                out.push_back(parse_stored_twin(
                    record, [&](const json::value& document) { return core::twin_from_json(document, models); }));
            }
            parsed.push(std::move(out));
        }
        parsed.close();
    });

    std::optional<core::Error> failure;
    const auto restore = [&](ParsedChunk& chunk) {
        for (auto& twin : chunk) {
            if (failure) {
                return;
            }
            if (!twin) {
                failure = twin.error();
            } else if (auto restored = m_graph.restore_twin(std::move(*twin)); !restored) {
                failure = restored.error();
            }
        }
    };

    RecordChunk pending;
    std::vector<core::Relationship> relationships;
    store::LoadSink sink;
    sink.on_twin = [&](store::TwinRecord&& record) {
        pending.push_back(std::move(record));
        if (pending.size() == k_load_chunk) {
            to_parse.push(std::move(pending));
            pending = {};
            pending.reserve(k_load_chunk);
            while (auto ready = parsed.try_pop()) {
                restore(*ready);
            }
        }
    };
    sink.on_relationship = [&](store::RelationshipRecord&& record) {
        std::error_code ec;
        const json::value document = json::parse(record.document, ec);
        auto relationship =
            ec ? core::fail(core::ErrorCode::invalid_json, ec.message()) : core::relationship_from_json(document);
        if (!relationship) {
            if (!failure) {
                failure = core::Error{core::ErrorCode::storage,
                                      "stored relationship is unreadable: " + relationship.error().message,
                                      "relationship " + record.source + "/" + record.id};
            }
            return;
        }
        relationships.push_back(std::move(*relationship));
    };
    const auto loaded = m_store->load_all(sink);
    if (!pending.empty()) {
        to_parse.push(std::move(pending));
    }
    to_parse.close();
    while (auto ready = parsed.pop()) {
        restore(*ready);
    }
    parser.join();
    if (!loaded) {
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

core::Result<void> Workspace::load_twin(std::string_view id) {
    if (auto models = load_models(); !models) {
        return models;
    }
    auto record = m_store->get_twin(id);
    if (!record) {
        return std::unexpected(record.error());
    }
    auto twin = parse_stored_twin(
        *record, [&](const json::value& document) { return core::twin_from_json(document, m_graph.models()); });
    if (!twin) {
        return std::unexpected(twin.error());
    }
    return m_graph.restore_twin(std::move(*twin));
}

void Workspace::stage_twins(store::WriteBatch& batch, const std::vector<std::string>& twin_ids) const {
    for (const auto& id : twin_ids) {
        engine::stage_twin(batch, m_graph, id);
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

core::Result<void> Workspace::commit_twins(const std::vector<std::string>& twin_ids) {
    store::WriteBatch batch;
    stage_twins(batch, twin_ids);
    return commit(std::move(batch));
}

core::Result<void> Workspace::commit(store::WriteBatch batch) {
    engine::stage_version(batch, m_graph);
    return m_store->commit(batch);
}

} // namespace dtwin::app
