// The ADT model writes: POST /models (an array of DTDL Interfaces, all or nothing,
// checked by dtwin's DTDL parser against the models already loaded), PATCH /models/{id}
// (decommission) and DELETE /models/{id}. Answered after the commit, like twin writes.
#include "api/adt_responses.hpp"
#include "api/adt_routes.hpp"
#include "api/http_server.hpp"
#include "core/dtdl/dtdl_parser.hpp"
#include "core/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <set>

namespace dtwin::api {

namespace json = boost::json;

namespace {

// 400 DTDLParserError: the parser's issues, each naming the uploaded array element
// ("/2"), the JSON pointer inside it and the rule.
HttpResponse parser_error(const std::vector<core::dtdl::ModelIssue>& issues) {
    std::string message;
    json::array details;
    for (const auto& issue : issues) {
        if (details.size() < 100) {
            details.push_back(json::object{{"code", issue.rule}, {"message", issue.to_string()}});
        }
        if (message.size() < 2'000) {
            message += (message.empty() ? "" : "; ") + issue.to_string();
        }
    }
    HttpResponse response;
    response.status = 400;
    response.body = json::serialize(
        json::object{{"error", json::object{{"code", "DTDLParserError"},
                                            {"message", std::to_string(issues.size()) + " DTDL error(s): " + message},
                                            {"details", std::move(details)}}}});
    return response;
}

} // namespace

bool AdtRoutes::handle_model_write(const HttpRequest& request, const Responder& respond) const {
    const auto& path = request.path;
    const bool upload = request.method == "POST" && path.size() == 1 && path[0] == "models";
    const bool one =
        (request.method == "PATCH" || request.method == "DELETE") && path.size() == 2 && path[0] == "models";
    if (!upload && !one) {
        return false;
    }
    if (auto refused = check_api_version(request)) {
        respond(std::move(*refused));
    } else if (m_sources.engine == nullptr || m_sources.models == nullptr) {
        respond(error_response(405, "MethodNotAllowed", "this API is read-only"));
    } else if (upload) {
        upload_models(request, respond);
    } else if (request.method == "PATCH") {
        decommission_model(request, path[1], respond);
    } else {
        delete_model(path[1], respond);
    }
    return true;
}

void AdtRoutes::upload_models(const HttpRequest& request, const Responder& respond) const {
    auto parsed = core::parse_json_text(request.body);
    const json::array* models = nullptr;
    if (const auto* value = std::get_if<json::value>(&parsed)) {
        models = value->if_array();
    }
    if (models == nullptr || models->empty()) {
        return respond(
            error_response(400, "InvalidArgument", "the body must be a non-empty JSON array of DTDL models"));
    }
    std::vector<core::dtdl::ModelDocument> documents;
    std::set<std::string, std::less<>> taken;
    for (std::size_t i = 0; i < models->size(); ++i) {
        documents.push_back({"/" + std::to_string(i), json::serialize((*models)[i])});
        if (const auto* object = (*models)[i].if_object()) {
            if (const auto* id = object->if_contains("@id");
                id && id->is_string() && m_sources.graph->find_model(id->get_string()) != nullptr) {
                taken.insert(std::string(id->get_string()));
            }
        }
    }
    if (!taken.empty()) {
        std::string list;
        for (const auto& id : taken) {
            list += (list.empty() ? "" : ", ") + id;
        }
        return respond(error_response(409, "ModelIdAlreadyExists", "these models already exist: " + list));
    }
    core::dtdl::InterfaceMap known;
    for (const auto& id : m_sources.graph->models().ids()) {
        known.emplace(id, m_sources.graph->find_model(id));
    }
    auto result = core::dtdl::parse_models(documents, m_sources.parse_options, known);
    if (!result.ok()) {
        return respond(parser_error(result.errors));
    }
    // One record per uploaded element (Interfaces nested inside another are stored with it).
    const core::TimePoint now = m_sources.clock != nullptr ? m_sources.clock->now() : core::TimePoint{};
    std::vector<store::ModelRecord> records;
    for (const auto& model : *models) {
        const auto* id = model.as_object().if_contains("@id");
        records.push_back({std::string(id->get_string()), json::serialize(model), now, false});
    }
    std::vector<core::InterfacePtr> top_level;
    for (const auto& interface : result.interfaces) {
        if (std::any_of(records.begin(), records.end(), [&](const auto& r) { return r.id == interface->id; })) {
            top_level.push_back(interface);
        }
    }
    if (auto added = m_sources.engine->add_models(top_level, records); !added) {
        return respond(error_for(added.error()));
    }
    m_sources.models->insert(m_sources.models->end(), records.begin(), records.end());
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [records] {
        json::array created;
        for (const auto& record : records) {
            created.push_back(model_data(record, false));
        }
        return json_response(201, created);
    });
}

void AdtRoutes::decommission_model(const HttpRequest& request, const std::string& id, const Responder& respond) const {
    auto record = std::find_if(m_sources.models->begin(), m_sources.models->end(),
                               [&](const store::ModelRecord& r) { return r.id == id; });
    if (record == m_sources.models->end()) {
        return respond(error_response(404, "ModelNotFound", "there is no model '" + id + "'"));
    }
    auto parsed = core::parse_json_text(request.body);
    const json::array* patch = nullptr;
    if (const auto* value = std::get_if<json::value>(&parsed)) {
        patch = value->if_array();
    }
    const json::object* operation = patch != nullptr && patch->size() == 1 ? (*patch)[0].if_object() : nullptr;
    const bool valid = operation != nullptr && operation->contains("op") && operation->at("op") == "replace" &&
                       operation->contains("path") && operation->at("path") == "/decommissioned" &&
                       operation->contains("value") && operation->at("value") == true;
    if (!valid) {
        return respond(error_response(
            400, "JsonPatchInvalid",
            R"(a model can only be decommissioned: [{"op": "replace", "path": "/decommissioned", "value": true}])"));
    }
    store::ModelRecord updated = *record;
    updated.decommissioned = true;
    if (auto set = m_sources.engine->set_decommissioned(updated); !set) {
        return respond(error_for(set.error()));
    }
    record->decommissioned = true;
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [] { return empty_response(204); });
}

void AdtRoutes::delete_model(const std::string& id, const Responder& respond) const {
    auto record = std::find_if(m_sources.models->begin(), m_sources.models->end(),
                               [&](const store::ModelRecord& r) { return r.id == id; });
    if (record == m_sources.models->end()) {
        return respond(error_response(404, "ModelNotFound", "there is no model '" + id + "'"));
    }
    if (auto deleted = m_sources.engine->delete_model(id); !deleted) {
        if (deleted.error().code == core::ErrorCode::in_use) {
            return respond(error_response(409, "ModelReferencesNotDeleted", deleted.error().to_string()));
        }
        return respond(error_for(deleted.error()));
    }
    m_sources.models->erase(record);
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [] { return empty_response(204); });
}

} // namespace dtwin::api
