// Semantic types and units: the co-types that give a Telemetry or Property a
// physical quantity (DTDL v2 built-in; v3 through the QuantitativeTypes extension),
// and the other co-types of the extensions dtwin supports.
#pragma once

#include <functional>
#include <string_view>

namespace dtwin::core::dtdl {

/// True if `term` names a semantic type such as "Temperature" in DTDL `version`
/// (v3 meaning: under QuantitativeTypes v1, which knows a few more, e.g. "Concentration").
[[nodiscard]] bool is_semantic_type(std::string_view term, int version);

/// True if `term` names a unit such as "degreeCelsius" in DTDL `version`.
[[nodiscard]] bool is_unit(std::string_view term, int version);

/// True if `unit` belongs to the unit class of `semantic_type` (e.g. "degreeCelsius"
/// of "Temperature", "partsPerMillion" of v3 "Concentration").
[[nodiscard]] bool is_unit_of(std::string_view semantic_type, std::string_view unit, int version);

/// The unit class a QuantitativeTypes unit enum names ("TemperatureUnit" -> "Temperature",
/// "Unitless" -> "Ratio", the alias "EnergyRateUnit" -> "Power"), or "" when `term` is none.
/// An Override of a `unit` takes the enum of the overridden unit as its schema.
[[nodiscard]] std::string_view unit_enum_class(std::string_view term);

/// The unit class `unit` belongs to in `version` ("kelvin" -> "Temperature"), or "".
[[nodiscard]] std::string_view unit_class_of(std::string_view unit, int version);

/// The unit class of `semantic_type` ("Humidity" -> "Density"), or "".
[[nodiscard]] std::string_view semantic_unit_class(std::string_view semantic_type, int version);

/// Calls `visit` with every unit of `unit_class` in `version`, in table order.
void for_each_unit(std::string_view unit_class, int version, const std::function<void(std::string_view)>& visit);

/// The term of a standard DTMI ("dtmi:standard:class:Temperature;2" -> "Temperature",
/// "dtmi:standard:unit:kelvin;3" -> "kelvin", and in v3 the QuantitativeTypes IRIs
/// "dtmi:dtdl:extension:quantitativeTypes:v1:unit:kelvin" -> "kelvin", also for its
/// classes and enums), or "" when `dtmi` is not one.
[[nodiscard]] std::string_view standard_term(std::string_view dtmi, int version);

} // namespace dtwin::core::dtdl
