// The ADT write routes: twins and relationships through the engine. A write is applied
// at once (so the next read sees it) and answered after the commit that made it durable;
// several writes arriving together share that commit.
#include "api/adt_responses.hpp"
#include "api/adt_routes.hpp"
#include "api/http_server.hpp"
#include "core/json_text.hpp"
#include "core/twin.hpp"
#include "core/twin_json.hpp"

namespace dtwin::api {

namespace json = boost::json;

namespace {

// What a write request carries besides its path: the JSON body (when the route takes
// one), If-Match as write options, If-None-Match: * as "only if absent".
struct WriteInput {
    json::value body;
    core::WriteOptions options;
    bool only_if_absent = false;
};

// The request's WriteInput, or the 400 that says what is wrong with it: a body that is
// missing or not JSON, If-Match other than * or one entity tag ("W/\"5\"", "\"5\""),
// If-None-Match other than *.
std::variant<WriteInput, HttpResponse> write_input(const HttpRequest& request, bool with_body) {
    WriteInput input;
    if (with_body) {
        if (request.body.empty()) {
            return error_response(400, "InvalidArgument", "the request has no body; it must be JSON");
        }
        auto parsed = core::parse_json_text(request.body);
        if (const auto* error = std::get_if<core::JsonTextError>(&parsed)) {
            return error_response(400, "InvalidArgument",
                                  "the body is not JSON: " + error->message + " at " + error->position);
        }
        input.body = std::get<json::value>(std::move(parsed));
        if (auto* object = input.body.if_object()) {
            object->erase("$etag"); // the server owns it; ADT ignores it too
        }
    }
    if (const auto found = request.headers.find("if-match"); found != request.headers.end()) {
        const std::string& value = found->second;
        const bool quoted = value.size() >= 2 && value.back() == '"' &&
                            (value.front() == '"' || (value.starts_with("W/\"") && value.size() >= 4));
        if (value != "*" && !quoted) {
            return error_response(400, "InvalidArgument",
                                  "If-Match must be * or an entity tag such as W/\"12\", not '" + value + "'");
        }
        input.options.if_match = value;
    }
    if (const auto found = request.headers.find("if-none-match"); found != request.headers.end()) {
        if (found->second != "*") {
            return error_response(400, "InvalidArgument", "If-None-Match may only be *, not '" + found->second + "'");
        }
        input.only_if_absent = true;
    }
    return input;
}

} // namespace

bool AdtRoutes::handle_write(const HttpRequest& request, const Responder& respond) const {
    const auto& path = request.path;
    const bool twin_route = path.size() == 2 && path[0] == "digitaltwins";
    const bool relationship_route = path.size() == 4 && path[0] == "digitaltwins" && path[2] == "relationships";
    if (!twin_route && !relationship_route) {
        return false;
    }
    const std::string& method = request.method;
    if (method != "PUT" && method != "PATCH" && method != "DELETE") {
        return false;
    }
    if (auto refused = check_api_version(request)) {
        respond(std::move(*refused));
        return true;
    }
    if (m_sources.engine == nullptr) {
        respond(error_response(405, "MethodNotAllowed", "this API is read-only"));
        return true;
    }
    if (m_sources.engine->failed()) {
        respond(error_response(503, "ServiceUnavailable",
                               "the store refused a commit; dtwin serve is stopping and must be restarted"));
        return true;
    }
    if (twin_route) {
        if (method == "PUT") {
            put_twin(request, path[1], respond);
        } else if (method == "PATCH") {
            patch_twin(request, path[1], respond);
        } else {
            delete_twin(request, path[1], respond);
        }
    } else if (method == "PUT") {
        put_relationship(request, path[1], path[3], respond);
    } else if (method == "PATCH") {
        patch_relationship(request, path[1], path[3], respond);
    } else {
        delete_relationship(request, path[1], path[3], respond);
    }
    return true;
}

void AdtRoutes::put_twin(const HttpRequest& request, const std::string& id, const Responder& respond) const {
    auto read = write_input(request, true);
    if (auto* refused = std::get_if<HttpResponse>(&read)) {
        return respond(std::move(*refused));
    }
    auto& input = std::get<WriteInput>(read);
    auto written = m_sources.engine->put_twin(id, input.body, {}, input.only_if_absent);
    if (!written) {
        return respond(error_for(written.error()));
    }
    core::TwinGraph* graph = m_sources.graph;
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [graph, id] {
        const core::Twin* twin = graph->find_twin(id);
        return twin == nullptr ? error_response(404, "DigitalTwinNotFound", "twin '" + id + "' was deleted meanwhile")
                               : json_response(200, core::twin_to_json(*twin), twin->etag());
    });
}

void AdtRoutes::patch_twin(const HttpRequest& request, const std::string& id, const Responder& respond) const {
    auto read = write_input(request, true);
    if (auto* refused = std::get_if<HttpResponse>(&read)) {
        return respond(std::move(*refused));
    }
    auto& input = std::get<WriteInput>(read);
    auto written = m_sources.engine->patch_twin(id, input.body, input.options);
    if (!written) {
        return respond(error_for(written.error()));
    }
    const core::Twin* twin = m_sources.graph->find_twin(id);
    std::string etag = twin != nullptr ? twin->etag() : core::make_etag(written->version);
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond,
                        [etag] { return empty_response(204, etag); });
}

void AdtRoutes::delete_twin(const HttpRequest& request, const std::string& id, const Responder& respond) const {
    auto read = write_input(request, false);
    if (auto* refused = std::get_if<HttpResponse>(&read)) {
        return respond(std::move(*refused));
    }
    auto& input = std::get<WriteInput>(read);
    if (auto deleted = m_sources.engine->delete_twin(id, input.options); !deleted) {
        return respond(error_for(deleted.error()));
    }
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [] { return empty_response(204); });
}

void AdtRoutes::put_relationship(const HttpRequest& request, const std::string& id, const std::string& relationship,
                                 const Responder& respond) const {
    auto read = write_input(request, true);
    if (auto* refused = std::get_if<HttpResponse>(&read)) {
        return respond(std::move(*refused));
    }
    auto& input = std::get<WriteInput>(read);
    if (auto* object = input.body.if_object()) {
        // A target that does not exist is ADT's 404 TargetDigitalTwinNotFound.
        if (const auto* target = object->if_contains("$targetId");
            target != nullptr && target->is_string() && m_sources.graph->find_twin(target->get_string()) == nullptr &&
            m_sources.graph->find_twin(id) != nullptr) {
            return respond(
                error_response(404, "TargetDigitalTwinNotFound",
                               "the target twin '" + std::string(target->get_string()) + "' does not exist"));
        }
    }
    auto written = m_sources.engine->put_relationship(id, relationship, input.body, {}, input.only_if_absent);
    if (!written) {
        return respond(error_for(written.error()));
    }
    core::TwinGraph* graph = m_sources.graph;
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [graph, id, relationship] {
        auto stored = graph->get_relationship(id, relationship);
        return !stored ? error_response(404, "RelationshipNotFound", "relationship was deleted meanwhile")
                       : json_response(200, core::relationship_to_json(*stored), stored->etag());
    });
}

void AdtRoutes::patch_relationship(const HttpRequest& request, const std::string& id, const std::string& relationship,
                                   const Responder& respond) const {
    auto read = write_input(request, true);
    if (auto* refused = std::get_if<HttpResponse>(&read)) {
        return respond(std::move(*refused));
    }
    auto& input = std::get<WriteInput>(read);
    if (m_sources.graph->find_twin(id) == nullptr) {
        return respond(error_response(404, "DigitalTwinNotFound", "there is no digital twin '" + id + "'"));
    }
    auto written = m_sources.engine->patch_relationship(id, relationship, input.body, input.options);
    if (!written) {
        return respond(error_for(written.error()));
    }
    auto stored = m_sources.graph->get_relationship(id, relationship);
    std::string etag = stored ? stored->etag() : core::make_etag(written->version);
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond,
                        [etag] { return empty_response(204, etag); });
}

void AdtRoutes::delete_relationship(const HttpRequest& request, const std::string& id, const std::string& relationship,
                                    const Responder& respond) const {
    auto read = write_input(request, false);
    if (auto* refused = std::get_if<HttpResponse>(&read)) {
        return respond(std::move(*refused));
    }
    auto& input = std::get<WriteInput>(read);
    if (m_sources.graph->find_twin(id) == nullptr) {
        return respond(error_response(404, "DigitalTwinNotFound", "there is no digital twin '" + id + "'"));
    }
    if (auto deleted = m_sources.engine->delete_relationship(id, relationship, input.options); !deleted) {
        return respond(error_for(deleted.error()));
    }
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [] { return empty_response(204); });
}

} // namespace dtwin::api
