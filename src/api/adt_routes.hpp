// The Azure Digital Twins data-plane routes (api-version 2022-05-31; a request without
// api-version is accepted too), answered from the in-memory twin graph on the daemon's
// io_context: what the engine has applied is what a reader sees, without waiting for a
// commit. Shapes, status codes and error codes follow ../shared/ADT_API.md.
//
// Served so far: GET of twins, components, relationships (outgoing by name, incoming),
// models (one, all, with includeModelDefinition), /healthz and /readyz; PUT, PATCH and
// DELETE of twins and relationships through the engine, answered after the commit that
// made them durable (If-Match, If-None-Match: * as ADT has them); POST /query (SELECT with
// TOP, COUNT, projections, FROM DIGITALTWINS or RELATIONSHIPS, WHERE; continuation
// tokens; not yet JOIN and MATCH). Other ADT routes answer
// 501 NotImplemented in ADT's error shape.
//
// Threads: handle() on the io_context thread that owns the graph (the engine's).
#pragma once

#include "api/http_message.hpp"
#include "core/dtdl/dtdl_parser.hpp"
#include "core/twin_graph.hpp"
#include "engine/engine.hpp"
#include "store/store.hpp"

#include <functional>
#include <vector>

namespace dtwin::api {

/// What the routes read. Borrowed: it must outlive the routes.
struct ApiSources {
    core::TwinGraph* graph = nullptr;
    /// The stored models (DTDL text, upload time, decommissioned), for the models routes;
    /// the model writes keep it up to date.
    std::vector<store::ModelRecord>* models = nullptr;
    /// How uploaded DTDL is parsed (models.allow_undefined_extensions).
    core::dtdl::ModelParseOptions parse_options;
    /// For upload times.
    const core::Clock* clock = nullptr;
    /// History reads (/dtwin/history). Null: that route answers 501.
    store::Store* store = nullptr;
    /// Open API connections, for /metrics.
    std::function<std::size_t()> http_connections;
    /// Readiness (/readyz): true while the MQTT connection is up.
    std::function<bool()> mqtt_connected;
    /// The single writer; writes go through it. Null: the API is read-only (writes 405).
    engine::Engine* engine = nullptr;
    /// Asks the owner of the engine to commit soon (writes answer after that commit).
    std::function<void()> request_commit;
};

class AdtRoutes {
public:
    explicit AdtRoutes(ApiSources sources) : m_sources(std::move(sources)) {}

    /// Answers `request` through `respond`: reads at once, writes after their commit.
    void handle(const HttpRequest& request, const Responder& respond) const;

private:
    /// The model writes (adt_models.cpp); false when `request` is none of them.
    bool handle_model_write(const HttpRequest& request, const Responder& respond) const;
    void upload_models(const HttpRequest& request, const Responder& respond) const;
    void decommission_model(const HttpRequest& request, const std::string& id, const Responder& respond) const;
    void delete_model(const std::string& id, const Responder& respond) const;
    /// The write routes (adt_writes.cpp); false when `request` is none of them.
    bool handle_write(const HttpRequest& request, const Responder& respond) const;
    void put_twin(const HttpRequest& request, const std::string& id, const Responder& respond) const;
    void patch_twin(const HttpRequest& request, const std::string& id, const Responder& respond) const;
    void delete_twin(const HttpRequest& request, const std::string& id, const Responder& respond) const;
    void put_relationship(const HttpRequest& request, const std::string& id, const std::string& relationship,
                          const Responder& respond) const;
    void patch_relationship(const HttpRequest& request, const std::string& id, const std::string& relationship,
                            const Responder& respond) const;
    void delete_relationship(const HttpRequest& request, const std::string& id, const std::string& relationship,
                             const Responder& respond) const;

    [[nodiscard]] HttpResponse route(const HttpRequest& request) const;
    [[nodiscard]] HttpResponse get_twin(const std::string& id) const;
    [[nodiscard]] HttpResponse get_component(const std::string& id, const std::string& component) const;
    [[nodiscard]] HttpResponse list_relationships(const HttpRequest& request, const std::string& id,
                                                  bool incoming) const;
    [[nodiscard]] HttpResponse get_relationship(const std::string& id, const std::string& relationship) const;
    [[nodiscard]] HttpResponse get_model(const HttpRequest& request, const std::string& id) const;
    [[nodiscard]] HttpResponse list_models(const HttpRequest& request) const;
    /// dtwin's own routes (dtwin_routes.cpp).
    [[nodiscard]] HttpResponse history(const HttpRequest& request, const std::string& twin,
                                       const std::string& property) const;
    [[nodiscard]] HttpResponse metrics() const;
    [[nodiscard]] HttpResponse list_alerts(const HttpRequest& request) const;
    void acknowledge_alert(const HttpRequest& request, const std::string& id, const Responder& respond) const;
    /// POST /query (adt_query.cpp).
    [[nodiscard]] HttpResponse query(const HttpRequest& request) const;

    ApiSources m_sources;
};

} // namespace dtwin::api
