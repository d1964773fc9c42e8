// dtwin's own routes beside the ADT ones: history of a property over a time range,
// raw or downsampled (what charts need), and Prometheus metrics.
//
//   GET /dtwin/history/{twin}/{property}?from=&to=&step=|points=&limit=
//   GET /metrics
//   GET /dtwin/alerts?twin=&state=&rule=&limit=, POST /dtwin/alerts/{id}/ack
#include "api/adt_responses.hpp"
#include "api/adt_routes.hpp"
#include "api/http_server.hpp"
#include "core/downsample.hpp"
#include "core/json_text.hpp"
#include "engine/alert_records.hpp"
#include "engine/event_json.hpp"

#include <charconv>
#include <sstream>

namespace dtwin::api {

namespace json = boost::json;

namespace {

constexpr std::size_t k_max_raw_samples = 100'000;
constexpr std::size_t k_max_points = 10'000;

std::variant<std::optional<core::TimePoint>, HttpResponse> time_parameter(const HttpRequest& request,
                                                                          const std::string& name) {
    const std::string text = request.parameter(name);
    if (text.empty()) {
        return std::optional<core::TimePoint>{};
    }
    auto parsed = core::parse_time(text);
    if (!parsed) {
        return error_response(400, "InvalidArgument", name + " must be an RFC 3339 time, not '" + text + "'");
    }
    return parsed;
}

} // namespace

HttpResponse AdtRoutes::history(const HttpRequest& request, const std::string& twin,
                                const std::string& property) const {
    if (m_sources.store == nullptr) {
        return error_response(501, "NotImplemented", "no store behind this API");
    }
    auto from = time_parameter(request, "from");
    auto to = time_parameter(request, "to");
    for (auto* parsed : {&from, &to}) {
        if (auto* refused = std::get_if<HttpResponse>(parsed)) {
            return std::move(*refused);
        }
    }
    const auto range_from = std::get<0>(from);
    const auto range_to = std::get<0>(to);
    std::optional<std::chrono::microseconds> step;
    if (const std::string text = request.parameter("step"); !text.empty()) {
        auto parsed = core::parse_duration(text);
        if (!parsed) {
            return error_response(400, "InvalidArgument", "step: " + parsed.error().to_string());
        }
        step = *parsed;
    }
    if (const std::string text = request.parameter("points"); !text.empty()) {
        std::size_t points = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), points);
        if (error != std::errc{} || end != text.data() + text.size() || points == 0 || points > k_max_points) {
            return error_response(400, "InvalidArgument",
                                  "points must be a whole number from 1 to " + std::to_string(k_max_points));
        }
        if (!range_from || !range_to || *range_to <= *range_from) {
            return error_response(400, "InvalidArgument", "points needs from and to, with from before to");
        }
        step = std::max(std::chrono::microseconds{1}, (*range_to - *range_from) / static_cast<std::int64_t>(points));
    }
    store::HistoryQuery query{twin, property};
    query.from = range_from.value_or(core::TimePoint::min());
    query.to = range_to.value_or(core::TimePoint::max());
    std::size_t limit = k_max_raw_samples;
    if (const std::string text = request.parameter("limit"); !text.empty()) {
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (error != std::errc{} || end != text.data() + text.size() || limit == 0) {
            return error_response(400, "InvalidArgument", "limit must be a whole number of at least 1");
        }
    }
    query.limit = step ? 0 : std::min(limit, k_max_raw_samples);
    auto samples = m_sources.store->history(query);
    if (!samples) {
        return error_for(samples.error());
    }
    json::object result{{"twin", twin}, {"property", property}};
    if (!step) {
        json::array rows;
        for (const auto& sample : *samples) {
            rows.push_back(json::object{{"time", core::format_time(sample.source_time)},
                                        {"value", engine::sample_value_to_json(sample.value)}});
        }
        result["samples"] = std::move(rows);
        return json_response(200, result);
    }
    std::size_t skipped = 0;
    const std::vector<core::NumericSample> numeric = engine::numeric_samples(*samples, skipped);
    const core::TimePoint bucket_from = range_from.value_or(numeric.empty() ? core::TimePoint{} : numeric.front().time);
    const core::TimePoint bucket_to =
        range_to.value_or(numeric.empty() ? core::TimePoint{} : numeric.back().time + std::chrono::microseconds{1});
    auto buckets = core::downsample(numeric, bucket_from, bucket_to, *step);
    if (!buckets) {
        return error_response(400, "InvalidArgument", buckets.error().to_string());
    }
    result["stepMicroseconds"] = step->count();
    result["skippedNonNumeric"] = skipped;
    json::array rows;
    for (const auto& bucket : *buckets) {
        rows.push_back(engine::bucket_to_json(bucket));
    }
    result["buckets"] = std::move(rows);
    return json_response(200, result);
}

HttpResponse AdtRoutes::metrics() const {
    std::ostringstream out;
    const auto metric = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
        out << "# HELP dtwin_" << name << ' ' << help << "\n# TYPE dtwin_" << name << ' ' << type << "\ndtwin_" << name
            << ' ' << value << '\n';
    };
    metric("twins", "gauge", "Twins in the graph.", m_sources.graph->twin_count());
    metric("relationships", "gauge", "Relationships in the graph.", m_sources.graph->relationship_count());
    metric("models", "gauge", "Models loaded.", m_sources.graph->models().size());
    if (m_sources.engine != nullptr) {
        const auto& counters = m_sources.engine->counters();
        metric("messages_total", "counter", "MQTT messages taken in (inside envelopes too).", counters.messages);
        metric("envelopes_total", "counter", "Gateway envelopes decoded.", counters.envelopes);
        metric("duplicates_total", "counter", "Envelope messages dropped as already committed.", counters.duplicates);
        metric("updates_applied_total", "counter", "Twin updates accepted.", counters.updates_applied);
        metric("samples_total", "counter", "History samples staged.", counters.samples);
        metric("commits_total", "counter", "Store transactions.", counters.commits);
        metric("rule_errors_total", "counter", "Rule evaluations that failed at run time.", counters.rule_errors);
        metric("alert_transitions_total", "counter", "Alert state changes stored.", counters.alert_transitions);
        out << "# HELP dtwin_rejected_total Inputs rejected, by reason.\n# TYPE dtwin_rejected_total counter\n";
        for (const auto& [reason, count] : counters.rejected) {
            out << "dtwin_rejected_total{reason=\"" << reason << "\"} " << count << '\n';
        }
    }
    if (m_sources.http_connections) {
        metric("http_connections", "gauge", "Open API connections.", m_sources.http_connections());
    }
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = out.str();
    return response;
}

HttpResponse AdtRoutes::list_alerts(const HttpRequest& request) const {
    if (m_sources.store == nullptr) {
        return error_response(501, "NotImplemented", "no store behind this API");
    }
    store::AlertQuery query{request.parameter("twin"), request.parameter("state"), request.parameter("rule"), 0};
    if (const std::string limit = request.parameter("limit"); !limit.empty()) {
        const auto [end, error] = std::from_chars(limit.data(), limit.data() + limit.size(), query.limit);
        if (error != std::errc{} || end != limit.data() + limit.size()) {
            return error_response(400, "InvalidArgument", "limit must be a whole number");
        }
    }
    auto alerts = m_sources.store->list_alerts(query);
    if (!alerts) {
        return error_for(alerts.error());
    }
    auto acks = m_sources.store->list_alert_acks();
    if (!acks) {
        return error_for(acks.error());
    }
    json::array rows;
    for (const auto& alert : *alerts) {
        const store::AlertAckRecord* pending = nullptr;
        for (const auto& ack : *acks) {
            pending = ack.alert_id == alert.id ? &ack : pending;
        }
        std::optional<json::object> details;
        if (auto parsed = core::parse_json_text(alert.details); std::holds_alternative<json::value>(parsed)) {
            if (auto* object = std::get<json::value>(parsed).if_object()) {
                details = std::move(*object);
            }
        }
        rows.push_back(engine::alert_record_to_json(alert, details, pending));
    }
    return json_response(200, json::object{{"value", std::move(rows)}});
}

void AdtRoutes::acknowledge_alert(const HttpRequest& request, const std::string& id, const Responder& respond) const {
    if (m_sources.store == nullptr || m_sources.engine == nullptr) {
        return respond(error_response(501, "NotImplemented", "no store behind this API"));
    }
    auto alert = m_sources.store->get_alert(id);
    if (!alert) {
        return respond(error_response(404, "AlertNotFound", "there is no alert '" + id + "'"));
    }
    if (auto allowed = engine::check_acknowledgeable(*m_sources.store, *alert); !allowed) {
        const bool conflict = allowed.error().code == core::ErrorCode::already_exists;
        return respond(error_response(conflict ? 409 : 400, conflict ? "AlreadyAcknowledged" : "AlertNotFiring",
                                      allowed.error().to_string()));
    }
    std::string by;
    std::string comment;
    if (!request.body.empty()) {
        auto parsed = core::parse_json_text(request.body);
        const json::object* body = nullptr;
        if (const auto* value = std::get_if<json::value>(&parsed)) {
            body = value->if_object();
        }
        if (body == nullptr) {
            return respond(
                error_response(400, "InvalidArgument", R"(the body must be {"by": "...", "comment": "..."})"));
        }
        for (const auto& [key, target] : {std::pair{"by", &by}, std::pair{"comment", &comment}}) {
            if (const auto* value = body->if_contains(key); value != nullptr && value->is_string()) {
                *target = std::string(value->get_string());
            }
        }
    }
    const core::TimePoint now = m_sources.clock != nullptr ? m_sources.clock->now() : core::TimePoint{};
    m_sources.engine->request_alert_ack(store::AlertAckRecord{id, now, by, comment});
    answer_after_commit(*m_sources.engine, m_sources.request_commit, respond, [id] {
        // Applied by the engine's next sync of alert requests (within a second).
        return json_response(202, json::object{{"id", id}, {"ack", "ack requested"}});
    });
}

} // namespace dtwin::api
