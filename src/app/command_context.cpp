#include "app/command_context.hpp"

#include "app/cli.hpp"
#include "core/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

namespace dtwin::app {

namespace json = boost::json;

namespace {

void indent(std::ostream& out, int depth) {
    for (int i = 0; i < depth; ++i) {
        out << "  ";
    }
}

void write_pretty(std::ostream& out, const json::value& value, int depth) {
    switch (value.kind()) {
    case json::kind::object: {
        const auto& object = value.get_object();
        if (object.empty()) {
            out << "{}";
            return;
        }
        out << "{\n";
        bool first = true;
        for (const auto& [key, member] : object) {
            out << (first ? "" : ",\n");
            first = false;
            indent(out, depth + 1);
            out << json::serialize(json::string_view(key)) << ": ";
            write_pretty(out, member, depth + 1);
        }
        out << "\n";
        indent(out, depth);
        out << "}";
        return;
    }
    case json::kind::array: {
        const auto& array = value.get_array();
        if (array.empty()) {
            out << "[]";
            return;
        }
        out << "[\n";
        bool first = true;
        for (const auto& element : array) {
            out << (first ? "" : ",\n");
            first = false;
            indent(out, depth + 1);
            write_pretty(out, element, depth + 1);
        }
        out << "\n";
        indent(out, depth);
        out << "]";
        return;
    }
    case json::kind::double_:
        out << format_double(value.get_double());
        return;
    default:
        out << json::serialize(value);
    }
}

} // namespace

std::string format_double(double number) {
    // Shortest text that reads back as the same double, always with a fraction or an
    // exponent so that it stays a double ("42.0", not Boost's "4.2E1").
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, number);
    std::string text(buffer, ec == std::errc{} ? end : buffer);
    if (text.find_first_of(".eEn") == std::string::npos) {
        text += ".0";
    }
    return text;
}

void print_json(std::ostream& out, const json::value& value) {
    write_pretty(out, value, 0);
    out << "\n";
}

int report_error(const CommandContext& ctx, const core::Error& error) {
    if (ctx.json) {
        json::object body{{"code", core::error_code_name(error.code)}, {"message", error.message}};
        if (!error.where.empty()) {
            body["where"] = error.where;
        }
        print_json(*ctx.out, json::object{{"error", std::move(body)}});
    } else {
        *ctx.err << "error: " << error.to_string() << "\n";
    }
    return k_exit_invalid;
}

core::Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return core::fail(core::ErrorCode::io, "cannot open file for reading", path);
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
        return core::fail(core::ErrorCode::io, "read failed", path);
    }
    return buffer.str();
}

core::Result<json::value> parse_json_text(std::string_view text, const std::string& where) {
    auto parsed = core::parse_json_text(text);
    if (auto* error = std::get_if<core::JsonTextError>(&parsed)) {
        return core::fail(core::ErrorCode::invalid_json, "malformed JSON: " + error->message,
                          where + ":" + error->position);
    }
    return std::get<json::value>(std::move(parsed));
}

} // namespace dtwin::app
