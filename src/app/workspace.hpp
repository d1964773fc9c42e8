// Workspace: a data directory opened by a command: its store and, loaded from it, the
// models and the twin graph. Write commands change the graph, then persist what changed
// in one store transaction (`commit_twins`), so a failed command writes nothing.
//
// Read commands open the store read-only: safe while `dtwin serve` runs on the same data
// directory (SQLite WAL: readers never block the writer).
//
// Thread: one thread uses a Workspace; load_graph() runs a helper thread of its own
// while it loads (JSON parsing) and joins it before it returns.
#pragma once

#include "app/config.hpp"
#include "app/system_clock.hpp"
#include "core/dtdl/dtdl_parser.hpp"
#include "core/error.hpp"
#include "core/twin_graph.hpp"
#include "engine/staging.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dtwin::app {

enum class Access { read_only, read_write };

class Workspace {
public:
    /// Opens the store named by the config (store.url, else data.dir). read_write creates
    /// the data directory when it is missing. Does not load anything yet.
    static core::Result<std::unique_ptr<Workspace>> open(const Config& config, Access access);

    /// open(), then load_graph(): what most twin and relationship commands need.
    static core::Result<std::unique_ptr<Workspace>> open_loaded(const Config& config, Access access);

    /// Loads every stored model (parsed together as DTDL) into the graph.
    [[nodiscard]] core::Result<void> load_models();
    /// Loads models and one twin only (for read commands on a big graph).
    /// Error: unknown_twin when the store has no such twin.
    [[nodiscard]] core::Result<void> load_twin(std::string_view id);
    /// Loads models, then every twin and relationship.
    [[nodiscard]] core::Result<void> load_graph();

    [[nodiscard]] core::TwinGraph& graph() noexcept { return m_graph; }
    [[nodiscard]] store::Store& store() noexcept { return *m_store; }
    [[nodiscard]] const core::dtdl::InterfaceMap& interfaces() const noexcept { return m_interfaces; }
    [[nodiscard]] const std::vector<store::ModelRecord>& model_records() const noexcept { return m_model_records; }
    [[nodiscard]] const core::dtdl::ModelParseOptions& parse_options() const noexcept { return m_parse_options; }

    /// Adds to `batch` the current state of each twin in `twin_ids` (a put, or a delete
    /// when it no longer exists), and the graph's version counter.
    void stage_twins(store::WriteBatch& batch, const std::vector<std::string>& twin_ids) const;
    /// Same for a relationship of `source`.
    void stage_relationship(store::WriteBatch& batch, const std::string& source, const std::string& id) const;
    /// Commits the current state of these twins (stage_twins + commit).
    [[nodiscard]] core::Result<void> commit_twins(const std::vector<std::string>& twin_ids);
    /// Commits `batch` (after adding the version counter).
    [[nodiscard]] core::Result<void> commit(store::WriteBatch batch);

private:
    Workspace(std::unique_ptr<store::Store> store, core::dtdl::ModelParseOptions options);

    SystemClock m_clock;
    std::unique_ptr<store::Store> m_store;
    core::TwinGraph m_graph;
    core::dtdl::ModelParseOptions m_parse_options;
    core::dtdl::InterfaceMap m_interfaces;
    std::vector<store::ModelRecord> m_model_records;
    bool m_models_loaded = false;
};

/// The store writes shared with the engine (twin records, history, version cursor).
using engine::k_version_cursor;
using engine::sample_value;
using engine::stage_history;

} // namespace dtwin::app
