// The adjunct types (co-types) of the DTDL feature extensions and of the IoT Central
// context, as data: which extension version brings each one, which elements it may
// co-type, which co-types it needs or excludes, and which properties it adds with the
// limits on their values. The semantic types of QuantitativeTypes and DTDL v2 live in
// semantic_types.hpp; the checks that need the whole model (annotates, overrides,
// unique indexes, MQTT result objects, schemas) in extension_checks.hpp.
// Immutable constant data; safe from any thread.
#pragma once

#include "core/dtdl/context.hpp"
#include "core/dtdl/metamodel.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <span>
#include <string_view>

namespace dtwin::core::dtdl {

/// Extra checks on the value of an adjunct property, beyond its JSON type.
enum class ValueCheck {
    none,
    mqtt_topic,    ///< MQTT topic pattern: '/'-separated labels, each literal or one {token}
    service_group, ///< MQTT shared-subscription group: printable ASCII without space " + # { } /
    duration,      ///< ISO 8601 duration such as "PT15S"
    positive,      ///< integer >= 1
};

/// One property an adjunct type adds.
struct AdjunctProperty {
    PropertySpec spec;
    ValueCheck check;
    int min_extension_version; ///< the property exists from this version of its extension on
};

/// One adjunct type, e.g. ValueAnnotation or Indexed.
struct AdjunctType {
    std::string_view name;
    Extension extension;
    int min_extension_version;                       ///< first version of the extension that defines it
    std::uint8_t dtdl_versions;                      ///< VersionBits of the DTDL versions whose elements it may co-type
    std::span<const std::string_view> hosts;         ///< material classes it may co-type
    std::span<const std::string_view> hosts_from_v2; ///< further hosts from extension version 2 on
    std::string_view requires_cotype;                ///< "" or a co-type the element must also have
    std::string_view excludes_cotype;                ///< "" or a co-type the element may not also have
    std::span<const AdjunctProperty> properties;
};

/// The adjunct type `term` names under `context` ("Historized", or its full IRI
/// "dtmi:dtdl:extension:historization:v1:Historized"), or null when no extension in
/// force defines it. `extension_version` receives the version in force.
[[nodiscard]] const AdjunctType* find_adjunct_type(std::string_view term, const ContextState& context,
                                                   int& extension_version);

/// True if `type` may co-type an element of class `cls` in `extension_version`.
[[nodiscard]] bool adjunct_allows_host(const AdjunctType& type, std::string_view cls, int extension_version);

/// The property `term` an adjunct type adds in `extension_version`, or null.
[[nodiscard]] const AdjunctProperty* find_adjunct_property(const AdjunctType& type, std::string_view term,
                                                           int extension_version);

/// True if `text` satisfies `check`; `what` receives a description of the expected form.
[[nodiscard]] bool passes_value_check(ValueCheck check, const boost::json::value& value, std::string_view& what);

/// The schema terms the IoT Central context adds ("vector", "geopoint").
[[nodiscard]] bool is_iot_central_schema(std::string_view term);

} // namespace dtwin::core::dtdl
