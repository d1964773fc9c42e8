#include "api/adt_responses.hpp"

#include "api/http_server.hpp"
#include "core/json_text.hpp"
#include "core/time.hpp"

#include <boost/json/serialize.hpp>

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

} // namespace dtwin::api
