// Where something is in the text of an expression: 1-based line and column, as every
// error of the expression language reports it ("2:17").
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace dtwin::core::query {

/// A place in expression text. Columns count characters (UTF-8 sequences), not bytes.
struct SourcePosition {
    std::uint32_t line = 1;
    std::uint32_t column = 1;

    /// "line:column", the form Error::where takes for expression errors.
    [[nodiscard]] std::string to_string() const { return std::to_string(line) + ":" + std::to_string(column); }

    auto operator<=>(const SourcePosition&) const = default;
};

} // namespace dtwin::core::query
