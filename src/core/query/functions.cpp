#include "core/query/functions.hpp"

#include "core/query/value_operations.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace dtwin::core::query {

namespace json = boost::json;

namespace {

struct FunctionInfo {
    std::string_view name;
    Function function;
    std::size_t arity;
};

// Canonical names first: function_name() returns the first entry of a function.
constexpr std::array<FunctionInfo, 19> k_functions{{
    {"IS_DEFINED", Function::is_defined, 1},
    {"IS_NULL", Function::is_null, 1},
    {"IS_BOOL", Function::is_bool, 1},
    {"IS_NUMBER", Function::is_number, 1},
    {"IS_STRING", Function::is_string, 1},
    {"IS_PRIMITIVE", Function::is_primitive, 1},
    {"IS_OBJECT", Function::is_object, 1},
    {"STARTSWITH", Function::starts_with, 2},
    {"ENDSWITH", Function::ends_with, 2},
    {"CONTAINS", Function::contains, 2},
    {"ARRAY_CONTAINS", Function::array_contains, 2},
    {"ABS", Function::abs, 1},
    {"CEILING", Function::ceiling, 1},
    {"FLOOR", Function::floor, 1},
    {"ROUND", Function::round, 1},
    {"SIGN", Function::sign, 1},
    {"PREVIOUS", Function::previous, 1},
    {"STARTS_WITH", Function::starts_with, 2},
    {"ENDS_WITH", Function::ends_with, 2},
}};

using Argument = std::optional<json::value>;
using Outcome = Result<std::optional<json::value>>;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const char x = (a[i] >= 'a' && a[i] <= 'z') ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
        if (x != b[i]) {
            return false;
        }
    }
    return true;
}

bool absent(const Argument& argument) {
    return !argument || argument->is_null();
}

std::unexpected<Error> wrong_type(Function function, std::string_view expected, const Argument& got,
                                  SourcePosition position, std::size_t index = 0) {
    std::string message(function_name(function));
    message += " expects ";
    message += expected;
    if (index > 0) {
        message += " as argument " + std::to_string(index);
    }
    message += " but got ";
    message += type_name(got);
    return fail(ErrorCode::invalid_value, std::move(message), position.to_string());
}

bool type_check(Function function, const Argument& argument) {
    if (!argument) {
        return false; // undefined is of no type, not even null
    }
    switch (function) {
    case Function::is_defined:
        return true;
    case Function::is_null:
        return argument->is_null();
    case Function::is_bool:
        return argument->is_bool();
    case Function::is_number:
        return is_number(*argument);
    case Function::is_string:
        return argument->is_string();
    case Function::is_primitive:
        return !argument->is_array() && !argument->is_object();
    default: // is_object
        return argument->is_object();
    }
}

Outcome string_function(Function function, const Argument& text, const Argument& part, SourcePosition position) {
    if (absent(text) || absent(part)) {
        return std::nullopt;
    }
    if (!text->is_string()) {
        return wrong_type(function, "a string", text, position, 1);
    }
    if (!part->is_string()) {
        return wrong_type(function, "a string", part, position, 2);
    }
    const std::string_view haystack = text->get_string();
    const std::string_view needle = part->get_string();
    switch (function) {
    case Function::starts_with:
        return json::value(haystack.starts_with(needle));
    case Function::ends_with:
        return json::value(haystack.ends_with(needle));
    default: // contains
        return json::value(haystack.find(needle) != std::string_view::npos);
    }
}

Outcome array_contains(const Argument& array, const Argument& item, SourcePosition position) {
    if (absent(array) || !item) {
        return std::nullopt;
    }
    if (!array->is_array()) {
        return wrong_type(Function::array_contains, "an array", array, position, 1);
    }
    for (const json::value& element : array->get_array()) {
        if (values_equal(element, *item)) {
            return json::value(true);
        }
    }
    return json::value(false);
}

Outcome numeric_function(Function function, const Argument& argument, SourcePosition position) {
    if (absent(argument)) {
        return std::nullopt;
    }
    if (!is_number(*argument)) {
        return wrong_type(function, "a number", argument, position);
    }
    const json::value& number = *argument;
    if (function == Function::sign) {
        return json::value(std::int64_t{is_zero(number) ? 0 : (to_double(number) < 0 ? -1 : 1)});
    }
    if (!number.is_double()) {
        // integers are their own ceiling, floor and rounding; only ABS changes them
        if (function != Function::abs || !number.is_int64() || number.get_int64() >= 0) {
            return number;
        }
        return negate(number);
    }
    const double x = number.get_double();
    switch (function) {
    case Function::abs:
        return json::value(std::fabs(x));
    case Function::ceiling:
        return integral_number(std::ceil(x));
    case Function::floor:
        return integral_number(std::floor(x));
    default: // round: half away from zero, as SQL's ROUND
        return integral_number(std::round(x));
    }
}

} // namespace

std::string_view function_name(Function function) noexcept {
    for (const auto& info : k_functions) {
        if (info.function == function) {
            return info.name;
        }
    }
    return "?";
}

std::optional<Function> find_function(std::string_view name) noexcept {
    for (const auto& info : k_functions) {
        if (equals_ignoring_case(name, info.name)) {
            return info.function;
        }
    }
    return std::nullopt;
}

std::size_t function_arity(Function function) noexcept {
    for (const auto& info : k_functions) {
        if (info.function == function) {
            return info.arity;
        }
    }
    return 0;
}

std::string_view type_name(const std::optional<json::value>& value) noexcept {
    if (!value) {
        return "undefined";
    }
    switch (value->kind()) {
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return "boolean";
    case json::kind::string:
        return "string";
    case json::kind::array:
        return "array";
    case json::kind::object:
        return "object";
    default:
        return "number";
    }
}

Result<std::optional<json::value>>
call_function(Function function, std::span<const std::optional<json::value>> arguments, SourcePosition position) {
    if (function == Function::previous) {
        return fail(ErrorCode::invalid_value, "PREVIOUS reads the evaluation context; evaluate() handles it",
                    position.to_string());
    }
    const std::size_t arity = function_arity(function);
    if (arguments.size() != arity) {
        return fail(ErrorCode::invalid_value,
                    std::string(function_name(function)) + " expects " + std::to_string(arity) + " argument" +
                        (arity == 1 ? "" : "s") + " but got " + std::to_string(arguments.size()),
                    position.to_string());
    }
    switch (function) {
    case Function::is_defined:
    case Function::is_null:
    case Function::is_bool:
    case Function::is_number:
    case Function::is_string:
    case Function::is_primitive:
    case Function::is_object:
        return json::value(type_check(function, arguments[0]));
    case Function::starts_with:
    case Function::ends_with:
    case Function::contains:
        return string_function(function, arguments[0], arguments[1], position);
    case Function::array_contains:
        return array_contains(arguments[0], arguments[1], position);
    default:
        return numeric_function(function, arguments[0], position);
    }
}

} // namespace dtwin::core::query
