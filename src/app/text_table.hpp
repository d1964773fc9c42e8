// A plain-text table for the readable (not --json) output of list commands: a header row,
// then one row per item, each column padded to its widest cell, columns two spaces apart.
//
// Thread: one thread builds and prints a table.
#pragma once

#include "core/time.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace dtwin::app {

class TextTable {
public:
    /// The column titles; every row must have as many cells.
    explicit TextTable(std::vector<std::string> header);

    /// Adds a row; missing cells print empty, extra cells are dropped.
    void add_row(std::vector<std::string> cells);

    /// Whether no row was added (only the header).
    [[nodiscard]] bool empty() const noexcept { return m_rows.size() == 1; }

    /// Prints the header and the rows, one line each, without trailing spaces. Widths
    /// count UTF-8 code points, not bytes.
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> m_rows; ///< m_rows[0] is the header
};

/// A time for a table cell: ISO-8601 UTC to the second, "2026-11-24T21:26:15Z" (the
/// --json output keeps core::format_time's full precision).
[[nodiscard]] std::string table_time(core::TimePoint time);

/// table_time, or "-" when there is no time.
[[nodiscard]] std::string table_time(const std::optional<core::TimePoint>& time);

} // namespace dtwin::app
