// The built-in functions of the expression language: names, arities and the scalar
// ones' behaviour on values.
//
// ADT's functions (IS_DEFINED, IS_NULL, IS_BOOL, IS_NUMBER, IS_STRING, IS_PRIMITIVE,
// IS_OBJECT, STARTSWITH, ENDSWITH, CONTAINS, ARRAY_CONTAINS; IS_OF_MODEL is a node of
// its own, see expression.hpp), the numeric functions of the SQL dialect ADT's language
// comes from (ABS, CEILING, FLOOR, ROUND, SIGN), and PREVIOUS for rules over time.
// Names are matched case-insensitively; STARTS_WITH and ENDS_WITH (ADT's older
// spellings) are accepted too.
//
// Pure functions, no shared state: callable from any thread.
#pragma once

#include "core/error.hpp"
#include "core/query/source_position.hpp"

#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string_view>

namespace dtwin::core::query {

enum class Function {
    is_defined,
    is_null,
    is_bool,
    is_number,
    is_string,
    is_primitive,
    is_object,
    starts_with,
    ends_with,
    contains,
    array_contains,
    abs,
    ceiling,
    floor,
    round,
    sign,
    previous, ///< PREVIOUS(path): evaluated through the EvaluationContext, not call_function()
};

/// The canonical (upper-case) name: "IS_DEFINED", "STARTSWITH", ...
[[nodiscard]] std::string_view function_name(Function function) noexcept;

/// The function called `name` in any letter case, or nullopt. IS_OF_MODEL is not
/// found here (the parser handles it, see ModelCheck in expression.hpp).
[[nodiscard]] std::optional<Function> find_function(std::string_view name) noexcept;

/// How many arguments the function takes (each function has exactly one arity).
[[nodiscard]] std::size_t function_arity(Function function) noexcept;

/// Name of a value's type as messages use it: "undefined", "null", "boolean",
/// "number", "string", "array", "object".
[[nodiscard]] std::string_view type_name(const std::optional<boost::json::value>& value) noexcept;

/// Applies a scalar function to evaluated arguments (nullopt = undefined).
///
/// Type checks (IS_*) always return a boolean. String and numeric functions return
/// undefined when an argument is undefined or null, and an Error (invalid_value,
/// `where` = `position`, the message naming the function) when an argument has a type
/// the function does not accept ("ABS expects a number but got string") or when the
/// argument count is wrong. Not for Function::previous.
[[nodiscard]] Result<std::optional<boost::json::value>>
call_function(Function function, std::span<const std::optional<boost::json::value>> arguments, SourcePosition position);

} // namespace dtwin::core::query
