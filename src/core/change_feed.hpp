// The change feed: one event per change the twin graph applied.
//
// Every accepted write that changed something (twin create, replace, patch, delete;
// relationship create, patch, delete) appends exactly one ChangeEvent. Rejected writes
// and writes that changed nothing append none. The event carries the effective JSON
// Patch (what was actually applied, with stale samples left out), so consumers (history,
// rules, WebSocket pushes) never need to diff twins themselves.
//
// The graph only queues events; the engine drains them after the batch that caused them
// is committed (ARCHITECTURE.md, "events after commit").
//
// Threads: not synchronised; the twin graph's single writer owns it.
#pragma once

#include "core/json_patch.hpp"
#include "core/model.hpp"
#include "core/time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core {

enum class ChangeKind {
    twin_created,
    twin_replaced,
    twin_patched,
    twin_deleted,
    relationship_created,
    relationship_patched,
    relationship_deleted,
};

/// "twin_created", ...
[[nodiscard]] std::string_view change_kind_name(ChangeKind kind) noexcept;

struct ChangeEvent {
    ChangeKind kind = ChangeKind::twin_patched;
    std::string twin_id;           ///< the twin; for relationship events, the source twin
    std::string relationship_id;   ///< empty for twin events
    std::string relationship_name; ///< empty for twin events
    InterfacePtr model;            ///< the twin's model (relationship events: the source twin's model)
    /// The effective JSON Patch, relative to the twin's document (twin events) or to the
    /// relationship's properties (relationship events). Create: "add" of every property
    /// (components as whole objects); delete: "remove" of every property.
    /// patch_to_json() turns it into a JSON Patch document.
    std::vector<PatchOperation> patch;
    std::uint64_t version = 0;            ///< version after the change (for deletes: the serial of the delete)
    std::optional<TimePoint> source_time; ///< the writer's source time, if it gave one
    TimePoint update_time{};              ///< the graph clock's time of the change
};

/// An append-only queue of events with a drain.
class ChangeFeed {
public:
    void push(ChangeEvent event) { m_events.push_back(std::move(event)); }

    /// Takes every queued event, oldest first, and leaves the feed empty.
    [[nodiscard]] std::vector<ChangeEvent> drain() {
        std::vector<ChangeEvent> out;
        out.swap(m_events);
        return out;
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_events.size(); }
    [[nodiscard]] bool empty() const noexcept { return m_events.empty(); }

private:
    std::vector<ChangeEvent> m_events;
};

} // namespace dtwin::core
