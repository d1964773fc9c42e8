// Building blocks of the ADT routes' answers: JSON bodies with ETags, ADT's error codes
// for the core's errors, the api-version check. Internal to src/api.
#pragma once

#include "api/http_message.hpp"
#include "core/error.hpp"
#include "engine/engine.hpp"
#include "store/store.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dtwin::api {

/// The api-version this API speaks.
inline constexpr std::string_view k_api_version = "2022-05-31";

/// `status` with `body` as JSON, and an ETag header when `etag` is not empty.
[[nodiscard]] HttpResponse json_response(int status, const boost::json::value& body, std::string etag = {});

/// A response without a body (204), with an ETag header when `etag` is not empty.
[[nodiscard]] HttpResponse empty_response(int status, std::string etag = {});

/// The ADT status and code for a core error (unknown_twin -> 404 DigitalTwinNotFound,
/// precondition_failed -> 412 PreconditionFailed, invalid_patch -> 400 JsonPatchInvalid,
/// ...), with the error's text (what and where) as the message.
[[nodiscard]] HttpResponse error_for(const core::Error& error);

/// 400 InvalidArgument when the request names an api-version other than k_api_version.
[[nodiscard]] std::optional<HttpResponse> check_api_version(const HttpRequest& request);

/// One page of a list route: which items of how many, from the request's `ct` (the
/// offset this server put in its nextLink) and `max-items-per-page` (default and most
/// 100, as ADT's model pages). nullopt from page_of with a 400 in `refused`.
struct ListPage {
    std::size_t offset = 0;
    std::size_t size = 100;
};
[[nodiscard]] std::optional<ListPage> page_of(const HttpRequest& request, HttpResponse& refused);

/// {"value": items, "nextLink": absolute URL of the next page, or null}: the link keeps
/// the request's path and parameters and sets `ct` (the SDK re-adds its own parameters).
[[nodiscard]] boost::json::object list_response_body(const HttpRequest& request, boost::json::array items,
                                                     std::size_t total, const ListPage& page);

/// A stored model as ADT's model data: id, displayName/description as language maps,
/// decommissioned, uploadTime, and with `include_definition` the DTDL itself ("model").
[[nodiscard]] boost::json::object model_data(const store::ModelRecord& record, bool include_definition);

/// Registers `answer` to be sent through `respond` after the engine's next commit (a 500
/// if that commit fails), and asks for that commit.
void answer_after_commit(engine::Engine& engine, const std::function<void()>& request_commit, Responder respond,
                         std::function<HttpResponse()> answer);

} // namespace dtwin::api
