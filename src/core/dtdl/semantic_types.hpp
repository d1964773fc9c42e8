// Semantic types and units: the co-types that give a Telemetry or Property a
// physical quantity (DTDL v2 built-in; v3 through the QuantitativeTypes extension),
// and the other co-types of the extensions dtwin supports.
#pragma once

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

/// The term of a standard DTMI ("dtmi:standard:class:Temperature;2" -> "Temperature",
/// "dtmi:standard:unit:kelvin;3" -> "kelvin"), or "" when `dtmi` is not one.
[[nodiscard]] std::string_view standard_term(std::string_view dtmi, int version);

} // namespace dtwin::core::dtdl
