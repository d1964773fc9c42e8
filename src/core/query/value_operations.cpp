#include "core/query/value_operations.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

namespace dtwin::core::query {

namespace json = boost::json;

namespace {

constexpr double k_two_pow_63 = 9223372036854775808.0;

bool both_int64(const json::value& a, const json::value& b) {
    return a.is_int64() && b.is_int64();
}

// Exact order of two integers, either of which may be int64 or uint64.
std::strong_ordering compare_integers(const json::value& a, const json::value& b) {
    if (a.is_int64() && b.is_int64()) {
        return a.get_int64() <=> b.get_int64();
    }
    if (a.is_uint64() && b.is_uint64()) {
        return a.get_uint64() <=> b.get_uint64();
    }
    if (a.is_int64()) { // b is uint64
        const std::int64_t x = a.get_int64();
        return x < 0 ? std::strong_ordering::less : static_cast<std::uint64_t>(x) <=> b.get_uint64();
    }
    const std::int64_t y = b.get_int64(); // a is uint64
    return y < 0 ? std::strong_ordering::greater : a.get_uint64() <=> static_cast<std::uint64_t>(y);
}

std::partial_ordering compare_numbers(const json::value& a, const json::value& b) {
    if (!a.is_double() && !b.is_double()) {
        return compare_integers(a, b);
    }
    return to_double(a) <=> to_double(b);
}

bool arrays_equal(const json::array& a, const json::array& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!values_equal(a[i], b[i])) {
            return false;
        }
    }
    return true;
}

bool objects_equal(const json::object& a, const json::object& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (const auto& member : a) {
        const json::value* other = b.if_contains(member.key());
        if (other == nullptr || !values_equal(member.value(), *other)) {
            return false;
        }
    }
    return true;
}

} // namespace

bool is_number(const json::value& value) noexcept {
    return value.is_int64() || value.is_uint64() || value.is_double();
}

double to_double(const json::value& value) noexcept {
    if (value.is_int64()) {
        return static_cast<double>(value.get_int64());
    }
    if (value.is_uint64()) {
        return static_cast<double>(value.get_uint64());
    }
    return value.is_double() ? value.get_double() : 0.0;
}

bool values_equal(const json::value& a, const json::value& b) noexcept {
    if (is_number(a) && is_number(b)) {
        return compare_numbers(a, b) == std::partial_ordering::equivalent;
    }
    if (a.kind() != b.kind()) {
        return false;
    }
    switch (a.kind()) {
    case json::kind::null:
        return true;
    case json::kind::bool_:
        return a.get_bool() == b.get_bool();
    case json::kind::string:
        return a.get_string() == b.get_string();
    case json::kind::array:
        return arrays_equal(a.get_array(), b.get_array());
    case json::kind::object:
        return objects_equal(a.get_object(), b.get_object());
    default:
        return false; // numbers were handled above
    }
}

std::partial_ordering compare_values(const json::value& a, const json::value& b) noexcept {
    if (is_number(a) && is_number(b)) {
        return compare_numbers(a, b);
    }
    if (a.is_string() && b.is_string()) {
        const std::string_view x = a.get_string();
        const std::string_view y = b.get_string();
        return x <=> y;
    }
    return std::partial_ordering::unordered;
}

bool is_zero(const json::value& number) noexcept {
    if (number.is_int64()) {
        return number.get_int64() == 0;
    }
    if (number.is_uint64()) {
        return number.get_uint64() == 0;
    }
    return number.is_double() && number.get_double() == 0.0;
}

json::value add(const json::value& a, const json::value& b) noexcept {
    std::int64_t result = 0;
    if (both_int64(a, b) && !__builtin_add_overflow(a.get_int64(), b.get_int64(), &result)) {
        return result;
    }
    return to_double(a) + to_double(b);
}

json::value subtract(const json::value& a, const json::value& b) noexcept {
    std::int64_t result = 0;
    if (both_int64(a, b) && !__builtin_sub_overflow(a.get_int64(), b.get_int64(), &result)) {
        return result;
    }
    return to_double(a) - to_double(b);
}

json::value multiply(const json::value& a, const json::value& b) noexcept {
    std::int64_t result = 0;
    if (both_int64(a, b) && !__builtin_mul_overflow(a.get_int64(), b.get_int64(), &result)) {
        return result;
    }
    return to_double(a) * to_double(b);
}

json::value divide(const json::value& a, const json::value& b) noexcept {
    if (both_int64(a, b)) {
        const std::int64_t x = a.get_int64();
        const std::int64_t y = b.get_int64();
        // INT64_MIN / -1 overflows; the double path below handles it
        if (y != 0 && !(y == -1 && x == std::numeric_limits<std::int64_t>::min()) && x % y == 0) {
            return x / y;
        }
    }
    return to_double(a) / to_double(b);
}

json::value modulo(const json::value& a, const json::value& b) noexcept {
    if (both_int64(a, b)) {
        const std::int64_t y = b.get_int64();
        if (y == -1) {
            return std::int64_t{0}; // INT64_MIN % -1 is undefined behaviour in C++
        }
        if (y != 0) {
            return a.get_int64() % y;
        }
    }
    return std::fmod(to_double(a), to_double(b));
}

json::value negate(const json::value& a) noexcept {
    if (a.is_int64() && a.get_int64() != std::numeric_limits<std::int64_t>::min()) {
        return -a.get_int64();
    }
    return -to_double(a);
}

json::value integral_number(double value) noexcept {
    if (std::isfinite(value) && value == std::trunc(value) && value >= -k_two_pow_63 && value < k_two_pow_63) {
        return static_cast<std::int64_t>(value);
    }
    return value;
}

} // namespace dtwin::core::query
