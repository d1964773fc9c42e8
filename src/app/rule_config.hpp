// The `[[rule]]` tables of the config file: conditions (expressions) or detectors over
// twin properties, with what they do while they hold (engine::RuleDefinition).
//
// The shape (every key, default and check is in docs/configuration.md):
//
//   [[rule]]
//   name = "door-slammed"                  # unique
//   model = "dtmi:dtwin:example:Door;1"    # or twin = "Door": exactly one of the two
//   condition = "ABS(gyro) > 65"           # or detector = { kind = "...", property = "..." }
//   set = { slammedAnomaly = "slammed" }   # written while it holds ...
//   reset = { slammedAnomaly = "none" }    # ... and put back when it stops
//
// Internal to dtwin_app (it includes toml++); thread: start-up only.
#pragma once

#include "core/error.hpp"
#include "core/model_registry.hpp"
#include "engine/rule_definition.hpp"

#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <utility>
#include <vector>

namespace dtwin::app {

/// Name of the top-level array of rule tables; the key walker leaves it alone.
inline constexpr std::string_view k_rule_table = "rule";

/// Reads `root["rule"]` (absent: no rules), in file order.
///
/// Throws ConfigError "file:line: rule #N (name): key: reason" (N 1-based within the
/// array; "(name)" once the name is known): an unknown key (also inside detector,
/// related, set and reset), a wrong TOML type, a missing or duplicate name, a missing,
/// doubled or invalid selector, both or neither of condition and detector, a condition
/// that does not parse ("condition 1:7: expected ..." with the position inside the
/// expression text), an alias the condition uses that `related` does not define, an
/// unknown detector kind or a detector parameter out of range, a duration out of range,
/// a property in `set` without a value in `reset` (or the reverse), a rule that does
/// nothing (alert = false and no set).
[[nodiscard]] std::vector<engine::RuleDefinition> load_rules(const toml::table& root, const std::string& file);

/// Every key of every rule with its effective value (defaults filled in), for
/// `dtwin config show`: `rule.<name>.<key>` in file order; detector parameters as
/// `rule.<name>.detector.<key>`, set, reset and related entries as
/// `rule.<name>.set.<property>` (values as JSON).
[[nodiscard]] std::vector<std::pair<std::string, std::string>>
rule_entries(const std::vector<engine::RuleDefinition>& rules);

/// Checks the rules that select by model against the loaded DTDL models (which only
/// `dtwin serve` has, so load_rules() cannot): the model is loaded; every property the
/// condition reads unqualified (the first segment of a path that is not an alias of
/// `related` nor a `$` name such as $dtId), the detector's property and every property of
/// set and reset is a property (or, for the condition, a component) of the model; every
/// `outgoing:` relationship is one of the model's relationships and every `incoming:` one
/// is a relationship of some loaded model.
/// Rules that select one twin are not checked (their model is the twin's, known only
/// once the twin exists). Error invalid_value, `where` = "<file>:<line>: rule <name>" (the
/// line of its [[rule]] header; "rule <name>" for rules built in code), the message
/// naming the key and the property. Thread: start-up only (reads `models`).
[[nodiscard]] core::Result<void> check_rules_against_models(const std::vector<engine::RuleDefinition>& rules,
                                                            const core::ModelRegistry& models);

} // namespace dtwin::app
