#include "api/adt_responses.hpp"

#include "api/http_server.hpp"
#include "core/json_text.hpp"
#include "core/time.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>

namespace dtwin::api {

namespace json = boost::json;

namespace {

// A localizable DTDL string as the models API returns it: always a language map.
json::object language_map(const json::value* value) {
    json::object map;
    if (value == nullptr) {
        return map;
    }
    if (value->is_string()) {
        map["en"] = value->get_string();
    } else if (value->is_object()) {
        for (const auto& [language, text] : value->get_object()) {
            map[language] = text;
        }
    } else if (value->is_array()) {
        for (const auto& item : value->get_array()) {
            if (item.is_string()) {
                map["en"] = item.get_string();
            } else if (const auto* object = item.if_object(); object && object->contains("@value")) {
                const auto* language = object->if_contains("@language");
                map[language != nullptr && language->is_string() ? language->get_string() : "en"] =
                    object->at("@value");
            }
        }
    }
    return map;
}

} // namespace

json::object model_data(const store::ModelRecord& record, bool include_definition) {
    json::object data;
    data["id"] = record.id;
    auto parsed = core::parse_json_text(record.document);
    const json::object* document = nullptr;
    if (const auto* value = std::get_if<json::value>(&parsed); value != nullptr && value->is_object()) {
        document = &value->get_object();
    }
    data["description"] = language_map(document ? document->if_contains("description") : nullptr);
    data["displayName"] = language_map(document ? document->if_contains("displayName") : nullptr);
    data["decommissioned"] = record.decommissioned;
    data["uploadTime"] = core::format_time(record.upload_time);
    if (include_definition && document != nullptr) {
        data["model"] = *document;
    }
    return data;
}

void answer_after_commit(engine::Engine& engine, const std::function<void()>& request_commit, Responder respond,
                         std::function<HttpResponse()> answer) {
    engine.after_commit([respond = std::move(respond), answer = std::move(answer)](bool committed) {
        respond(committed ? answer()
                          : error_response(500, "InternalServerError",
                                           "the store refused the commit; the write is not durable"));
    });
    if (request_commit) {
        request_commit();
    }
}

HttpResponse json_response(int status, const json::value& body, std::string etag) {
    HttpResponse response;
    response.status = status;
    response.body = json::serialize(body);
    if (!etag.empty()) {
        response.headers.emplace_back("ETag", std::move(etag));
    }
    return response;
}

HttpResponse empty_response(int status, std::string etag) {
    HttpResponse response;
    response.status = status;
    if (!etag.empty()) {
        response.headers.emplace_back("ETag", std::move(etag));
    }
    return response;
}

HttpResponse error_for(const core::Error& error) {
    using core::ErrorCode;
    const std::string message = error.to_string();
    switch (error.code) {
    case ErrorCode::unknown_twin:
        return error_response(404, "DigitalTwinNotFound", message);
    case ErrorCode::unknown_relationship:
        return error_response(404, "RelationshipNotFound", message);
    case ErrorCode::unknown_model:
        return error_response(400, "ValidationFailed", "Invalid twin specified: " + message);
    case ErrorCode::invalid_model:
        return error_response(400, "ModelDecommissioned", message);
    case ErrorCode::already_exists:
    case ErrorCode::precondition_failed:
        return error_response(412, "PreconditionFailed", message);
    case ErrorCode::invalid_value:
        return error_response(400, "ValidationFailed", message);
    case ErrorCode::invalid_patch:
    case ErrorCode::test_failed:
        return error_response(400, "JsonPatchInvalid", message);
    case ErrorCode::in_use:
        return error_response(400, "RelationshipsNotDeleted", message);
    case ErrorCode::invalid_json:
        return error_response(400, "InvalidArgument", message);
    case ErrorCode::unknown_alert:
        return error_response(404, "NotFound", message);
    case ErrorCode::storage:
    case ErrorCode::io:
        break;
    }
    return error_response(500, "InternalServerError", message);
}

std::optional<HttpResponse> check_api_version(const HttpRequest& request) {
    const auto version = request.query.find("api-version");
    if (version == request.query.end() || version->second == k_api_version) {
        return std::nullopt;
    }
    return error_response(400, "InvalidArgument",
                          "api-version '" + version->second + "' is not supported; use " + std::string(k_api_version));
}

std::optional<ListPage> page_of(const HttpRequest& request, HttpResponse& refused) {
    ListPage page;
    const auto read = [&](const std::string& text, std::size_t& out, std::string_view what) {
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (error != std::errc{} || end != text.data() + text.size()) {
            refused = error_response(400, "InvalidArgument", std::string(what) + " '" + text + "' is not a number");
            return false;
        }
        return true;
    };
    if (const std::string ct = request.parameter("ct"); !ct.empty() && !read(ct, page.offset, "the page cursor ct")) {
        return std::nullopt;
    }
    if (const std::string size = request.header("max-items-per-page"); !size.empty()) {
        if (!read(size, page.size, "max-items-per-page")) {
            return std::nullopt;
        }
        page.size = std::clamp<std::size_t>(page.size, 1, 100);
    }
    return page;
}

json::object list_response_body(const HttpRequest& request, json::array items, std::size_t total,
                                const ListPage& page) {
    json::value next = nullptr;
    const std::size_t end = page.offset + items.size();
    if (end < total) {
        std::string link = request.scheme + "://" + request.header("host");
        for (const auto& segment : request.path) {
            link += "/" + boost::urls::encode(segment, boost::urls::pchars);
        }
        link += "?ct=" + std::to_string(end);
        for (const auto& [name, value] : request.query) {
            if (name != "ct") {
                link += "&" + boost::urls::encode(name, boost::urls::unreserved_chars) + "=" +
                        boost::urls::encode(value, boost::urls::unreserved_chars);
            }
        }
        next = json::value(link);
    }
    return json::object{{"value", std::move(items)}, {"nextLink", std::move(next)}};
}

} // namespace dtwin::api
