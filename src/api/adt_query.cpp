// POST /query: the ADT query language over the in-memory graph, with continuation
// tokens and the query-charge header. Reads what the engine has applied, so a write
// acknowledged a moment ago is in the very next query (ADT: up to 10 s later).
#include "api/adt_responses.hpp"
#include "api/adt_routes.hpp"
#include "api/http_server.hpp"
#include "core/json_text.hpp"
#include "core/query/query_executor.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cstdio>

namespace dtwin::api {

namespace json = boost::json;

namespace {

constexpr std::size_t k_default_page = 100;
constexpr std::size_t k_max_page = 1'000;

// Continuation token: "1." + the offset + "." + the query text in hex. Opaque to
// clients; self-contained, so a server restart between pages does not break it.
std::string make_token(const std::string& query, std::size_t offset) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string token = "1." + std::to_string(offset) + ".";
    for (const unsigned char c : query) {
        token += k_hex[c >> 4U];
        token += k_hex[c & 15U];
    }
    return token;
}

bool read_token(std::string_view token, std::string& query, std::size_t& offset) {
    if (!token.starts_with("1.")) {
        return false;
    }
    token.remove_prefix(2);
    const auto dot = token.find('.');
    if (dot == std::string_view::npos) {
        return false;
    }
    const auto [end, error] = std::from_chars(token.data(), token.data() + dot, offset);
    if (error != std::errc{} || end != token.data() + dot) {
        return false;
    }
    const std::string_view hex = token.substr(dot + 1);
    if (hex.size() % 2 != 0) {
        return false;
    }
    query.clear();
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        unsigned value = 0;
        const auto [stop, bad] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
        if (bad != std::errc{} || stop != hex.data() + i + 2) {
            return false;
        }
        query += static_cast<char>(value);
    }
    return true;
}

HttpResponse query_error(const core::Error& error) {
    return error_response(400, "SqlQueryError",
                          "SQL query parse failed: " + error.message +
                              (error.where.empty() ? std::string() : " (at " + error.where + ")"));
}

} // namespace

HttpResponse AdtRoutes::query(const HttpRequest& request) const {
    auto parsed = core::parse_json_text(request.body);
    const json::object* body = nullptr;
    if (const auto* value = std::get_if<json::value>(&parsed)) {
        body = value->if_object();
    }
    if (body == nullptr) {
        return error_response(400, "InvalidArgument", R"(the body must be a JSON object: {"query": "SELECT ..."})");
    }
    std::string text;
    std::size_t offset = 0;
    const auto* token = body->if_contains("continuationToken");
    if (token != nullptr && !token->is_null()) {
        if (!token->is_string() || !read_token(token->get_string(), text, offset)) {
            return error_response(400, "BadRequest", "the continuation token is not one this server issued");
        }
    } else if (const auto* query_text = body->if_contains("query"); query_text != nullptr && query_text->is_string()) {
        text = std::string(query_text->get_string());
    } else {
        return error_response(400, "InvalidArgument", "the body has no \"query\" string");
    }
    std::size_t page_size = k_default_page;
    if (const std::string header = request.header("max-items-per-page"); !header.empty()) {
        std::size_t asked = 0;
        const auto [end, error] = std::from_chars(header.data(), header.data() + header.size(), asked);
        if (error != std::errc{} || end != header.data() + header.size() || asked == 0) {
            return error_response(400, "InvalidArgument",
                                  "max-items-per-page must be a whole number of at least 1, not '" + header + "'");
        }
        page_size = std::min(asked, k_max_page);
    }
    auto select = core::query::parse_select(text);
    if (!select) {
        return query_error(select.error());
    }
    auto page = core::query::run_select(*m_sources.graph, *select, offset, page_size);
    if (!page) {
        return query_error(page.error());
    }
    json::object result;
    result["value"] = std::move(page->rows);
    result["continuationToken"] =
        page->more ? json::value(make_token(text, offset + result["value"].as_array().size())) : json::value(nullptr);
    HttpResponse response = json_response(200, result);
    char charge[32];
    std::snprintf(charge, sizeof charge, "%.2f", 1.0 + static_cast<double>(page->scanned) / 1000.0);
    response.headers.emplace_back("query-charge", charge);
    return response;
}

} // namespace dtwin::api
