// Internal to dtwin_ingest: converting one payload value to a property value or a time.
#pragma once

#include "core/time.hpp"
#include "ingest/mapping.hpp"

#include <boost/json/value.hpp>
#include <expected>
#include <optional>
#include <string>

namespace dtwin::ingest {

/// Why a field could not be converted: the reject reason and a sentence for humans.
struct FieldError {
    RejectReason reason;
    std::string message;
};

/// Converts a present, non-null field value to what a property of `type` holds.
/// Errors: wrong_type (another JSON type, a fraction for integer, a string such as "NaN"
/// for a number) or out_of_range (integer beyond 32 bits, a number other than 0/1).
[[nodiscard]] std::expected<boost::json::value, FieldError> convert_field(const boost::json::value& value,
                                                                          ValueType type);

/// Reads a source time written in `format`; nullopt when the value is not a valid time
/// (wrong JSON type, unparsable text, before 1970 or after 9999 for epoch numbers).
[[nodiscard]] std::optional<core::TimePoint> read_timestamp(const boost::json::value& value, TimeFormat format);

/// "a string", "an object", ...: the JSON kind of `value` for messages.
[[nodiscard]] std::string describe_json_kind(const boost::json::value& value);

} // namespace dtwin::ingest
