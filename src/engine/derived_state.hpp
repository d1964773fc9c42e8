// Derived state: properties the engine computes from other properties rather than
// receives (doorState from angle and magnet, occupancy from motion and the door), kept up
// to date as inputs arrive and as time passes (occupancy expires without any message).
//
// Which twins get which rule comes from EngineOptions (door_state_rules,
// occupancy_rules); a twin rule beats a model rule. The rules are the prototype's
// (core/door_state.hpp, core/occupancy.hpp); this class only wires them to twins:
//
//   - door: after any update of a door twin that carries its angle or magnet, the state
//     is computed from the twin's CURRENT angle and magnet (after event-time resolution,
//     so a late sample does not move the door) and written when it differs, stamped with
//     the newer of the two inputs' source times.
//   - door -> rooms: each room whose occupancy rule names a door relationship listens to
//     every twin with such a relationship to it; a door state change is fed to the
//     room's tracker at the change's source time.
//   - occupancy: every motion = true sample feeds the tracker (even when the stored value
//     is already true: each motion restarts the timeout). The state written is the one at
//     the engine clock's now; "occupied" is stamped with the motion's source time and
//     "not_occupied" with the instant the occupancy ended.
//   - timers: next_deadline() is the earliest instant any room's occupancy will end; the
//     engine calls on_timers() then.
//   - restart: seed() rebuilds the trackers from the stored twins (the last motion = true
//     sample and the door's state with their source times) and corrects any state that
//     expired while the server was down.
//
// Threads: the engine's writer thread only.
#pragma once

#include "core/time.hpp"
#include "core/twin_graph.hpp"
#include "engine/engine_options.hpp"
#include "ingest/mapping.hpp"

#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dtwin::engine {

/// A property value the engine should write: one derived change.
struct DerivedWrite {
    std::string twin_id;
    std::string property;
    boost::json::value value;
    core::TimePoint source_time;
    /// Written by a rule's set/reset: not fed back into the rules (a rule could otherwise
    /// trigger itself without end).
    bool from_rule = false;
};

class DerivedState {
public:
    explicit DerivedState(const EngineOptions& options);

    /// True when no derived-state rule is configured (the engine skips all of this).
    [[nodiscard]] bool empty() const noexcept;

    /// The source time of the latest sample `property` == true of `twin` at or after
    /// `from` (history), or nullopt.
    using LastTrueSample = std::function<std::optional<core::TimePoint>(
        const std::string& twin, const std::string& property, core::TimePoint from)>;

    /// Rebuilds trackers from every twin of the graph and returns the writes that bring
    /// stored derived properties up to date at `now`. `last_true` finds the last motion
    /// when the stored motion is false (a PIR reports 0 between detections); empty: the
    /// stored motion only.
    [[nodiscard]] std::vector<DerivedWrite> seed(const core::TwinGraph& graph, core::TimePoint now,
                                                 const LastTrueSample& last_true = {});

    /// After an update of `twin_id` was applied: `properties` are the names the update
    /// carried (with their values), at `source_time`. Returns the derived writes; the
    /// engine applies them and calls after_write() for each applied door state.
    [[nodiscard]] std::vector<DerivedWrite> on_update(const core::TwinGraph& graph, std::string_view twin_id,
                                                      std::span<const ingest::PropertyValue> properties,
                                                      core::TimePoint source_time, core::TimePoint now);

    /// After the engine applied `applied` (any derived write): when it is a door state,
    /// feeds it to the rooms behind that door and returns their occupancy writes.
    [[nodiscard]] std::vector<DerivedWrite> after_write(const core::TwinGraph& graph, const DerivedWrite& applied,
                                                        core::TimePoint now);

    /// Occupancy changes due at or before `now`.
    [[nodiscard]] std::vector<DerivedWrite> on_timers(const core::TwinGraph& graph, core::TimePoint now);

    /// The earliest instant a derived state will change without further input.
    [[nodiscard]] std::optional<core::TimePoint> next_deadline() const;

private:
    struct Room {
        const OccupancyRule* rule = nullptr;
        core::OccupancyTracker tracker;
    };

    [[nodiscard]] const DoorStateRule* door_rule(const core::Twin& twin) const;
    [[nodiscard]] const OccupancyRule* occupancy_rule(const core::Twin& twin) const;
    Room* room(const core::TwinGraph& graph, const std::string& twin_id);
    /// Door state of `door` from its current angle and magnet; nullopt without either.
    [[nodiscard]] static std::optional<std::pair<core::DoorState, core::TimePoint>>
    compute_door(const core::Twin& door, const DoorStateRule& rule);
    void feed_door_to_rooms(const core::TwinGraph& graph, const std::string& door_id, core::DoorState state,
                            core::TimePoint at, core::TimePoint now, std::vector<DerivedWrite>& writes);
    void evaluate_room(const core::TwinGraph& graph, const std::string& room_id, Room& room, core::TimePoint now,
                       std::vector<DerivedWrite>& writes);

    std::map<std::string, const DoorStateRule*, std::less<>> m_door_by_twin;
    std::map<std::string, const DoorStateRule*, std::less<>> m_door_by_model;
    std::map<std::string, const OccupancyRule*, std::less<>> m_occupancy_by_twin;
    std::map<std::string, const OccupancyRule*, std::less<>> m_occupancy_by_model;
    std::unordered_map<std::string, Room> m_rooms;
    /// (deadline, room): may hold outdated entries; on_timers() re-checks each.
    using Deadline = std::pair<core::TimePoint, std::string>;
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> m_deadlines;
};

} // namespace dtwin::engine
