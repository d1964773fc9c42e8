#include "api/adt_responses.hpp"

#include "api/http_server.hpp"

#include <boost/json/serialize.hpp>

namespace dtwin::api {

namespace json = boost::json;

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
