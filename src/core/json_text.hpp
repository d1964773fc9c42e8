// Parsing model text into Boost.JSON values with errors that say where (line and
// column), safe on any input: depth limit, no exceptions.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <variant>

namespace dtwin::core {

/// A JSON syntax error: where ("line:column", 1-based) and what.
struct JsonTextError {
    std::string position;
    std::string message;
};

/// Deepest JSON nesting accepted (model documents, twin bodies, patches).
inline constexpr std::size_t k_max_json_depth = 256;

/// Parses `text` (a leading UTF-8 byte-order mark is ignored).
[[nodiscard]] std::variant<boost::json::value, JsonTextError> parse_json_text(std::string_view text);

} // namespace dtwin::core
