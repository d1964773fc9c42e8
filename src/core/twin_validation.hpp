// Checking twin and relationship values against their DTDL models, the way Azure Digital
// Twins does: every property must be declared (own or inherited), every value must fit
// its schema, components must be present as objects, unknown members are rejected, and
// telemetry, relationship or command names cannot be set as properties.
//
// Every error is ErrorCode::invalid_value with `where` = "<subject> <JSON pointer>" and a
// message saying what was expected, so Error::to_string() reads
//     "Room1 /co2: expected a number (double), got string"
//
// Pure functions; callable from any thread.
#pragma once

#include "core/error.hpp"
#include "core/model.hpp"
#include "core/twin_layout.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

namespace dtwin::core {

/// Checks `value` against `schema`. `subject` names the twin (or relationship) and
/// `pointer` the location of the value, for the error.
///
/// Numbers: integer/short/byte and the unsigned ones are range-checked (integer is 32-bit,
/// long 64-bit); an integral double such as 3.0 is accepted. double/float must be finite.
/// Strings of date, dateTime, time, duration and uuid must have the ISO-8601 / RFC 4122 form.
/// Enum values are matched by value. Object members must be declared fields; Map values
/// and Array elements are checked against their schemas.
[[nodiscard]] Result<void> validate_value(const Schema& schema, const boost::json::value& value,
                                          std::string_view subject, std::string_view pointer);

/// Reads a twin document (the body of a create, or a whole patched document) into one
/// value per slot of `layout` (null = not set), checking everything on the way.
/// Members starting with '$' are skipped at the root and in components ("$dtId",
/// "$metadata", "$etag", ...). Every component must be present as an object.
[[nodiscard]] Result<std::vector<boost::json::value>>
read_twin_document(const TwinLayout& layout, const boost::json::object& document, std::string_view twin_id);

/// Checks the properties of a relationship against its declaration. `subject` is e.g.
/// "Door1 -> connects/r1".
[[nodiscard]] Result<void> validate_relationship_properties(const RelationshipDef& definition,
                                                            const boost::json::object& properties,
                                                            std::string_view subject);

/// "string", "number", "boolean", "null", "object" or "array".
[[nodiscard]] std::string_view json_kind_name(const boost::json::value& value) noexcept;

} // namespace dtwin::core
