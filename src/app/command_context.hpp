// What every subcommand receives: the effective configuration and the output settings.
#pragma once

#include "app/config.hpp"
#include "core/error.hpp"

#include <boost/json/value.hpp>
#include <iosfwd>
#include <string>

namespace dtwin::app {

struct CommandContext {
    Config config;
    bool json = false; ///< --json: machine-readable output
    std::ostream* out; ///< results
    std::ostream* err; ///< errors and progress
};

/// Prints an error ("error: where: message") to ctx.err, or as {"error": {...}} JSON on
/// ctx.out with --json; returns k_exit_invalid.
int report_error(const CommandContext& ctx, const core::Error& error);

/// The shortest text that reads back as `number`, with a fraction or exponent ("612.0").
std::string format_double(double number);

/// Writes `value` as indented JSON followed by a newline.
void print_json(std::ostream& out, const boost::json::value& value);

/// Reads a whole file; an io Error naming the path when it cannot.
core::Result<std::string> read_text_file(const std::string& path);

/// Parses JSON text; an invalid_json Error naming `where` and the line:column.
core::Result<boost::json::value> parse_json_text(std::string_view text, const std::string& where);

} // namespace dtwin::app
