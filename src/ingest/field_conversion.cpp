// Type conversions of payload fields and the three timestamp formats.
#include "ingest/field_conversion.hpp"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdint>
#include <limits>

namespace dtwin::ingest {
namespace {

namespace json = boost::json;

constexpr std::int64_t k_integer_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t k_integer_max = std::numeric_limits<std::int32_t>::max();
/// 10000-01-01T00:00:00Z in seconds since the epoch: the end of what ISO-8601 can write.
constexpr double k_epoch_seconds_end = 253402300800.0;

std::unexpected<FieldError> wrong_type(const json::value& value, std::string_view expected) {
    std::string message = "expected " + std::string{expected} + ", got " + describe_json_kind(value);
    if (value.is_string()) {
        message += " " + json::serialize(value);
    }
    return std::unexpected(FieldError{RejectReason::wrong_type, std::move(message)});
}

std::unexpected<FieldError> out_of_range(const json::value& value, std::string_view allowed) {
    return std::unexpected(
        FieldError{RejectReason::out_of_range, json::serialize(value) + " is out of range: " + std::string{allowed}});
}

std::expected<json::value, FieldError> to_integer(const json::value& value) {
    constexpr std::string_view k_range = "a 32-bit integer is expected";
    if (value.is_int64()) {
        const std::int64_t number = value.get_int64();
        if (number < k_integer_min || number > k_integer_max) {
            return out_of_range(value, k_range);
        }
        return json::value(number);
    }
    if (value.is_uint64()) {
        if (value.get_uint64() > static_cast<std::uint64_t>(k_integer_max)) {
            return out_of_range(value, k_range);
        }
        return json::value(static_cast<std::int64_t>(value.get_uint64()));
    }
    if (value.is_double()) {
        const double number = value.get_double();
        if (std::trunc(number) != number) {
            return wrong_type(value, "an integer (no fraction)");
        }
        if (number < static_cast<double>(k_integer_min) || number > static_cast<double>(k_integer_max)) {
            return out_of_range(value, k_range);
        }
        return json::value(static_cast<std::int64_t>(number));
    }
    return wrong_type(value, "an integer");
}

std::expected<json::value, FieldError> to_boolean_from_number(const json::value& value) {
    if (value.is_bool()) {
        return value;
    }
    if (!value.is_number()) {
        return wrong_type(value, "0, 1, true or false");
    }
    const double number = value.to_number<double>();
    if (number == 0.0 || number == 1.0) {
        return json::value(number == 1.0);
    }
    return out_of_range(value, "only 0 and 1 are booleans");
}

} // namespace

std::string describe_json_kind(const json::value& value) {
    switch (value.kind()) {
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
        return "a number";
    case json::kind::string:
        return "a string";
    case json::kind::array:
        return "an array";
    case json::kind::object:
        return "an object";
    }
    return "a JSON value";
}

std::expected<json::value, FieldError> convert_field(const json::value& value, ValueType type) {
    switch (type) {
    case ValueType::number:
        // JSON itself cannot carry NaN or Infinity; "NaN" as a string is not a number.
        if (!value.is_number()) {
            return wrong_type(value, "a number");
        }
        return json::value(value.to_number<double>());
    case ValueType::integer:
        return to_integer(value);
    case ValueType::boolean:
        if (!value.is_bool()) {
            return wrong_type(value, "a boolean");
        }
        return value;
    case ValueType::string:
        if (!value.is_string()) {
            return wrong_type(value, "a string");
        }
        return value;
    case ValueType::boolean_from_number:
        return to_boolean_from_number(value);
    }
    return wrong_type(value, "a known type");
}

std::optional<core::TimePoint> read_timestamp(const json::value& value, TimeFormat format) {
    if (format == TimeFormat::iso8601) {
        if (!value.is_string()) {
            return std::nullopt;
        }
        return core::parse_time(value.get_string());
    }
    if (!value.is_number()) {
        return std::nullopt;
    }
    const double count = value.to_number<double>();
    const double seconds = format == TimeFormat::epoch_ms ? count / 1000.0 : count;
    if (!std::isfinite(seconds) || seconds < 0.0 || seconds >= k_epoch_seconds_end) {
        return std::nullopt;
    }
    const auto micros = static_cast<std::int64_t>(std::llround(seconds * 1e6));
    return core::TimePoint{std::chrono::microseconds{micros}};
}

} // namespace dtwin::ingest
