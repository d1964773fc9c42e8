#include "core/twin_validation.hpp"

#include "core/json_patch.hpp"
#include "core/time.hpp"

#include <boost/json/serialize.hpp>
#include <cctype>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>

namespace dtwin::core {

namespace json = boost::json;

std::string_view json_kind_name(const json::value& value) noexcept {
    switch (value.kind()) {
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
        return "number";
    case json::kind::string:
        return "string";
    case json::kind::array:
        return "array";
    case json::kind::object:
        return "object";
    }
    return "?";
}

namespace {

std::unexpected<Error> invalid(std::string_view subject, std::string_view pointer, std::string message) {
    std::string where(subject);
    where += ' ';
    where += pointer.empty() ? "/" : pointer;
    return fail(ErrorCode::invalid_value, std::move(message), std::move(where));
}

std::unexpected<Error> expected(std::string_view subject, std::string_view pointer, std::string_view what,
                                const json::value& got) {
    return invalid(subject, pointer, "expected " + std::string(what) + ", got " + std::string(json_kind_name(got)));
}

/// True when `value` is an integral number within [min, max]. Doubles count when they
/// hold a whole number: JSON does not distinguish 3 from 3.0.
bool integral_in_range(const json::value& value, std::int64_t min, std::uint64_t max) {
    if (value.is_int64()) {
        const auto v = value.get_int64();
        return v >= min && (v < 0 || static_cast<std::uint64_t>(v) <= max);
    }
    if (value.is_uint64()) {
        return value.get_uint64() <= max;
    }
    if (value.is_double()) {
        const double d = value.get_double();
        return std::isfinite(d) && std::trunc(d) == d && d >= static_cast<double>(min) && d <= static_cast<double>(max);
    }
    return false;
}

bool is_date(std::string_view text) {
    return text.size() == 10 && parse_time(std::string(text) + "T00:00:00Z").has_value();
}

/// RFC 3339 partial time ("12:30:00", "12:30:00.250"), optionally with an offset.
bool is_time(std::string_view text) {
    if (text.size() < 8) {
        return false;
    }
    std::string full = "2000-01-01T" + std::string(text);
    const char last = text.back();
    if (last != 'Z' && last != 'z' && text.find_first_of("+-") == std::string_view::npos) {
        full += 'Z';
    }
    return parse_time(full).has_value();
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

bool is_base64(std::string_view text) {
    if (text.size() % 4 != 0) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
        const bool padding = c == '=' && i + 2 >= text.size();
        if (!plain && !padding) {
            return false;
        }
    }
    return true;
}

Result<void> validate_string_format(PrimitiveSchema schema, const json::value& value, std::string_view subject,
                                    std::string_view pointer) {
    if (!value.is_string()) {
        return expected(subject, pointer, "a string", value);
    }
    const std::string_view text = value.get_string();
    bool ok = true;
    std::string_view what;
    switch (schema) {
    case PrimitiveSchema::date:
        ok = is_date(text);
        what = "a date (YYYY-MM-DD)";
        break;
    case PrimitiveSchema::date_time:
        ok = parse_time(text).has_value();
        what = "a dateTime (ISO 8601)";
        break;
    case PrimitiveSchema::time:
        ok = is_time(text);
        what = "a time (hh:mm:ss)";
        break;
    case PrimitiveSchema::duration:
        ok = is_iso8601_duration(text);
        what = "a duration (ISO 8601, e.g. PT5M)";
        break;
    case PrimitiveSchema::uuid:
        ok = is_uuid(text);
        what = "a uuid";
        break;
    case PrimitiveSchema::bytes:
        ok = is_base64(text);
        what = "base64 bytes";
        break;
    default:
        break;
    }
    if (!ok) {
        return invalid(subject, pointer, "expected " + std::string(what) + ", got \"" + std::string(text) + "\"");
    }
    return {};
}

Result<void> validate_number(PrimitiveSchema schema, const json::value& value, std::string_view subject,
                             std::string_view pointer) {
    const bool is_float = schema == PrimitiveSchema::float_number;
    const std::string_view what = is_float ? "a number (float)" : "a number (double)";
    if (!value.is_number()) {
        return expected(subject, pointer, what, value);
    }
    const double d = value.to_number<double>();
    if (!std::isfinite(d)) {
        return invalid(subject, pointer, "expected a finite number, got " + json::serialize(value));
    }
    if (is_float && std::fabs(d) > FLT_MAX) {
        return invalid(subject, pointer, "number " + json::serialize(value) + " is out of the range of float");
    }
    return {};
}

struct IntegerRange {
    std::string_view name;
    std::int64_t min;
    std::uint64_t max;
};

std::optional<IntegerRange> integer_range(PrimitiveSchema schema) {
    using std::numeric_limits;
    switch (schema) {
    case PrimitiveSchema::byte:
        return IntegerRange{"byte", -128, 127};
    case PrimitiveSchema::short_number:
        return IntegerRange{"short", -32768, 32767};
    case PrimitiveSchema::integer:
        return IntegerRange{"integer", numeric_limits<std::int32_t>::min(), numeric_limits<std::int32_t>::max()};
    case PrimitiveSchema::long_number:
        return IntegerRange{"long", numeric_limits<std::int64_t>::min(), numeric_limits<std::int64_t>::max()};
    case PrimitiveSchema::unsigned_byte:
        return IntegerRange{"unsignedByte", 0, 255};
    case PrimitiveSchema::unsigned_short:
        return IntegerRange{"unsignedShort", 0, 65535};
    case PrimitiveSchema::unsigned_integer:
        return IntegerRange{"unsignedInteger", 0, numeric_limits<std::uint32_t>::max()};
    case PrimitiveSchema::unsigned_long:
        return IntegerRange{"unsignedLong", 0, numeric_limits<std::uint64_t>::max()};
    default:
        return std::nullopt;
    }
}

std::string_view geo_type(PrimitiveSchema schema) {
    switch (schema) {
    case PrimitiveSchema::point:
        return "Point";
    case PrimitiveSchema::line_string:
        return "LineString";
    case PrimitiveSchema::polygon:
        return "Polygon";
    case PrimitiveSchema::multi_point:
        return "MultiPoint";
    case PrimitiveSchema::multi_line_string:
        return "MultiLineString";
    case PrimitiveSchema::multi_polygon:
        return "MultiPolygon";
    default:
        return {};
    }
}

Result<void> validate_primitive(PrimitiveSchema schema, const json::value& value, std::string_view subject,
                                std::string_view pointer) {
    if (const auto range = integer_range(schema)) {
        if (!integral_in_range(value, range->min, range->max)) {
            if (!value.is_number()) {
                return expected(subject, pointer, "an integer (" + std::string(range->name) + ")", value);
            }
            return invalid(subject, pointer,
                           "expected an integer (" + std::string(range->name) + ") in [" + std::to_string(range->min) +
                               ", " + std::to_string(range->max) + "], got " + json::serialize(value));
        }
        return {};
    }
    switch (schema) {
    case PrimitiveSchema::boolean:
        return value.is_bool() ? Result<void>{} : expected(subject, pointer, "a boolean", value);
    case PrimitiveSchema::double_number:
    case PrimitiveSchema::float_number:
        return validate_number(schema, value, subject, pointer);
    case PrimitiveSchema::decimal:
        if (value.is_string() && !value.get_string().empty()) {
            return {}; // decimals may travel as strings to keep their precision
        }
        return validate_number(PrimitiveSchema::double_number, value, subject, pointer);
    case PrimitiveSchema::string:
        return value.is_string() ? Result<void>{} : expected(subject, pointer, "a string", value);
    case PrimitiveSchema::date:
    case PrimitiveSchema::date_time:
    case PrimitiveSchema::time:
    case PrimitiveSchema::duration:
    case PrimitiveSchema::uuid:
    case PrimitiveSchema::bytes:
        return validate_string_format(schema, value, subject, pointer);
    default:
        break;
    }
    // Geospatial: a GeoJSON object of the right type with coordinates.
    const auto type = geo_type(schema);
    const auto* object = value.if_object();
    const json::value* type_member = object != nullptr ? object->if_contains("type") : nullptr;
    const json::value* coordinates = object != nullptr ? object->if_contains("coordinates") : nullptr;
    if (type_member == nullptr || !type_member->is_string() || type_member->get_string() != type ||
        coordinates == nullptr || !coordinates->is_array()) {
        return invalid(subject, pointer, "expected a GeoJSON " + std::string(type) + " object");
    }
    return {};
}

std::string enum_choices(const EnumSchema& schema) {
    std::string out;
    for (const auto& choice : schema.values) {
        out += out.empty() ? "" : ", ";
        out += json::serialize(choice.value);
    }
    return out;
}

Result<void> validate_enum(const EnumSchema& schema, const json::value& value, std::string_view subject,
                           std::string_view pointer) {
    for (const auto& choice : schema.values) {
        if (json_equal(choice.value, value)) {
            return {};
        }
    }
    return invalid(subject, pointer,
                   "expected one of " + enum_choices(schema) + " (enum), got " + json::serialize(value));
}

Result<void> validate_object(const ObjectSchema& schema, const json::value& value, std::string_view subject,
                             std::string_view pointer) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return expected(subject, pointer, "an object", value);
    }
    for (const auto& member : *object) {
        const Field* field = nullptr;
        for (const auto& candidate : schema.fields) {
            if (candidate.name == member.key()) {
                field = &candidate;
                break;
            }
        }
        const auto child = child_pointer(pointer, member.key());
        if (field == nullptr) {
            return invalid(subject, child, "field is not declared by the object schema");
        }
        if (field->schema == nullptr) {
            continue;
        }
        if (auto ok = validate_value(*field->schema, member.value(), subject, child); !ok) {
            return ok;
        }
    }
    return {};
}

} // namespace

Result<void> validate_value(const Schema& schema, const json::value& value, std::string_view subject,
                            std::string_view pointer) {
    if (const auto* primitive = std::get_if<PrimitiveSchema>(&schema.kind)) {
        return validate_primitive(*primitive, value, subject, pointer);
    }
    if (const auto* enumeration = std::get_if<EnumSchema>(&schema.kind)) {
        return validate_enum(*enumeration, value, subject, pointer);
    }
    if (const auto* object = std::get_if<ObjectSchema>(&schema.kind)) {
        return validate_object(*object, value, subject, pointer);
    }
    if (const auto* map = std::get_if<MapSchema>(&schema.kind)) {
        const auto* members = value.if_object();
        if (members == nullptr) {
            return expected(subject, pointer, "an object (map)", value);
        }
        for (const auto& member : *members) {
            if (map->value_schema == nullptr) {
                continue;
            }
            if (auto ok =
                    validate_value(*map->value_schema, member.value(), subject, child_pointer(pointer, member.key()));
                !ok) {
                return ok;
            }
        }
        return {};
    }
    const auto& array_schema = std::get<ArraySchema>(schema.kind);
    const auto* elements = value.if_array();
    if (elements == nullptr) {
        return expected(subject, pointer, "an array", value);
    }
    for (std::size_t i = 0; i < elements->size() && array_schema.element_schema != nullptr; ++i) {
        if (auto ok = validate_value(*array_schema.element_schema, (*elements)[i], subject,
                                     child_pointer(pointer, std::to_string(i)));
            !ok) {
            return ok;
        }
    }
    return {};
}

namespace {

/// The error for a member that is not a declared property, saying what it is instead.
std::unexpected<Error> undeclared(const Interface& model, std::string_view key, std::string_view subject,
                                  std::string_view pointer) {
    std::string what = "is not a property of " + model.id;
    if (model.telemetries.contains(key)) {
        what = "is a telemetry of " + model.id + " and cannot be set as a property";
    } else if (model.relationships.contains(key)) {
        what = "is a relationship of " + model.id + "; create it as a relationship, not a property";
    } else if (model.commands.contains(key)) {
        what = "is a command of " + model.id + ", not a property";
    }
    return invalid(subject, pointer, std::string("\"").append(key).append("\" ").append(what));
}

Result<void> read_component(const TwinLayout& layout, std::uint32_t index, const json::value& value,
                            std::vector<json::value>& values, std::string_view twin_id) {
    const auto& component = layout.components()[index];
    const auto* object = value.if_object();
    if (object == nullptr) {
        return expected(twin_id, component.pointer, "an object (component " + component.name + ")", value);
    }
    for (const auto& member : *object) {
        if (member.key().starts_with('$')) {
            continue;
        }
        const auto slot = layout.find_component_property(index, member.key());
        if (!slot) {
            return undeclared(*component.model, member.key(), twin_id, child_pointer(component.pointer, member.key()));
        }
        const auto& info = layout.slot(*slot);
        if (auto ok = validate_value(*info.schema, member.value(), twin_id, info.pointer); !ok) {
            return ok;
        }
        values[*slot] = member.value();
    }
    return {};
}

} // namespace

Result<std::vector<json::value>> read_twin_document(const TwinLayout& layout, const json::object& document,
                                                    std::string_view twin_id) {
    std::vector<json::value> values(layout.slot_count());
    for (const auto& member : document) {
        const std::string_view key = member.key();
        if (key.starts_with('$')) {
            continue; // $dtId, $metadata, $etag: handled by the caller, never properties
        }
        if (const auto slot = layout.find_property(key)) {
            const auto& info = layout.slot(*slot);
            if (auto ok = validate_value(*info.schema, member.value(), twin_id, info.pointer); !ok) {
                return std::unexpected(ok.error());
            }
            values[*slot] = member.value();
            continue;
        }
        if (const auto component = layout.find_component(key)) {
            if (auto ok = read_component(layout, *component, member.value(), values, twin_id); !ok) {
                return std::unexpected(ok.error());
            }
            continue;
        }
        return undeclared(*layout.model(), key, twin_id, child_pointer("", key));
    }
    for (const auto& component : layout.components()) {
        if (!document.contains(component.name)) {
            return invalid(twin_id, component.pointer,
                           "component \"" + component.name + "\" is missing; components must be present as objects");
        }
    }
    return values;
}

Result<void> validate_relationship_properties(const RelationshipDef& definition, const json::object& properties,
                                              std::string_view subject) {
    for (const auto& member : properties) {
        const auto pointer = child_pointer("", member.key());
        const PropertyDef* property = nullptr;
        for (const auto& candidate : definition.properties) {
            if (candidate.name == member.key()) {
                property = &candidate;
                break;
            }
        }
        if (property == nullptr) {
            return invalid(subject, pointer,
                           std::string("\"")
                               .append(member.key())
                               .append("\" is not a property of relationship ")
                               .append(definition.name));
        }
        if (property->schema != nullptr) {
            if (auto ok = validate_value(*property->schema, member.value(), subject, pointer); !ok) {
                return ok;
            }
        }
    }
    return {};
}

} // namespace dtwin::core
