#include "app/text_table.hpp"

#include <algorithm>
#include <ostream>

namespace dtwin::app {

namespace {

/// Code points in UTF-8 text: every byte but the continuation bytes (10xxxxxx).
std::size_t display_width(const std::string& text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

} // namespace

TextTable::TextTable(std::vector<std::string> header) {
    m_rows.push_back(std::move(header));
}

void TextTable::add_row(std::vector<std::string> cells) {
    cells.resize(m_rows.front().size());
    m_rows.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out) const {
    const std::size_t columns = m_rows.front().size();
    std::vector<std::size_t> widths(columns, 0);
    for (const auto& row : m_rows) {
        for (std::size_t column = 0; column < columns; ++column) {
            widths[column] = std::max(widths[column], display_width(row[column]));
        }
    }
    for (const auto& row : m_rows) {
        std::string line;
        for (std::size_t column = 0; column < columns; ++column) {
            line += row[column];
            if (column + 1 < columns) {
                line.append(widths[column] - display_width(row[column]) + 2, ' ');
            }
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out << line << "\n";
    }
}

std::string table_time(core::TimePoint time) {
    // format_time writes "2026-11-24T21:26:15.1234560Z": drop the fraction.
    std::string text = core::format_time(time);
    if (const auto dot = text.find('.'); dot != std::string::npos) {
        text.erase(dot, text.size() - 1 - dot);
    }
    return text;
}

std::string table_time(const std::optional<core::TimePoint>& time) {
    return time ? table_time(*time) : "-";
}

} // namespace dtwin::app
