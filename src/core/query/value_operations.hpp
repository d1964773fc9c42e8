// Comparison and arithmetic on JSON values, as the expression language defines them.
//
// Numbers compare by value whatever their JSON representation (1 = 1.0, and a uint64
// above 2^63 compares correctly with an int64). Arithmetic keeps 64-bit integers while
// the result is exact and fits; otherwise it works in double.
//
// Pure functions: callable from any thread.
#pragma once

#include <boost/json/value.hpp>
#include <compare>

namespace dtwin::core::query {

/// True for int64, uint64 and double values.
[[nodiscard]] bool is_number(const boost::json::value& value) noexcept;

/// The number as a double (0 for anything that is not a number).
[[nodiscard]] double to_double(const boost::json::value& value) noexcept;

/// Equality: numbers by value, strings by bytes, booleans, null = null, arrays element
/// by element, objects member by member (order ignored). Values of different types are
/// never equal.
[[nodiscard]] bool values_equal(const boost::json::value& a, const boost::json::value& b) noexcept;

/// Order of two numbers or two strings (strings by UTF-8 bytes, i.e. by code point);
/// unordered for any other pair, and for NaN.
[[nodiscard]] std::partial_ordering compare_values(const boost::json::value& a, const boost::json::value& b) noexcept;

/// True for a number equal to zero.
[[nodiscard]] bool is_zero(const boost::json::value& number) noexcept;

// Arithmetic on two numbers (callers check the types and, for divide and modulo, zero).
[[nodiscard]] boost::json::value add(const boost::json::value& a, const boost::json::value& b) noexcept;
[[nodiscard]] boost::json::value subtract(const boost::json::value& a, const boost::json::value& b) noexcept;
[[nodiscard]] boost::json::value multiply(const boost::json::value& a, const boost::json::value& b) noexcept;
/// int64 when both are int64 and the quotient is exact (6 / 3 = 2), else double (7 / 2 = 3.5).
[[nodiscard]] boost::json::value divide(const boost::json::value& a, const boost::json::value& b) noexcept;
/// Remainder with the sign of the dividend (C's % and fmod): -7 % 3 = -1.
[[nodiscard]] boost::json::value modulo(const boost::json::value& a, const boost::json::value& b) noexcept;
[[nodiscard]] boost::json::value negate(const boost::json::value& a) noexcept;

/// An integral double as int64 when it fits (3.0 -> 3), else the double itself.
[[nodiscard]] boost::json::value integral_number(double value) noexcept;

} // namespace dtwin::core::query
