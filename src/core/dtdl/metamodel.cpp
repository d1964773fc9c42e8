// The class and property tables of DTDL v2 and v3 (facts from the language
// specifications; limits as the specifications state them).
#include "core/dtdl/metamodel.hpp"

#include <algorithm>
#include <array>

namespace dtwin::core::dtdl {

namespace {

using std::string_view_literals::operator""sv;

constexpr int k_unbounded = -1;

// Ranges: which material classes a property's nested elements may have.
constexpr std::array<std::string_view, 5> k_contents_range{"Command"sv, "Component"sv, "Property"sv, "Relationship"sv,
                                                           "Telemetry"sv};
constexpr std::array<std::string_view, 1> k_interface_range{"Interface"sv};
constexpr std::array<std::string_view, 4> k_complex_schema_range{"Array"sv, "Enum"sv, "Map"sv, "Object"sv};
constexpr std::array<std::string_view, 1> k_payload_range{"CommandPayload"sv};
constexpr std::array<std::string_view, 1> k_request_range{"CommandRequest"sv};
constexpr std::array<std::string_view, 1> k_response_range{"CommandResponse"sv};
constexpr std::array<std::string_view, 1> k_property_range{"Property"sv};
constexpr std::array<std::string_view, 1> k_enum_value_range{"EnumValue"sv};
constexpr std::array<std::string_view, 1> k_map_key_range{"MapKey"sv};
constexpr std::array<std::string_view, 1> k_map_value_range{"MapValue"sv};
constexpr std::array<std::string_view, 1> k_field_range{"Field"sv};

// Shorthands that keep the tables one line per property.
constexpr PropertySpec literal(std::string_view term, ValueKind kind, std::uint8_t versions, int min_count = 0) {
    return PropertySpec{term, kind, versions, min_count, 1, 1, 0, 0, false, {}};
}

constexpr PropertySpec elements(std::string_view term, ValueKind kind, std::uint8_t versions, int min_count, int max_v2,
                                int max_v3, std::span<const std::string_view> range) {
    return PropertySpec{term, kind, versions, min_count, max_v2, max_v3, 0, 0, false, range};
}

constexpr std::array k_common{
    PropertySpec{"comment", ValueKind::string, k_v2_v3, 0, 1, 1, 512, 512, false, {}},
    PropertySpec{"description", ValueKind::lang_string, k_v2_v3, 0, k_unbounded, k_unbounded, 512, 512, false, {}},
    PropertySpec{"displayName", ValueKind::lang_string, k_v2_v3, 0, k_unbounded, k_unbounded, 64, 512, false, {}},
    PropertySpec{"name", ValueKind::string, k_v2_v3, 1, 1, 1, 64, 512, true, {}},
};

constexpr std::array k_interface{
    elements("contents", ValueKind::element, k_v2_v3, 0, 300, k_unbounded, k_contents_range),
    elements("extends", ValueKind::element, k_v2_v3, 0, 2, k_unbounded, k_interface_range),
    elements("schemas", ValueKind::element, k_v2_v3, 0, k_unbounded, k_unbounded, k_complex_schema_range),
};

constexpr std::array k_telemetry{
    elements("schema", ValueKind::schema, k_v2_v3, 1, 1, 1, k_complex_schema_range),
};

constexpr std::array k_property{
    elements("schema", ValueKind::schema, k_v2_v3, 1, 1, 1, k_complex_schema_range),
    literal("writable", ValueKind::boolean, k_v2_v3),
};

constexpr std::array k_command{
    literal("commandType", ValueKind::command_type, k_v2_v3), // deprecated, still accepted
    elements("request", ValueKind::element, k_v2, 0, 1, 1, k_payload_range),
    elements("response", ValueKind::element, k_v2, 0, 1, 1, k_payload_range),
    elements("request", ValueKind::element, k_v3, 0, 1, 1, k_request_range),
    elements("response", ValueKind::element, k_v3, 0, 1, 1, k_response_range),
};

constexpr std::array k_command_payload{
    elements("schema", ValueKind::schema, k_v2_v3, 1, 1, 1, k_complex_schema_range),
};

constexpr std::array k_command_request{
    elements("schema", ValueKind::schema, k_v3, 1, 1, 1, k_complex_schema_range),
};

constexpr std::array k_relationship{
    literal("maxMultiplicity", ValueKind::integer, k_v2_v3),
    literal("minMultiplicity", ValueKind::integer, k_v2_v3),
    elements("properties", ValueKind::element, k_v2_v3, 0, 300, k_unbounded, k_property_range),
    literal("target", ValueKind::dtmi, k_v2_v3),
    literal("writable", ValueKind::boolean, k_v2_v3),
};

constexpr std::array k_component{
    elements("schema", ValueKind::element, k_v2_v3, 1, 1, 1, k_interface_range),
};

constexpr std::array k_array{
    elements("elementSchema", ValueKind::schema, k_v2_v3, 1, 1, 1, k_complex_schema_range),
};

constexpr std::array k_enum{
    elements("enumValues", ValueKind::element, k_v2, 1, 100, k_unbounded, k_enum_value_range),
    elements("enumValues", ValueKind::element, k_v3, 0, 100, k_unbounded, k_enum_value_range),
    literal("valueSchema", ValueKind::value_schema, k_v2_v3, 1),
};

constexpr std::array k_enum_value{
    literal("enumValue", ValueKind::enum_value, k_v2_v3, 1),
};

constexpr std::array k_map{
    elements("mapKey", ValueKind::element, k_v2_v3, 1, 1, 1, k_map_key_range),
    elements("mapValue", ValueKind::element, k_v2_v3, 1, 1, 1, k_map_value_range),
};

constexpr std::array k_map_key{
    literal("schema", ValueKind::key_schema, k_v2_v3, 1),
};

constexpr std::array k_map_value{
    elements("schema", ValueKind::schema, k_v2_v3, 1, 1, 1, k_complex_schema_range),
};

constexpr std::array k_object{
    elements("fields", ValueKind::element, k_v2, 1, 30, 30, k_field_range),
    elements("fields", ValueKind::element, k_v3, 0, k_unbounded, k_unbounded, k_field_range),
};

constexpr std::array k_field{
    elements("schema", ValueKind::schema, k_v2_v3, 1, 1, 1, k_complex_schema_range),
};

constexpr std::array k_classes{
    ClassSpec{"Interface", k_v2_v3, false, k_interface},
    ClassSpec{"Telemetry", k_v2_v3, false, k_telemetry},
    ClassSpec{"Property", k_v2_v3, false, k_property},
    ClassSpec{"Command", k_v2_v3, false, k_command},
    ClassSpec{"CommandPayload", k_v2, false, k_command_payload},
    ClassSpec{"CommandRequest", k_v3, false, k_command_request},
    ClassSpec{"CommandResponse", k_v3, false, k_command_request},
    ClassSpec{"Relationship", k_v2_v3, false, k_relationship},
    ClassSpec{"Component", k_v2_v3, false, k_component},
    ClassSpec{"Array", k_v2_v3, true, k_array},
    ClassSpec{"Enum", k_v2_v3, true, k_enum},
    ClassSpec{"EnumValue", k_v2_v3, false, k_enum_value},
    ClassSpec{"Map", k_v2_v3, true, k_map},
    ClassSpec{"MapKey", k_v2_v3, false, k_map_key},
    ClassSpec{"MapValue", k_v2_v3, false, k_map_value},
    ClassSpec{"Object", k_v2_v3, true, k_object},
    ClassSpec{"Field", k_v2_v3, false, k_field},
};

constexpr std::array k_primitive_schemas_v2{
    "boolean"sv,
    "date"sv,
    "dateTime"sv,
    "double"sv,
    "duration"sv,
    "float"sv,
    "integer"sv,
    "long"sv,
    "string"sv,
    "time"sv,
    // geospatial schemas are part of the v2 context as well
    "point"sv,
    "lineString"sv,
    "polygon"sv,
    "multiPoint"sv,
    "multiLineString"sv,
    "multiPolygon"sv,
};

// Abstract classes and instances that are terms of the language but never valid as
// the @type of an element in a model.
constexpr std::array k_other_terms{
    "Entity"sv,
    "NamedEntity"sv,
    "Schema"sv,
    "ComplexSchema"sv,
    "PrimitiveSchema"sv,
    "Content"sv,
    "CommandType"sv,
    "synchronous"sv,
    "asynchronous"sv,
    "Unit"sv,
    "SemanticType"sv,
    "NumericSchema"sv,
    "TemporalSchema"sv,
    "Boolean"sv,
    "Date"sv,
    "DateTime"sv,
    "Double"sv,
    "Duration"sv,
    "Float"sv,
    "Integer"sv,
    "Long"sv,
    "String"sv,
    "Time"sv,
    "languageMajorVersion"sv,
    "SchemaField"sv,
    "AdjunctType"sv,
    "Alias"sv,
    "aliasFor"sv,
    "LatentType"sv,
    "NamedLatentType"sv,
    "SemanticUnit"sv,
    "UnitAttribute"sv,
    "exponent"sv,
    "symbol"sv,
    "commandType"sv,
    "CommandPayload"sv,
    "unit"sv,
    "baseUnit"sv,
    "topUnit"sv,
    "bottomUnit"sv,
    "prefix"sv,
    "QuantitativeType"sv,
    "Unitless"sv,
};

bool contains(std::span<const std::string_view> list, std::string_view term) {
    return std::find(list.begin(), list.end(), term) != list.end();
}

} // namespace

const ClassSpec* find_class(std::string_view name, int version) {
    for (const auto& cls : k_classes) {
        if (cls.name == name && (cls.versions & version_bit(version)) != 0) {
            return &cls;
        }
    }
    return nullptr;
}

std::span<const PropertySpec> common_properties() {
    return k_common;
}

bool is_named_class(std::string_view name) {
    return name != "Interface" && name != "Array" && name != "Enum" && name != "Map" && name != "Object";
}

const PropertySpec* find_property(const ClassSpec& cls, std::string_view term, int version) {
    const PropertySpec* found = nullptr;
    for_each_property(cls, version, [&](const PropertySpec& property) {
        if (found == nullptr && property.term == term) {
            found = &property;
        }
    });
    return found;
}

bool is_primitive_schema(std::string_view term, int version) {
    // DTDL v3 has the same primitive schemas as v2; the sized integers, bytes,
    // decimal and uuid of model.hpp arrive with v4.
    (void)version;
    return contains(k_primitive_schemas_v2, term);
}

bool is_dtdl_term(std::string_view term, int version) {
    if (term.starts_with('@')) {
        return true;
    }
    if (find_class(term, version) != nullptr || is_primitive_schema(term, version) || contains(k_other_terms, term)) {
        return true;
    }
    for (const auto& cls : k_classes) {
        if (find_property(cls, term, version) != nullptr) {
            return true;
        }
    }
    return false;
}

std::optional<std::string_view> term_of_dtmi(std::string_view dtmi, int version) {
    const std::string_view suffix = version >= 3 ? ";3"sv : ";2"sv;
    if (!dtmi.ends_with(suffix)) {
        return std::nullopt;
    }
    dtmi.remove_suffix(suffix.size());
    for (const auto prefix : {"dtmi:dtdl:property:"sv, "dtmi:dtdl:class:"sv, "dtmi:dtdl:instance:Schema:"sv,
                              "dtmi:dtdl:instance:CommandType:"sv, "dtmi:standard:schema:geospatial:"sv}) {
        if (dtmi.starts_with(prefix) && dtmi.find(':', prefix.size()) == std::string_view::npos) {
            return dtmi.substr(prefix.size());
        }
    }
    return std::nullopt;
}

} // namespace dtwin::core::dtdl
