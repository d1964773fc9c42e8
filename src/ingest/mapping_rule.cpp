// Names of the rule enums and the one-time check of a rule.
#include "ingest/mapping_rule.hpp"

#include "core/json_patch.hpp"
#include "ingest/topic_filter.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace dtwin::ingest {
namespace {

constexpr std::array<std::pair<ValueType, std::string_view>, 5> k_value_type_names{{
    {ValueType::number, "double"},
    {ValueType::integer, "integer"},
    {ValueType::boolean, "boolean"},
    {ValueType::string, "string"},
    {ValueType::boolean_from_number, "boolean_from_number"},
}};

constexpr std::array<std::pair<TimeFormat, std::string_view>, 3> k_time_format_names{{
    {TimeFormat::iso8601, "iso8601"},
    {TimeFormat::epoch_ms, "epoch_ms"},
    {TimeFormat::epoch_s, "epoch_s"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) noexcept {
    for (const auto& [candidate, name] : table) {
        if (candidate == value) {
            return name;
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view name) noexcept {
    for (const auto& [value, candidate] : table) {
        if (candidate == name) {
            return value;
        }
    }
    return std::nullopt;
}

core::Result<void> check_pointer(std::string_view pointer, const std::string& where, std::string_view what) {
    if (!core::is_valid_pointer(pointer)) {
        return core::fail(core::ErrorCode::invalid_value,
                          std::string{what} + " '" + std::string{pointer} + "' is not a JSON pointer", where);
    }
    return {};
}

core::Result<void> check_fields(const MappingRule& rule) {
    if (rule.fields.empty()) {
        return core::fail(core::ErrorCode::invalid_value, "rule maps no fields", rule.name);
    }
    std::vector<std::string_view> properties;
    for (const FieldMapping& field : rule.fields) {
        if (auto checked = check_pointer(field.pointer, rule.name, "field pointer"); !checked) {
            return checked;
        }
        properties.push_back(field.property);
    }
    if (rule.timestamp) {
        if (auto checked = check_pointer(rule.timestamp->pointer, rule.name, "timestamp pointer"); !checked) {
            return checked;
        }
        if (!rule.timestamp->property.empty()) {
            properties.push_back(rule.timestamp->property);
        }
    }
    for (std::size_t i = 0; i < properties.size(); ++i) {
        if (properties[i].empty()) {
            return core::fail(core::ErrorCode::invalid_value, "a field has no property name", rule.name);
        }
        if (std::find(properties.begin(), properties.begin() + static_cast<std::ptrdiff_t>(i), properties[i]) !=
            properties.begin() + static_cast<std::ptrdiff_t>(i)) {
            return core::fail(core::ErrorCode::invalid_value,
                              "property '" + std::string{properties[i]} + "' is mapped twice", rule.name);
        }
    }
    return {};
}

} // namespace

std::string_view value_type_name(ValueType type) noexcept {
    return name_of(k_value_type_names, type);
}

std::optional<ValueType> parse_value_type(std::string_view name) noexcept {
    return value_of(k_value_type_names, name);
}

std::string_view time_format_name(TimeFormat format) noexcept {
    return name_of(k_time_format_names, format);
}

std::optional<TimeFormat> parse_time_format(std::string_view name) noexcept {
    return value_of(k_time_format_names, name);
}

core::Result<void> validate_rule(const MappingRule& rule) {
    if (rule.name.empty()) {
        return core::fail(core::ErrorCode::invalid_value, "rule has no name", rule.topic_filter);
    }
    if (auto filter = validate_topic_filter(rule.topic_filter); !filter) {
        return core::fail(core::ErrorCode::invalid_value,
                          "topic filter '" + rule.topic_filter + "': " + filter.error().message, rule.name);
    }
    // Expanding with a dummy value for every capture finds unknown names and bad syntax.
    Captures dummy;
    for (std::string& name : capture_names(rule.topic_filter)) {
        dummy.emplace_back(std::move(name), "x");
    }
    if (auto id = expand_twin_id(rule.twin_id, dummy); !id) {
        return core::fail(core::ErrorCode::invalid_value, "twin id '" + rule.twin_id + "': " + id.error().message,
                          rule.name);
    }
    if (auto checked = check_pointer(rule.base_pointer, rule.name, "base pointer"); !checked) {
        return checked;
    }
    return check_fields(rule);
}

} // namespace dtwin::ingest
