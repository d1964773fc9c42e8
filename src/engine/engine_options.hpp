// What the twin engine is told at start-up: the mapping rules, the time limits, the
// derived-state rules, liveness and history retention. Plain data, filled from the TOML
// config by dtwin_app (engine_config.cpp) or by tests directly.
//
// Selectors: a derived-state or liveness rule applies to one twin (`twin`) or to every
// twin of one model (`model`); exactly one of the two is set. When a twin matches both a
// twin rule and a model rule of the same kind, the twin rule wins.
#pragma once

#include "core/door_state.hpp"
#include "core/occupancy.hpp"
#include "engine/rule_definition.hpp"
#include "ingest/envelope.hpp"
#include "ingest/mapping.hpp"
#include "ingest/mapping_rule.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace dtwin::engine {

/// doorState from the door's angle and magnet (core::derive_door_state).
struct DoorStateRule {
    TwinSelector selector;
    std::string angle_property = "angle";   ///< double, degrees
    std::string magnet_property = "magnet"; ///< boolean, true = shut
    std::string target_property = "doorState";
    core::DoorStateParameters parameters;
};

/// occupancy from motion and, for enclosed rooms, the door (core::OccupancyTracker).
struct OccupancyRule {
    TwinSelector selector;
    std::string motion_property = "motion"; ///< boolean
    std::string target_property = "occupancy";
    /// The room's door: a twin with a relationship of this name whose target is the room
    /// (the prototype's Door -connects-> Room1). Its door state (DoorStateRule target)
    /// feeds the tracker. Empty: no door (always the short timeout).
    std::string door_relationship = "connects";
    /// Enclosed, short_timeout, shut_in_timeout.
    core::OccupancyParameters parameters;
};

/// Liveness of the device that feeds a twin through ingest.
struct LivenessRule {
    TwinSelector selector;
    /// Silent longer than this (receive time of its last accepted update): its ingested
    /// properties are marked stale and a connectivity event is emitted.
    std::chrono::milliseconds silent_after{std::chrono::seconds{15}};
    /// Optional topic filter of the device's status (its MQTT last will), with a `{twin}`
    /// capture when the rule selects by model ("rooms/{twin}/status"). Payload "offline"
    /// (or {"online": false}) marks the twin stale at once; "online" is noted only.
    std::string status_topic;
};

struct EngineOptions {
    std::vector<ingest::MappingRule> mappings;
    ingest::TimeOptions time_options;
    ingest::IngestLimits ingest_limits;
    ingest::EnvelopeLimits envelope_limits;
    std::vector<DoorStateRule> door_state_rules;
    std::vector<OccupancyRule> occupancy_rules;
    std::vector<LivenessRule> liveness_rules;
    /// The `[[rule]]` tables: conditions or detectors, alerts and property writes.
    std::vector<RuleDefinition> rules;
    /// History samples older than this (by source time) are deleted; nullopt keeps all.
    std::optional<std::chrono::hours> history_retention;
    /// The names of the notification sinks ("smtp", "webhook"): every alert notification
    /// is put into the outbox once per sink, in the commit that stores its transition.
    /// Empty: alerts are stored and published on MQTT only.
    std::vector<std::string> notification_sinks;
};

} // namespace dtwin::engine
