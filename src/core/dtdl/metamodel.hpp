// The DTDL metamodel as data: which classes exist in each language version, which
// properties each class has, and the limits on their values.
//
// The element reader (element_reader.cpp) is generic: it looks every class and
// property up here instead of hard-coding one function per class, the way the
// language specification itself is written (one table per class). Version bits
// let one table serve v2 and v3. Immutable constant data; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace dtwin::core::dtdl {

/// Bit set of DTDL versions a class or property exists in.
enum VersionBits : std::uint8_t {
    k_v2 = 1,
    k_v3 = 2,
    k_v2_v3 = 3,
};

/// Bit of a version number (2 or 3) in VersionBits.
[[nodiscard]] constexpr std::uint8_t version_bit(int version) {
    return version >= 3 ? k_v3 : k_v2;
}

/// What a property's values are.
enum class ValueKind {
    string,       ///< plain string literal (name, comment)
    lang_string,  ///< localizable string: string, language map or value objects
    integer,      ///< integer literal
    boolean,      ///< boolean literal
    element,      ///< nested element objects or DTMI references to elements
    schema,       ///< like element, but a primitive schema term is also allowed
    dtmi,         ///< a DTMI reference only (Relationship target)
    enum_value,   ///< an integer or a string (EnumValue.enumValue)
    value_schema, ///< the term "integer" or "string" (Enum.valueSchema)
    key_schema,   ///< the term "string" only (MapKey.schema)
    command_type, ///< "synchronous" or "asynchronous" (v2 Command.commandType)
    unit,         ///< a unit term (semantic-type adjunct property)
};

/// One property of a class.
struct PropertySpec {
    std::string_view term; ///< JSON key, e.g. "schema"
    ValueKind kind;
    std::uint8_t versions; ///< VersionBits
    int min_count;         ///< 1 = required
    int max_count_v2;      ///< -1 = unbounded
    int max_count_v3;
    int max_length_v2; ///< for strings; 0 = no limit
    int max_length_v3;
    bool name_pattern;                       ///< value must match the DTDL name pattern
    std::span<const std::string_view> range; ///< classes allowed for element values

    [[nodiscard]] int max_count(int version) const { return version >= 3 ? max_count_v3 : max_count_v2; }
    [[nodiscard]] int max_length(int version) const { return version >= 3 ? max_length_v3 : max_length_v2; }
};

/// One concrete ("material") class such as Interface or Telemetry.
struct ClassSpec {
    std::string_view name;
    std::uint8_t versions;
    bool is_schema; ///< Array, Enum, Map, Object: may appear where a schema is expected
    std::span<const PropertySpec> properties;
};

/// The material class called `name` in `version`, or null.
[[nodiscard]] const ClassSpec* find_class(std::string_view name, int version);

/// The property `term` of `cls` (including the ones every class shares), or null.
[[nodiscard]] const PropertySpec* find_property(const ClassSpec& cls, std::string_view term, int version);

/// Every property term of `cls` that exists in `version` (own and shared), in table order.
/// `visit` is called once per property.
template <typename Visit> void for_each_property(const ClassSpec& cls, int version, Visit&& visit);

/// The primitive schema terms of `version` ("double", v3 "uuid", geospatial "point", ...).
[[nodiscard]] bool is_primitive_schema(std::string_view term, int version);

/// True if `term` is a term of the language (a class, property or instance name) in
/// `version`, used to tell an undefined term from a misplaced one.
[[nodiscard]] bool is_dtdl_term(std::string_view term, int version);

/// Maps the DTMI form of a term to the term, e.g. "dtmi:dtdl:property:schema;3" ->
/// "schema" in v3. Returns nullopt when `dtmi` is not a term DTMI of `version`.
[[nodiscard]] std::optional<std::string_view> term_of_dtmi(std::string_view dtmi, int version);

/// The properties shared by every class (comment, description, displayName, name).
[[nodiscard]] std::span<const PropertySpec> common_properties();

/// True for classes that carry the `name` property.
[[nodiscard]] bool is_named_class(std::string_view name);

template <typename Visit> void for_each_property(const ClassSpec& cls, int version, Visit&& visit) {
    for (const auto& property : common_properties()) {
        if (property.term == "name" && !is_named_class(cls.name)) {
            continue;
        }
        visit(property);
    }
    for (const auto& property : cls.properties) {
        if ((property.versions & version_bit(version)) != 0) {
            visit(property);
        }
    }
}

} // namespace dtwin::core::dtdl
