#include "api/adt_routes.hpp"

#include "api/adt_responses.hpp"
#include "api/http_server.hpp"
#include "core/json_text.hpp"
#include "core/twin_json.hpp"

#include <boost/json/serialize.hpp>
#include <set>

namespace dtwin::api {

namespace json = boost::json;

namespace {

HttpResponse not_found(std::string_view code, const std::string& what) {
    return error_response(404, code, what);
}

} // namespace

void AdtRoutes::handle(const HttpRequest& request, const Responder& respond) const {
    const auto& path = request.path;
    if (request.method == "POST" && path.size() == 4 && path[0] == "dtwin" && path[1] == "alerts" && path[3] == "ack") {
        return acknowledge_alert(request, path[2], respond);
    }
    if (request.method != "GET" && (handle_model_write(request, respond) || handle_write(request, respond))) {
        return;
    }
    respond(route(request));
}

HttpResponse AdtRoutes::route(const HttpRequest& request) const {
    const auto& path = request.path;
    if (auto refused = check_api_version(request)) {
        return std::move(*refused);
    }
    const bool get = request.method == "GET";
    if (get && path.size() == 1 && path[0] == "healthz") {
        return json_response(200, json::object{{"status", "ok"}});
    }
    if (get && path.size() == 1 && path[0] == "readyz") {
        const bool mqtt = !m_sources.mqtt_connected || m_sources.mqtt_connected();
        return json_response(mqtt ? 200 : 503, json::object{{"status", mqtt ? "ready" : "not ready"},
                                                            {"store", "open"},
                                                            {"mqtt", mqtt ? "connected" : "disconnected"}});
    }
    if (!path.empty() && path[0] == "digitaltwins" && path.size() >= 2) {
        const std::string& id = path[1];
        if (get && path.size() == 2) {
            return get_twin(id);
        }
        if (get && path.size() == 4 && path[2] == "components") {
            return get_component(id, path[3]);
        }
        if (get && path.size() == 3 && (path[2] == "relationships" || path[2] == "incomingrelationships")) {
            return list_relationships(request, id, path[2] == "incomingrelationships");
        }
        if (get && path.size() == 4 && path[2] == "relationships") {
            return get_relationship(id, path[3]);
        }
    }
    if (get && path.size() == 2 && path[0] == "dtwin" && path[1] == "alerts") {
        return list_alerts(request);
    }
    if (get && path.size() == 1 && path[0] == "metrics") {
        return metrics();
    }
    if (get && path.size() == 4 && path[0] == "dtwin" && path[1] == "history") {
        return history(request, path[2], path[3]);
    }
    if (request.method == "POST" && path.size() == 1 && path[0] == "query") {
        return query(request);
    }
    if (get && path.size() == 1 && path[0] == "models") {
        return list_models(request);
    }
    if (get && path.size() == 2 && path[0] == "models") {
        return get_model(request, path[1]);
    }
    const bool known_root = !path.empty() && (path[0] == "digitaltwins" || path[0] == "models" || path[0] == "query" ||
                                              path[0] == "eventroutes");
    if (known_root) {
        return error_response(501, "NotImplemented",
                              request.method + " " + request.target + " is not served by this dtwin yet");
    }
    return error_response(404, "NotFound", "no route for " + request.method + " " + request.target);
}

HttpResponse AdtRoutes::get_twin(const std::string& id) const {
    const core::Twin* twin = m_sources.graph->find_twin(id);
    if (twin == nullptr) {
        return not_found("DigitalTwinNotFound", "there is no digital twin '" + id + "'");
    }
    return json_response(200, core::twin_to_json(*twin), twin->etag());
}

HttpResponse AdtRoutes::get_component(const std::string& id, const std::string& component) const {
    const core::Twin* twin = m_sources.graph->find_twin(id);
    if (twin == nullptr) {
        return not_found("DigitalTwinNotFound", "there is no digital twin '" + id + "'");
    }
    const auto model = m_sources.graph->find_model(twin->model_id());
    if (model == nullptr || !model->components.contains(component)) {
        return not_found("ComponentNotFound",
                         "twin '" + id + "' (model " + twin->model_id() + ") has no component '" + component + "'");
    }
    const json::object document = core::twin_to_json(*twin);
    const json::value* value = document.if_contains(component);
    return json_response(200, value != nullptr ? *value : json::value(json::object{{"$metadata", json::object{}}}),
                         twin->etag());
}

HttpResponse AdtRoutes::list_relationships(const HttpRequest& request, const std::string& id, bool incoming) const {
    HttpResponse refused;
    const auto page = page_of(request, refused);
    if (!page) {
        return refused;
    }
    auto listed = m_sources.graph->list_relationships(id, incoming ? core::RelationshipDirection::incoming
                                                                   : core::RelationshipDirection::outgoing);
    if (!listed) {
        return not_found("DigitalTwinNotFound", "there is no digital twin '" + id + "'");
    }
    const std::string name = request.parameter("relationshipName");
    std::vector<const core::Relationship*> chosen;
    for (const auto& relationship : *listed) {
        if (incoming || name.empty() || relationship.name == name) {
            chosen.push_back(&relationship);
        }
    }
    json::array value;
    for (std::size_t i = page->offset; i < chosen.size() && value.size() < page->size; ++i) {
        const core::Relationship& relationship = *chosen[i];
        if (incoming) {
            value.push_back(json::object{{"$relationshipId", relationship.id},
                                         {"$sourceId", relationship.source_id},
                                         {"$relationshipName", relationship.name},
                                         {"$relationshipLink", "/digitaltwins/" + relationship.source_id +
                                                                   "/relationships/" + relationship.id}});
        } else {
            value.push_back(core::relationship_to_json(relationship));
        }
    }
    return json_response(200, list_response_body(request, std::move(value), chosen.size(), *page));
}

HttpResponse AdtRoutes::get_relationship(const std::string& id, const std::string& relationship) const {
    if (m_sources.graph->find_twin(id) == nullptr) {
        return not_found("DigitalTwinNotFound", "there is no digital twin '" + id + "'");
    }
    auto found = m_sources.graph->get_relationship(id, relationship);
    if (!found) {
        return not_found("RelationshipNotFound", "twin '" + id + "' has no relationship '" + relationship + "'");
    }
    return json_response(200, core::relationship_to_json(*found), found->etag());
}

HttpResponse AdtRoutes::get_model(const HttpRequest& request, const std::string& id) const {
    for (const auto& record : *m_sources.models) {
        if (record.id == id) {
            return json_response(200, model_data(record, request.parameter("includeModelDefinition") == "true"));
        }
    }
    return not_found("ModelNotFound", "there is no model '" + id + "'");
}

HttpResponse AdtRoutes::list_models(const HttpRequest& request) const {
    HttpResponse refused;
    const auto page = page_of(request, refused);
    if (!page) {
        return refused;
    }
    const bool include = request.parameter("includeModelDefinition") == "true";
    // dependenciesFor: those models and everything they use (extends, component schemas,
    // relationship targets), transitively; comma-separated and/or repeated.
    std::set<std::string, std::less<>> wanted;
    std::vector<std::string> pending;
    const auto [first, last] = request.query.equal_range("dependenciesFor");
    for (auto it = first; it != last; ++it) {
        std::string_view list = it->second;
        while (!list.empty()) {
            const auto comma = list.find(',');
            const std::string id(list.substr(0, comma));
            if (!id.empty()) {
                if (m_sources.graph->find_model(id) == nullptr) {
                    return not_found("ModelNotFound", "dependenciesFor names '" + id + "', which is not a model");
                }
                pending.push_back(id);
            }
            list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        }
    }
    while (!pending.empty()) {
        const std::string id = std::move(pending.back());
        pending.pop_back();
        if (!wanted.insert(id).second) {
            continue;
        }
        const auto model = m_sources.graph->find_model(id);
        if (model == nullptr) {
            continue;
        }
        for (const auto& base : model->ancestors) {
            pending.push_back(base);
        }
        for (const auto& [name, component] : model->components) {
            pending.push_back(component.schema);
        }
        for (const auto& [name, relationship] : model->relationships) {
            if (relationship.target) {
                pending.push_back(*relationship.target);
            }
        }
    }
    std::vector<const store::ModelRecord*> chosen;
    for (const auto& record : *m_sources.models) {
        if (first == last || wanted.contains(record.id)) {
            chosen.push_back(&record);
        }
    }
    json::array value;
    for (std::size_t i = page->offset; i < chosen.size() && value.size() < page->size; ++i) {
        value.push_back(model_data(*chosen[i], include));
    }
    return json_response(200, list_response_body(request, std::move(value), chosen.size(), *page));
}

} // namespace dtwin::api
