// The `[[mapping]]` tables of the config file: one ingest::MappingRule each.
//
// The shape (documented with an example in docs/configuration.md):
//
//   [[mapping]]
//   name = "room-node"                # MappingRule::name, unique
//   topic = "rooms/{room}"            # MappingRule::topic_filter
//   twin = "{room}"                   # MappingRule::twin_id
//   base = ""                         # MappingRule::base_pointer (optional)
//   timestamp = { field = "/timestamp", format = "iso8601", property = "roomTimestamp" }
//   fields = [
//     { property = "temperature", field = "/temperature", type = "double", required = true },
//   ]
//
// `fields` is an array, not a table, because its order is the order of the update's
// properties. Internal to dtwin_app (it includes toml++); thread: start-up only.
#pragma once

#include "ingest/mapping_rule.hpp"

#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace dtwin::app {

/// Name of the top-level array of mapping tables; the key walker leaves it alone.
inline constexpr std::string_view k_mapping_table = "mapping";

/// Reads `root["mapping"]` (absent: no rules). Every rule has passed
/// ingest::validate_rule() and names are unique. Throws ConfigError naming `file`, the
/// line, the mapping (name and 1-based index) and the key at fault.
[[nodiscard]] std::vector<ingest::MappingRule> load_mappings(const toml::table& root, const std::string& file);

} // namespace dtwin::app
