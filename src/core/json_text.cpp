#include "core/json_text.hpp"

#include <boost/json/stream_parser.hpp>

namespace dtwin::core {

namespace {

// "line:column" of byte `offset` in `text`, both 1-based.
std::string line_and_column(std::string_view text, std::size_t offset) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
            ++column; // count characters, not UTF-8 continuation bytes
        }
    }
    return std::to_string(line) + ":" + std::to_string(column);
}

} // namespace

std::variant<boost::json::value, JsonTextError> parse_json_text(std::string_view text) {
    constexpr std::string_view k_bom = "\xEF\xBB\xBF";
    const std::size_t skipped = text.starts_with(k_bom) ? k_bom.size() : 0;
    const std::string_view body = text.substr(skipped);

    boost::json::parse_options options;
    options.max_depth = k_max_json_depth;
    boost::json::stream_parser parser({}, options);
    boost::system::error_code error;
    const std::size_t consumed = parser.write_some(body.data(), body.size(), error);
    if (!error && body.substr(consumed).find_first_not_of(" \t\r\n") != std::string_view::npos) {
        // write_some stops after one complete value; anything but whitespace after it is an error
        error = boost::json::error::extra_data;
    }
    if (!error) {
        parser.finish(error);
    }
    if (error) {
        return JsonTextError{line_and_column(text, skipped + consumed), "invalid JSON: " + error.message()};
    }
    return parser.release();
}

} // namespace dtwin::core
