// Writes that come from the HTTP API (and, later, from the command line through the
// server): twins and relationships created, replaced, patched and deleted. They go the
// way MQTT updates go: applied to the graph at once (validation, If-Match, event time,
// a new version), staged for the next group commit (twin records, history, the version
// cursor), rules and derived state run on the properties they changed, change events
// leave after the commit. The caller answers its client from an after_commit() callback.
#include "core/twin_json.hpp"
#include "engine/engine.hpp"
#include "engine/staging.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>

namespace dtwin::engine {

namespace json = boost::json;

void Engine::after_twin_write(const std::string& id, const core::WriteResult& result, core::TimePoint source_time,
                              const std::map<std::string, json::value>& previous) {
    m_counters.samples += stage_history(m_batch, id, result, source_time, result.version);
    m_dirty_twins.insert(id);
    if (!result.changed()) {
        return;
    }
    ++m_counters.updates_applied;
    std::vector<std::string> changed;
    std::vector<ingest::PropertyValue> values;
    const core::Twin* twin = m_graph.find_twin(id);
    for (const auto& operation : result.applied) {
        const std::string name = operation.path.substr(1);
        changed.push_back(name);
        if (const json::value* value = twin == nullptr ? nullptr : twin->property(name)) {
            values.push_back({name, *value});
        }
    }
    if (!m_options.rules.empty()) {
        run_rules(id, changed, previous, source_time, m_clock.now());
    }
    if (!m_derived.empty() && !values.empty()) {
        apply_derived(m_derived.on_update(m_graph, id, values, source_time, m_clock.now()));
    }
}

std::map<std::string, json::value> Engine::current_values(std::string_view id) const {
    std::map<std::string, json::value> values;
    if (m_options.rules.empty()) {
        return values;
    }
    if (const core::Twin* twin = m_graph.find_twin(id)) {
        const json::object properties = twin->properties();
        for (const auto& [name, value] : properties) {
            values.emplace(name, value);
        }
    }
    return values;
}

core::Result<core::WriteResult> Engine::put_twin(std::string_view id, const json::value& body,
                                                 const core::WriteOptions& options, bool only_if_absent) {
    const bool exists = m_graph.find_twin(id) != nullptr;
    if (exists && only_if_absent) {
        return core::fail(core::ErrorCode::precondition_failed, "the twin exists and If-None-Match is *",
                          std::string(id));
    }
    auto previous = current_values(id);
    auto result = exists ? m_graph.replace_twin(id, body, options) : m_graph.create_twin(id, body, options);
    if (result) {
        after_twin_write(std::string(id), *result, options.source_time.value_or(m_clock.now()), previous);
    }
    return result;
}

core::Result<core::WriteResult> Engine::patch_twin(std::string_view id, const json::value& patch,
                                                   const core::WriteOptions& options) {
    auto previous = current_values(id);
    auto result = m_graph.patch_twin(id, patch, options);
    if (result) {
        after_twin_write(std::string(id), *result, options.source_time.value_or(m_clock.now()), previous);
    }
    return result;
}

core::Result<void> Engine::delete_twin(std::string_view id, const core::WriteOptions& options) {
    auto deleted = m_graph.delete_twin(id, options);
    if (deleted) {
        m_dirty_twins.insert(std::string(id)); // staged as a delete: the graph no longer has it
    }
    return deleted;
}

void Engine::stage_relationship(std::string_view source, std::string_view id) {
    if (auto relationship = m_graph.get_relationship(source, id)) {
        m_batch.put_relationship({relationship->id, relationship->source_id, relationship->target_id,
                                  relationship->name, json::serialize(core::relationship_to_json(*relationship))});
    } else {
        m_batch.delete_relationship(std::string(source), std::string(id));
    }
}

core::Result<core::WriteResult> Engine::put_relationship(std::string_view source, std::string_view id,
                                                         const json::value& body, const core::WriteOptions& options,
                                                         bool only_if_absent) {
    if (auto old = m_graph.get_relationship(source, id)) {
        if (only_if_absent) {
            return core::fail(core::ErrorCode::precondition_failed, "the relationship exists and If-None-Match is *",
                              std::string(source) + "/" + std::string(id));
        }
        // A PUT replaces: the old one goes, in the same commit as the new one; if the new
        // one is refused, the old one is put back.
        if (auto removed = m_graph.delete_relationship(source, id, options); !removed) {
            return std::unexpected(removed.error());
        }
        auto created = m_graph.create_relationship(source, id, body, {});
        if (!created) {
            (void)m_graph.restore_relationship(*old);
            return created;
        }
        stage_relationship(source, id);
        return created;
    }
    auto created = m_graph.create_relationship(source, id, body, options);
    if (created) {
        stage_relationship(source, id);
    }
    return created;
}

core::Result<core::WriteResult> Engine::patch_relationship(std::string_view source, std::string_view id,
                                                           const json::value& patch,
                                                           const core::WriteOptions& options) {
    auto result = m_graph.patch_relationship(source, id, patch, options);
    if (result) {
        stage_relationship(source, id);
    }
    return result;
}

core::Result<void> Engine::delete_relationship(std::string_view source, std::string_view id,
                                               const core::WriteOptions& options) {
    auto deleted = m_graph.delete_relationship(source, id, options);
    if (deleted) {
        stage_relationship(source, id);
    }
    return deleted;
}

core::Result<void> Engine::add_models(const std::vector<core::InterfacePtr>& interfaces,
                                      std::vector<store::ModelRecord> records) {
    std::vector<std::string> added;
    for (const auto& interface : interfaces) {
        if (auto result = m_graph.add_model(interface); !result) {
            for (const auto& id : added) {
                (void)m_graph.remove_model(id);
            }
            return result;
        }
        added.push_back(interface->id);
    }
    for (auto& record : records) {
        m_batch.put_model(std::move(record));
    }
    return {};
}

core::Result<void> Engine::set_decommissioned(store::ModelRecord record) {
    if (auto set = m_graph.models().set_decommissioned(record.id, record.decommissioned); !set) {
        return set;
    }
    m_batch.put_model(std::move(record));
    return {};
}

core::Result<void> Engine::delete_model(std::string_view id) {
    for (const auto& other : m_graph.models().ids()) {
        const auto model = m_graph.find_model(other);
        if (other == id || model == nullptr) {
            continue;
        }
        bool uses = std::find(model->extends.begin(), model->extends.end(), id) != model->extends.end();
        for (const auto& [name, component] : model->components) {
            uses = uses || component.schema == id;
        }
        for (const auto& [name, relationship] : model->relationships) {
            uses = uses || relationship.target == id;
        }
        if (uses) {
            return core::fail(core::ErrorCode::in_use, "model '" + other + "' refers to it; delete that one first",
                              std::string(id));
        }
    }
    std::size_t twins = 0;
    m_graph.for_each_twin([&](const core::Twin& twin) { twins += twin.model_id() == id ? 1 : 0; });
    if (twins > 0) {
        return core::fail(core::ErrorCode::in_use,
                          std::to_string(twins) + " twin(s) of this model exist; delete them first (or decommission "
                                                  "the model, which keeps them and refuses new ones)",
                          std::string(id));
    }
    if (auto removed = m_graph.remove_model(id); !removed) {
        return removed;
    }
    m_batch.delete_model(std::string(id));
    return {};
}

void Engine::after_commit(std::function<void(bool)> done) {
    m_commit_waiters.push_back(std::move(done));
}

} // namespace dtwin::engine
