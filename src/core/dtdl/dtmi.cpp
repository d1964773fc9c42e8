#include "core/dtdl/dtmi.hpp"

namespace dtwin::core::dtdl {

namespace {

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// One path segment: a letter, then letters, digits and '_', not ending in '_'.
bool is_valid_segment(std::string_view segment) {
    if (segment.empty() || !is_letter(segment.front()) || segment.back() == '_') {
        return false;
    }
    for (const char c : segment) {
        if (!is_letter(c) && !is_digit(c) && c != '_') {
            return false;
        }
    }
    return true;
}

// A positive integer without leading zero and with at most `max_digits` digits.
bool is_valid_number(std::string_view digits, std::size_t max_digits) {
    if (digits.empty() || digits.size() > max_digits || digits.front() == '0') {
        return false;
    }
    for (const char c : digits) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

bool is_valid_version(std::string_view version, int dtdl_version) {
    const auto dot = version.find('.');
    if (dot == std::string_view::npos) {
        return is_valid_number(version, 9);
    }
    // Only v3 knows minor versions.
    return dtdl_version >= 3 && is_valid_number(version.substr(0, dot), 9) &&
           is_valid_number(version.substr(dot + 1), 6);
}

} // namespace

bool is_valid_dtmi(std::string_view text, int version, bool require_version) {
    constexpr std::string_view k_scheme = "dtmi:";
    if (!text.starts_with(k_scheme) || text.size() > k_max_dtmi_length) {
        return false;
    }
    std::string_view rest = text.substr(k_scheme.size());
    const auto semicolon = rest.find(';');
    std::string_view path = rest.substr(0, semicolon);
    if (semicolon == std::string_view::npos) {
        if (version < 3 || require_version) {
            return false;
        }
    } else if (!is_valid_version(rest.substr(semicolon + 1), version)) {
        return false;
    }
    // Walk the ':'-separated segments; an empty one ("a::b", "dtmi:;1") is invalid.
    while (true) {
        const auto colon = path.find(':');
        if (!is_valid_segment(path.substr(0, colon))) {
            return false;
        }
        if (colon == std::string_view::npos) {
            return true;
        }
        path.remove_prefix(colon + 1);
    }
}

bool is_reserved_dtmi(std::string_view text) {
    return text.starts_with("dtmi:dtdl:") || text.starts_with("dtmi:standard:");
}

} // namespace dtwin::core::dtdl
