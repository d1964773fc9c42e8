// The `[[derive]]` and `[[liveness]]` tables of the config file: the twin engine's
// derived-state rules (engine::DoorStateRule, engine::OccupancyRule) and liveness rules
// (engine::LivenessRule).
//
// The shape (every key, default and check is in docs/configuration.md):
//
//   [[derive]]
//   kind = "door_state"               # or "occupancy"; decides which keys follow
//   model = "dtmi:example:Door;1"     # or twin = "Door": exactly one of the two
//   closed_max_angle = 5.0            # optional keys of that kind, each with a default
//
//   [[liveness]]
//   model = "dtmi:example:Room;1"     # or twin = "Room1": exactly one of the two
//   silent_after_ms = 15000
//   status_topic = "rooms/{twin}/status"
//
// Internal to dtwin_app (it includes toml++); thread: start-up only.
#pragma once

#include "app/config.hpp"

#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <utility>
#include <vector>

namespace dtwin::app {

/// Names of the top-level arrays of rule tables; the key walker leaves them alone.
inline constexpr std::string_view k_derive_table = "derive";
inline constexpr std::string_view k_liveness_table = "liveness";

/// Reads `root["derive"]` and `root["liveness"]` (absent: no rules).
///
/// Throws ConfigError naming `file`, the line, the rule ("derive #2", "liveness #1",
/// 1-based within its array) and the key at fault: an unknown key, a key of the other
/// derive kind, a wrong TOML type, a value out of range, a missing or doubled selector,
/// an invalid status topic, or a second rule of the same kind with the same selector.
[[nodiscard]] EngineRules load_engine_rules(const toml::table& root, const std::string& file);

/// Every key of every rule with its effective value (defaults filled in), for
/// `dtwin config show`: `derive.<n>.<key>` for the derive rules in file order, then
/// `liveness.<n>.<key>`; n counts from 1 as in the error messages.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> engine_rule_entries(const EngineRules& rules);

} // namespace dtwin::app
