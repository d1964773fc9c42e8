// Liveness: when did the device feeding a twin last speak, and is it silent now?
//
// A twin with a liveness rule (EngineOptions::liveness_rules; a twin rule beats a model
// rule) is watched from the engine's start. Every update that ingest applied to it counts
// as a sign of life at its receive time. When a twin has been silent for longer than its
// rule's silent_after, or its device's last will ("offline" on the rule's status topic)
// arrives, the twin goes offline: the engine marks its ingested properties stale and
// emits a connectivity event. The next update brings it back online (stale cleared,
// another event).
//
// Which properties are "ingested": every property some mapping rule writes
// (fields and timestamp properties). Derived properties are left alone.
//
// Threads: the engine's writer thread only. Never reads a clock: instants come in.
#pragma once

#include "core/time.hpp"
#include "core/twin_graph.hpp"
#include "engine/engine_options.hpp"

#include <map>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dtwin::engine {

/// A twin going offline or coming back.
struct ConnectivityChange {
    std::string twin_id;
    bool online = false;
    /// "silent" (no update for silent_after), "last_will" (status "offline"),
    /// "status" (status "online"), "seen" (an update arrived after it was offline).
    std::string reason;
    core::TimePoint time;                     ///< when the change was decided (engine clock / receive time)
    std::optional<core::TimePoint> last_seen; ///< receive time of the twin's last update, if any
};

class Liveness {
public:
    explicit Liveness(const EngineOptions& options);

    [[nodiscard]] bool empty() const noexcept { return m_by_twin.empty() && m_by_model.empty(); }

    /// The property names mapping rules write: what goes stale.
    [[nodiscard]] const std::vector<std::string>& ingested_properties() const noexcept { return m_properties; }

    /// Starts watching every twin of the graph that has a rule, as if last seen at `now`;
    /// twins whose stored properties are already stale start offline.
    void seed(const core::TwinGraph& graph, core::TimePoint now);

    /// An update of `twin` was applied, received at `receive_time`. Returns a change when
    /// the twin was offline.
    [[nodiscard]] std::optional<ConnectivityChange> on_seen(const core::Twin& twin, core::TimePoint receive_time);

    /// When `topic` is some rule's status topic, handles the payload and returns true
    /// (with the change, if any, in `change`); false when the topic is no status topic.
    [[nodiscard]] bool on_status(const core::TwinGraph& graph, std::string_view topic, std::string_view payload,
                                 core::TimePoint now, std::optional<ConnectivityChange>& change);

    /// Twins whose silence passed their limit at or before `now`: each goes offline.
    [[nodiscard]] std::vector<ConnectivityChange> on_timers(core::TimePoint now);

    [[nodiscard]] std::optional<core::TimePoint> next_deadline() const;

    /// The status topic filters to subscribe to (captures turned into `+`).
    [[nodiscard]] std::vector<std::string> status_filters() const;

private:
    struct Watch {
        const LivenessRule* rule = nullptr;
        std::optional<core::TimePoint> last_seen;
        core::TimePoint deadline;
        bool online = true;
        /// Whether m_deadlines holds an entry for this twin (at most one does).
        bool armed = false;
    };

    [[nodiscard]] const LivenessRule* rule_for(const core::Twin& twin) const;
    void arm(const std::string& id, Watch& watch);

    std::map<std::string, const LivenessRule*, std::less<>> m_by_twin;
    std::map<std::string, const LivenessRule*, std::less<>> m_by_model;
    std::vector<const LivenessRule*> m_status_rules;
    std::vector<std::string> m_properties;
    std::unordered_map<std::string, Watch> m_watches;
    using Deadline = std::pair<core::TimePoint, std::string>;
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> m_deadlines;
};

} // namespace dtwin::engine
