#include "engine/derived_state.hpp"

#include <algorithm>

namespace dtwin::engine {

namespace json = boost::json;

namespace {

template <typename Rule>
void index_rules(const std::vector<Rule>& rules, std::map<std::string, const Rule*, std::less<>>& by_twin,
                 std::map<std::string, const Rule*, std::less<>>& by_model) {
    for (const auto& rule : rules) {
        if (!rule.selector.twin.empty()) {
            by_twin.emplace(rule.selector.twin, &rule);
        } else {
            by_model.emplace(rule.selector.model, &rule);
        }
    }
}

template <typename Rule>
const Rule* find_rule(const core::Twin& twin, const std::map<std::string, const Rule*, std::less<>>& by_twin,
                      const std::map<std::string, const Rule*, std::less<>>& by_model) {
    if (auto it = by_twin.find(twin.id()); it != by_twin.end()) {
        return it->second;
    }
    if (auto it = by_model.find(twin.model_id()); it != by_model.end()) {
        return it->second;
    }
    return nullptr;
}

std::optional<core::DoorState> parse_door_state(const json::value* value) {
    if (value == nullptr || !value->is_string()) {
        return std::nullopt;
    }
    for (auto state : {core::DoorState::closed, core::DoorState::partially_open, core::DoorState::open}) {
        if (value->get_string() == core::door_state_name(state)) {
            return state;
        }
    }
    return std::nullopt;
}

std::optional<double> number_of(const json::value* value) {
    if (value == nullptr || !value->is_number()) {
        return std::nullopt;
    }
    return value->to_number<double>();
}

/// The source time a derived write must carry to be applied: never older than the value
/// it replaces (the graph would keep the stored one as newer).
core::TimePoint stamp(const core::Twin& twin, std::string_view property, core::TimePoint wanted) {
    if (const auto* metadata = twin.metadata(property)) {
        return std::max(wanted, metadata->source_time);
    }
    return wanted;
}

} // namespace

DerivedState::DerivedState(const EngineOptions& options) {
    index_rules(options.door_state_rules, m_door_by_twin, m_door_by_model);
    index_rules(options.occupancy_rules, m_occupancy_by_twin, m_occupancy_by_model);
}

bool DerivedState::empty() const noexcept {
    return m_door_by_twin.empty() && m_door_by_model.empty() && m_occupancy_by_twin.empty() &&
           m_occupancy_by_model.empty();
}

const DoorStateRule* DerivedState::door_rule(const core::Twin& twin) const {
    return find_rule(twin, m_door_by_twin, m_door_by_model);
}

const OccupancyRule* DerivedState::occupancy_rule(const core::Twin& twin) const {
    return find_rule(twin, m_occupancy_by_twin, m_occupancy_by_model);
}

DerivedState::Room* DerivedState::room(const core::TwinGraph& graph, const std::string& twin_id) {
    if (auto it = m_rooms.find(twin_id); it != m_rooms.end()) {
        return &it->second;
    }
    const core::Twin* twin = graph.find_twin(twin_id);
    if (twin == nullptr) {
        return nullptr;
    }
    const OccupancyRule* rule = occupancy_rule(*twin);
    if (rule == nullptr) {
        return nullptr;
    }
    Room& created = m_rooms.emplace(twin_id, Room{rule, core::OccupancyTracker{rule->parameters}}).first->second;
    // Seed from what the graph holds: the last motion and the state of its doors.
    if (const auto* motion = twin->property(rule->motion_property); motion && motion->is_bool() && motion->get_bool()) {
        created.tracker.on_motion(twin->metadata(rule->motion_property)->source_time, true);
    }
    if (!rule->door_relationship.empty()) {
        if (auto incoming = graph.list_relationships(twin_id, core::RelationshipDirection::incoming)) {
            for (const auto& relationship : *incoming) {
                const core::Twin* door =
                    relationship.name == rule->door_relationship ? graph.find_twin(relationship.source_id) : nullptr;
                const DoorStateRule* door_state = door != nullptr ? door_rule(*door) : nullptr;
                if (door_state == nullptr) {
                    continue;
                }
                if (auto state = parse_door_state(door->property(door_state->target_property))) {
                    created.tracker.on_door(door->metadata(door_state->target_property)->source_time, *state);
                }
            }
        }
    }
    return &created;
}

std::optional<std::pair<core::DoorState, core::TimePoint>> DerivedState::compute_door(const core::Twin& door,
                                                                                      const DoorStateRule& rule) {
    const json::value* magnet = door.property(rule.magnet_property);
    const std::optional<double> angle = number_of(door.property(rule.angle_property));
    if (magnet == nullptr || !magnet->is_bool()) {
        return std::nullopt;
    }
    // Without an angle yet, only a shut magnet is conclusive.
    if (!angle && !magnet->get_bool()) {
        return std::nullopt;
    }
    core::TimePoint at = door.metadata(rule.magnet_property)->source_time;
    if (angle) {
        at = std::max(at, door.metadata(rule.angle_property)->source_time);
    }
    return std::pair{core::derive_door_state(angle.value_or(0.0), magnet->get_bool(), rule.parameters), at};
}

void DerivedState::feed_door_to_rooms(const core::TwinGraph& graph, const std::string& door_id, core::DoorState state,
                                      core::TimePoint at, core::TimePoint now, std::vector<DerivedWrite>& writes) {
    auto outgoing = graph.list_relationships(door_id, core::RelationshipDirection::outgoing);
    if (!outgoing) {
        return;
    }
    for (const auto& relationship : *outgoing) {
        Room* target = room(graph, relationship.target_id);
        if (target == nullptr || target->rule->door_relationship != relationship.name) {
            continue;
        }
        target->tracker.on_door(at, state);
        evaluate_room(graph, relationship.target_id, *target, now, writes);
    }
}

void DerivedState::evaluate_room(const core::TwinGraph& graph, const std::string& room_id, Room& room,
                                 core::TimePoint now, std::vector<DerivedWrite>& writes) {
    const core::Twin* twin = graph.find_twin(room_id);
    if (twin == nullptr) {
        return;
    }
    const core::Occupancy state = room.tracker.state_at(now);
    const std::string_view name = core::occupancy_name(state);
    const json::value* current = twin->property(room.rule->target_property);
    if (current == nullptr || !current->is_string() || current->get_string() != name) {
        core::TimePoint at = now;
        if (state == core::Occupancy::occupied && room.tracker.last_motion()) {
            at = *room.tracker.last_motion();
        } else if (auto until = room.tracker.occupied_until(); until && *until <= now) {
            at = *until;
        }
        writes.push_back({room_id, room.rule->target_property, json::value(json::string(name)),
                          stamp(*twin, room.rule->target_property, at)});
    }
    if (auto next = room.tracker.next_change_after(now)) {
        m_deadlines.emplace(*next, room_id);
    }
}

std::vector<DerivedWrite> DerivedState::seed(const core::TwinGraph& graph, core::TimePoint now,
                                             const LastTrueSample& last_true) {
    std::vector<DerivedWrite> writes;
    if (empty()) {
        return writes;
    }
    std::vector<std::string> rooms;
    graph.for_each_twin([&](const core::Twin& twin) {
        if (const DoorStateRule* rule = door_rule(twin)) {
            if (auto computed = compute_door(twin, *rule)) {
                const std::string_view name = core::door_state_name(computed->first);
                const json::value* current = twin.property(rule->target_property);
                if (current == nullptr || !current->is_string() || current->get_string() != name) {
                    writes.push_back({twin.id(), rule->target_property, json::value(json::string(name)),
                                      stamp(twin, rule->target_property, computed->second)});
                }
            }
        }
        if (occupancy_rule(twin) != nullptr) {
            rooms.push_back(twin.id());
        }
    });
    for (const auto& id : rooms) {
        if (Room* target = room(graph, id)) {
            // Only a motion within the longest timeout can still occupy the room now.
            const auto& parameters = target->rule->parameters;
            const auto horizon = std::max(parameters.short_timeout, parameters.shut_in_timeout);
            if (last_true) {
                if (auto motion = last_true(id, target->rule->motion_property, now - horizon)) {
                    target->tracker.on_motion(*motion, true);
                }
            }
            evaluate_room(graph, id, *target, now, writes);
        }
    }
    return writes;
}

std::vector<DerivedWrite> DerivedState::on_update(const core::TwinGraph& graph, std::string_view twin_id,
                                                  std::span<const ingest::PropertyValue> properties,
                                                  core::TimePoint source_time, core::TimePoint now) {
    std::vector<DerivedWrite> writes;
    if (empty()) {
        return writes;
    }
    const core::Twin* twin = graph.find_twin(twin_id);
    if (twin == nullptr) {
        return writes;
    }
    const auto carries = [&](const std::string& name) {
        return std::any_of(properties.begin(), properties.end(), [&](const auto& p) { return p.name == name; });
    };
    if (const DoorStateRule* rule = door_rule(*twin);
        rule && (carries(rule->angle_property) || carries(rule->magnet_property))) {
        if (auto computed = compute_door(*twin, *rule)) {
            const std::string_view name = core::door_state_name(computed->first);
            const json::value* current = twin->property(rule->target_property);
            if (current == nullptr || !current->is_string() || current->get_string() != name) {
                writes.push_back({twin->id(), rule->target_property, json::value(json::string(name)),
                                  stamp(*twin, rule->target_property, computed->second)});
                // The rooms hear of it once the engine applied it: after_door_write().
            }
        }
    }
    if (const OccupancyRule* rule = occupancy_rule(*twin)) {
        for (const auto& [name, value] : properties) {
            if (name == rule->motion_property && value.is_bool()) {
                if (Room* target = room(graph, twin->id())) {
                    target->tracker.on_motion(source_time, value.get_bool());
                    evaluate_room(graph, twin->id(), *target, now, writes);
                }
            }
        }
    }
    return writes;
}

std::vector<DerivedWrite> DerivedState::after_write(const core::TwinGraph& graph, const DerivedWrite& applied,
                                                    core::TimePoint now) {
    std::vector<DerivedWrite> writes;
    const core::Twin* twin = graph.find_twin(applied.twin_id);
    const DoorStateRule* rule = twin != nullptr ? door_rule(*twin) : nullptr;
    if (rule == nullptr || rule->target_property != applied.property) {
        return writes;
    }
    if (auto state = parse_door_state(&applied.value)) {
        feed_door_to_rooms(graph, applied.twin_id, *state, applied.source_time, now, writes);
    }
    return writes;
}

std::vector<DerivedWrite> DerivedState::on_timers(const core::TwinGraph& graph, core::TimePoint now) {
    std::vector<DerivedWrite> writes;
    while (!m_deadlines.empty() && m_deadlines.top().first <= now) {
        const std::string id = m_deadlines.top().second;
        m_deadlines.pop();
        if (auto it = m_rooms.find(id); it != m_rooms.end()) {
            evaluate_room(graph, id, it->second, now, writes);
        }
    }
    return writes;
}

std::optional<core::TimePoint> DerivedState::next_deadline() const {
    if (m_deadlines.empty()) {
        return std::nullopt;
    }
    return m_deadlines.top().first;
}

} // namespace dtwin::engine
