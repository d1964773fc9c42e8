// Adjunct types of the DTDL v3 feature extensions (Annotation, Overriding,
// Historization, MQTT, Requirement) and of the IoT Central context for DTDL v2, with
// the value forms their properties take (facts from the extension specifications).
#include "core/dtdl/extensions.hpp"

#include "core/time.hpp"

#include <algorithm>
#include <array>

namespace dtwin::core::dtdl {

namespace {

using std::string_view_literals::operator""sv;

constexpr std::array k_property_telemetry{"Property"sv, "Telemetry"sv};
constexpr std::array k_property_only{"Property"sv};
constexpr std::array k_interface_only{"Interface"sv};
constexpr std::array k_command_only{"Command"sv};
constexpr std::array k_indexed_hosts{"EnumValue"sv, "Field"sv, "Telemetry"sv};
constexpr std::array k_request_response{"CommandRequest"sv, "CommandResponse"sv};
constexpr std::array k_object_only{"Object"sv};
constexpr std::array k_field_only{"Field"sv};

constexpr AdjunctProperty string_property(std::string_view term, int min_count, ValueCheck check,
                                          int min_extension_version = 1) {
    return AdjunctProperty{PropertySpec{term, ValueKind::string, k_v2_v3, min_count, 1, 1, 0, 0, false, {}}, check,
                           min_extension_version};
}

constexpr std::array k_annotation_properties{string_property("annotates", 1, ValueCheck::none)};
constexpr std::array k_override_properties{string_property("overrides", 1, ValueCheck::none)};
constexpr std::array k_mqtt_properties{
    string_property("payloadFormat", 1, ValueCheck::none),
    string_property("telemetryTopic", 0, ValueCheck::mqtt_topic),
    string_property("commandTopic", 0, ValueCheck::mqtt_topic),
    string_property("telemServiceGroupId", 0, ValueCheck::service_group, 2),
    string_property("cmdServiceGroupId", 0, ValueCheck::service_group, 2),
};
constexpr std::array k_cacheable_properties{string_property("ttl", 1, ValueCheck::duration)};
constexpr std::array k_indexed_properties{AdjunctProperty{
    PropertySpec{"index", ValueKind::integer, k_v2_v3, 1, 1, 1, 0, 0, false, {}}, ValueCheck::positive, 1}};
constexpr std::array k_vector_unit{
    AdjunctProperty{PropertySpec{"unit", ValueKind::unit, k_v2_v3, 0, 1, 1, 0, 0, false, {}}, ValueCheck::none, 2}};

constexpr std::array k_adjunct_types{
    AdjunctType{"Historized", Extension::historization, 1, k_v3, k_property_telemetry, {}, {}, {}, {}},
    AdjunctType{
        "ValueAnnotation", Extension::annotation, 1, k_v3, k_property_telemetry, {}, {}, {}, k_annotation_properties},
    AdjunctType{"Override",
                Extension::overriding,
                1,
                k_v3,
                k_property_only,
                {},
                "ValueAnnotation"sv,
                {},
                k_override_properties},
    AdjunctType{"Mqtt", Extension::mqtt, 1, k_v3, k_interface_only, {}, {}, {}, k_mqtt_properties},
    AdjunctType{"Idempotent", Extension::mqtt, 1, k_v3, k_command_only, {}, {}, {}, {}},
    AdjunctType{"Cacheable", Extension::mqtt, 1, k_v3, k_command_only, {}, "Idempotent"sv, {}, k_cacheable_properties},
    AdjunctType{"Indexed", Extension::mqtt, 1, k_v3, k_indexed_hosts, {}, {}, {}, k_indexed_properties},
    AdjunctType{"Transparent", Extension::mqtt, 2, k_v3, k_request_response, {}, {}, {}, {}},
    AdjunctType{"Result", Extension::mqtt, 3, k_v3, k_object_only, {}, {}, {}, {}},
    AdjunctType{"Error", Extension::mqtt, 3, k_v3, k_object_only, {}, {}, {}, {}},
    AdjunctType{"NormalResult", Extension::mqtt, 3, k_v3, k_field_only, {}, {}, "Required"sv, {}},
    AdjunctType{"ErrorResult", Extension::mqtt, 3, k_v3, k_field_only, {}, {}, "Required"sv, {}},
    AdjunctType{"ErrorMessage", Extension::mqtt, 3, k_v3, k_field_only, {}, {}, {}, {}},
    // Requirement v2 (known to the reference parser, not yet in the published pages)
    // also lets a Property be Required.
    AdjunctType{"Required", Extension::requirement, 1, k_v3, k_field_only, k_property_only, {}, {}, {}},
    AdjunctType{"State", Extension::iot_central, 2, k_v2, k_property_telemetry, {}, {}, {}, {}},
    AdjunctType{"Event", Extension::iot_central, 2, k_v2, k_property_telemetry, {}, {}, {}, {}},
    AdjunctType{"Location", Extension::iot_central, 2, k_v2, k_property_telemetry, {}, {}, {}, {}},
    AdjunctType{"VelocityVector", Extension::iot_central, 2, k_v2, k_property_telemetry, {}, {}, {}, k_vector_unit},
    AdjunctType{"AccelerationVector", Extension::iot_central, 2, k_v2, k_property_telemetry, {}, {}, {}, k_vector_unit},
};

// The IRI prefix of an extension's terms, e.g. "dtmi:dtdl:extension:annotation:v1:".
std::string_view iri_family(Extension extension) {
    switch (extension) {
    case Extension::historization:
        return "historization"sv;
    case Extension::annotation:
        return "annotation"sv;
    case Extension::overriding:
        return "overriding"sv;
    case Extension::mqtt:
        return "mqtt"sv;
    case Extension::requirement:
        return "requirement"sv;
    default:
        return {};
    }
}

// "dtmi:dtdl:extension:annotation:v1:ValueAnnotation" names `type` in version `version`.
bool is_adjunct_iri(std::string_view text, const AdjunctType& type, int version) {
    const std::string_view family = iri_family(type.extension);
    constexpr std::string_view k_prefix = "dtmi:dtdl:extension:";
    if (family.empty() || !text.starts_with(k_prefix)) {
        return false;
    }
    text.remove_prefix(k_prefix.size());
    if (!text.starts_with(family)) {
        return false;
    }
    text.remove_prefix(family.size());
    const std::string expected = ":v" + std::to_string(version) + ":" + std::string(type.name);
    return text == expected;
}

bool is_topic_char(char c, bool first) {
    const auto u = static_cast<unsigned char>(c);
    if (first && c == '$') {
        return false; // a topic may not start with '$' (reserved for broker topics)
    }
    return c == '!' || (u >= 0x24 && u <= 0x2A) || (u >= 0x2C && u <= 0x2E) || (u >= 0x30 && u <= 0x7A) || c == '|' ||
           c == '~';
}

bool is_letters(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// One label of a topic pattern: "{token}", "{prefix:token}" or literal characters.
bool is_topic_label(std::string_view label, bool first) {
    if (label.empty()) {
        return false;
    }
    if (label.front() == '{') {
        if (label.size() < 3 || label.back() != '}') {
            return false;
        }
        const std::string_view inner = label.substr(1, label.size() - 2);
        const auto colon = inner.find(':');
        return colon == std::string_view::npos
                   ? is_letters(inner)
                   : is_letters(inner.substr(0, colon)) && is_letters(inner.substr(colon + 1));
    }
    for (std::size_t i = 0; i < label.size(); ++i) {
        if (!is_topic_char(label[i], first && i == 0)) {
            return false;
        }
    }
    return true;
}

bool is_topic_pattern(std::string_view text) {
    bool first = true;
    while (true) {
        const auto slash = text.find('/');
        if (!is_topic_label(text.substr(0, slash), first)) {
            return false;
        }
        if (slash == std::string_view::npos) {
            return true;
        }
        text.remove_prefix(slash + 1);
        first = false;
    }
}

bool is_service_group(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return is_topic_char(c, false); });
}

} // namespace

const AdjunctType* find_adjunct_type(std::string_view term, const ContextState& context, int& extension_version) {
    for (const auto& type : k_adjunct_types) {
        const int version = context.version_of(type.extension);
        if (version < type.min_extension_version) {
            continue;
        }
        if (term == type.name || is_adjunct_iri(term, type, version)) {
            extension_version = version;
            return &type;
        }
    }
    return nullptr;
}

bool adjunct_allows_host(const AdjunctType& type, std::string_view cls, int extension_version) {
    const auto contains = [&](std::span<const std::string_view> list) {
        return std::find(list.begin(), list.end(), cls) != list.end();
    };
    return contains(type.hosts) || (extension_version >= 2 && contains(type.hosts_from_v2));
}

const AdjunctProperty* find_adjunct_property(const AdjunctType& type, std::string_view term, int extension_version) {
    for (const auto& property : type.properties) {
        if (property.spec.term == term && extension_version >= property.min_extension_version) {
            return &property;
        }
    }
    return nullptr;
}

bool passes_value_check(ValueCheck check, const boost::json::value& value, std::string_view& what) {
    switch (check) {
    case ValueCheck::none:
        return true;
    case ValueCheck::positive:
        what = "an integer of at least 1";
        return (value.is_int64() && value.get_int64() >= 1) || value.is_uint64();
    case ValueCheck::mqtt_topic:
        what = "an MQTT topic pattern: labels separated by '/', none empty, each either literal characters "
               "(printable ASCII without space, '\"', '+', '#', '{', '}', the first not starting with '$') "
               "or one token such as {name} or {prefix:name} of letters only";
        return value.is_string() && is_topic_pattern(value.get_string());
    case ValueCheck::service_group:
        what = "printable ASCII without space, '\"', '+', '#', '{', '}' or '/'";
        return value.is_string() && is_service_group(value.get_string());
    case ValueCheck::duration:
        what = "an ISO 8601 duration such as \"PT15S\"";
        return value.is_string() && is_iso8601_duration(value.get_string());
    }
    return true;
}

bool is_iot_central_schema(std::string_view term) {
    return term == "vector" || term == "geopoint";
}

} // namespace dtwin::core::dtdl
