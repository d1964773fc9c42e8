// Mapping rules: plain data saying how an MQTT message becomes twin property updates.
//
// A rule is filled by the config loader (one `[[mapping]]` table each, later) or by
// code (prototype_rules()). It holds no compiled state: validate_rule() checks it once at
// start-up, map_message() (mapping.hpp) reads it for every message.
//
// Example, one message per room node on "rooms/Room1":
//
//   MappingRule{.name = "room-node",
//               .topic_filter = "rooms/{room}",
//               .twin_id = "{room}",
//               .fields = {{.pointer = "/temperature", .property = "temperature"}},
//               .timestamp = TimestampMapping{.pointer = "/timestamp",
//                                             .property = "roomTimestamp"}}
#pragma once

#include "core/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::ingest {

/// What JSON a field must hold and what the twin property receives.
enum class ValueType {
    number,              ///< "double": any JSON number; the property gets a double
    integer,             ///< "integer": a JSON number with no fraction in the range of a DTDL
                         ///< integer (32-bit signed); 12.0 is accepted as 12
    boolean,             ///< "boolean": JSON true or false
    string,              ///< "string": a JSON string, copied unchanged
    boolean_from_number, ///< "boolean_from_number": 0 or 1 (GPIO style) or true/false
};

/// Stable config name of a value type ("double", "integer", ...).
[[nodiscard]] std::string_view value_type_name(ValueType type) noexcept;
/// Inverse of value_type_name(); nullopt for an unknown name.
[[nodiscard]] std::optional<ValueType> parse_value_type(std::string_view name) noexcept;

/// How a source timestamp is written in the payload.
enum class TimeFormat {
    iso8601,  ///< "iso8601": a string parsed by core::parse_time ("2026-11-24T21:26:15.123Z")
    epoch_ms, ///< "epoch_ms": a JSON number of milliseconds since 1970-01-01T00:00:00Z
    epoch_s,  ///< "epoch_s": a JSON number of seconds since the epoch (fractions allowed)
};

/// Stable config name of a time format ("iso8601", "epoch_ms", "epoch_s").
[[nodiscard]] std::string_view time_format_name(TimeFormat format) noexcept;
/// Inverse of time_format_name(); nullopt for an unknown name.
[[nodiscard]] std::optional<TimeFormat> parse_time_format(std::string_view name) noexcept;

/// One payload field copied into one twin property.
struct FieldMapping {
    /// JSON pointer (RFC 6901) relative to the rule's base_pointer: "/temperature".
    /// The empty pointer "" means the base value itself.
    std::string pointer;
    /// Name of the twin property that receives the converted value: "temperature".
    std::string property;
    /// What the field must hold; a value of another type rejects the whole update.
    ValueType type = ValueType::number;
    /// When true, a missing field (or JSON null) rejects the whole update; when false the
    /// property is simply left out of the update.
    bool required = true;
};

/// Where a rule finds the source (event) time of its update.
struct TimestampMapping {
    /// JSON pointer relative to the rule's base_pointer: "/timestamp".
    std::string pointer;
    /// How the value is written.
    TimeFormat format = TimeFormat::iso8601;
    /// Optional twin property that receives the source time actually used, formatted by
    /// core::format_time (so it is always a valid dateTime, also after a replacement):
    /// "roomTimestamp". Empty: no such property.
    std::string property;
};

/// One rule. Several rules may match the same topic; each yields its own update.
struct MappingRule {
    /// Short name for logs and rejections: "room-node". Unique within a rule set.
    std::string name;
    /// MQTT topic filter with optional `{name}` captures (topic_filter.hpp):
    /// "rooms/{room}", "door", "site/+/door/#".
    std::string topic_filter;
    /// Twin id, a fixed id ("Door") or a template using the filter's captures ("{room}").
    std::string twin_id;
    /// JSON pointer of the object the field pointers are relative to:
    /// "/remote_data/device_1". Empty: the whole payload.
    std::string base_pointer;
    /// Field -> property mappings, applied in order.
    std::vector<FieldMapping> fields;
    /// Source timestamp of the update. Absent: the receive time is the source time.
    std::optional<TimestampMapping> timestamp;
};

/// Checks a rule once, before use: a name, a valid topic filter, a twin id template that
/// only uses the filter's captures, syntactically valid JSON pointers, at least one field,
/// non-empty property names used once.
///
/// Returns an Error (ErrorCode::invalid_value) whose `where` is the rule name (and the
/// field pointer where one is at fault).
[[nodiscard]] core::Result<void> validate_rule(const MappingRule& rule);

} // namespace dtwin::ingest
