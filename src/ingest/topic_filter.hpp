// MQTT topic filters with named captures, and the twin id templates that use them.
//
// A filter is an MQTT 3.1.1 / 5 topic filter whose levels may also be named captures:
//
//   rooms/{room}/telemetry     `{room}` matches exactly one level, like `+`, and
//                              remembers it under the name "room"
//   sensors/+/door             `+` matches one level (possibly empty), not captured
//   site/#                     `#` matches the parent level and any number of levels
//                              below it ("site", "site/a", "site/a/b"); last level only
//
// As in MQTT, a wildcard or capture in the first level does not match topics beginning
// with `$` (broker-internal topics such as `$SYS/...`). A capture never matches an empty
// level: its value becomes (part of) a twin id, which cannot be empty.
//
// Pure functions, no shared state: callable from any thread.
#pragma once

#include "core/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dtwin::ingest {

/// Captured levels of one match, in the order they appear in the filter:
/// {"room", "Room1"}. Names are unique within a valid filter.
using Captures = std::vector<std::pair<std::string, std::string>>;

/// Checks the syntax of `filter`: non-empty; `#` only as the whole last level; `+` only
/// as a whole level; `{name}` only as a whole level with a name of letters, digits and
/// `_`, each name used once; no NUL characters.
///
/// Returns an Error (ErrorCode::invalid_value, `where` = the filter) saying what is wrong.
[[nodiscard]] core::Result<void> validate_topic_filter(std::string_view filter);

/// Matches a concrete topic (no wildcards) against `filter`.
///
/// Returns the captures when the topic matches (an empty list for filters without
/// captures), nullopt when it does not. A filter that fails validate_topic_filter()
/// matches nothing.
[[nodiscard]] std::optional<Captures> match_topic(std::string_view filter, std::string_view topic);

/// The capture names `filter` declares, in order ({"room"} for "rooms/{room}").
[[nodiscard]] std::vector<std::string> capture_names(std::string_view filter);

/// The plain MQTT filter to subscribe with: every `{name}` level becomes `+`
/// ("rooms/{room}" -> "rooms/+"). `filter` should be valid.
[[nodiscard]] std::string subscription_filter(std::string_view filter);

/// Replaces every `{name}` in `id_template` with the captured value of that name:
/// "{room}" with {"room","Room1"} gives "Room1"; "Door" stays "Door";
/// "{site}-{room}" gives "A-Room1". There is no escape for literal braces.
///
/// Returns an Error (ErrorCode::invalid_value) for an unknown name, an unclosed `{` or an
/// empty result.
[[nodiscard]] core::Result<std::string> expand_twin_id(std::string_view id_template, const Captures& captures);

} // namespace dtwin::ingest
