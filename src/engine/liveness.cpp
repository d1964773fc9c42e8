#include "engine/liveness.hpp"

#include "ingest/topic_filter.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <set>

namespace dtwin::engine {

namespace json = boost::json;

namespace {

/// "offline" -> false, "online" -> true; also {"online": bool} and {"status": "..."}.
std::optional<bool> parse_status(std::string_view payload) {
    while (!payload.empty() && (payload.front() == ' ' || payload.front() == '\n' || payload.front() == '\r' ||
                                payload.front() == '\t' || payload.front() == '"')) {
        payload.remove_prefix(1);
    }
    while (!payload.empty() && (payload.back() == ' ' || payload.back() == '\n' || payload.back() == '\r' ||
                                payload.back() == '\t' || payload.back() == '"')) {
        payload.remove_suffix(1);
    }
    if (payload == "online") {
        return true;
    }
    if (payload == "offline") {
        return false;
    }
    std::error_code ec;
    const json::value document = json::parse(payload, ec);
    if (ec || !document.is_object()) {
        return std::nullopt;
    }
    const auto& object = document.get_object();
    if (const auto* online = object.if_contains("online"); online && online->is_bool()) {
        return online->get_bool();
    }
    if (const auto* status = object.if_contains("status"); status && status->is_string()) {
        return parse_status(status->get_string());
    }
    return std::nullopt;
}

} // namespace

Liveness::Liveness(const EngineOptions& options) {
    for (const auto& rule : options.liveness_rules) {
        if (!rule.selector.twin.empty()) {
            m_by_twin.emplace(rule.selector.twin, &rule);
        } else {
            m_by_model.emplace(rule.selector.model, &rule);
        }
        if (!rule.status_topic.empty()) {
            m_status_rules.push_back(&rule);
        }
    }
    std::set<std::string> names;
    for (const auto& mapping : options.mappings) {
        for (const auto& field : mapping.fields) {
            names.insert(field.property);
        }
        if (mapping.timestamp && !mapping.timestamp->property.empty()) {
            names.insert(mapping.timestamp->property);
        }
    }
    m_properties.assign(names.begin(), names.end());
}

const LivenessRule* Liveness::rule_for(const core::Twin& twin) const {
    if (auto it = m_by_twin.find(twin.id()); it != m_by_twin.end()) {
        return it->second;
    }
    if (auto it = m_by_model.find(twin.model_id()); it != m_by_model.end()) {
        return it->second;
    }
    return nullptr;
}

void Liveness::arm(const std::string& id, Watch& watch) {
    // One heap entry per twin: a later deadline is picked up when the entry comes due.
    if (!watch.armed) {
        m_deadlines.emplace(watch.deadline, id);
        watch.armed = true;
    }
}

void Liveness::seed(const core::TwinGraph& graph, core::TimePoint now) {
    if (empty()) {
        return;
    }
    graph.for_each_twin([&](const core::Twin& twin) {
        const LivenessRule* rule = rule_for(twin);
        if (rule == nullptr) {
            return;
        }
        Watch watch{rule, std::nullopt, now + rule->silent_after, true};
        for (const auto& name : m_properties) {
            if (const auto* metadata = twin.metadata(name); metadata && metadata->stale) {
                watch.online = false;
            }
        }
        auto& stored = m_watches.insert_or_assign(twin.id(), watch).first->second;
        if (stored.online) {
            arm(twin.id(), stored);
        }
    });
}

std::optional<ConnectivityChange> Liveness::on_seen(const core::Twin& twin, core::TimePoint receive_time) {
    auto it = m_watches.find(twin.id());
    if (it == m_watches.end()) {
        const LivenessRule* rule = rule_for(twin);
        if (rule == nullptr) {
            return std::nullopt;
        }
        it = m_watches.emplace(twin.id(), Watch{rule, std::nullopt, receive_time + rule->silent_after, true}).first;
        arm(twin.id(), it->second);
    }
    Watch& watch = it->second;
    // A backlog replayed after an outage carries old receive times: life is what is newest.
    if (watch.last_seen && receive_time <= *watch.last_seen) {
        return std::nullopt;
    }
    watch.last_seen = receive_time;
    watch.deadline = std::max(watch.deadline, receive_time + watch.rule->silent_after);
    arm(twin.id(), watch);
    if (watch.online) {
        return std::nullopt;
    }
    watch.online = true;
    return ConnectivityChange{twin.id(), true, "seen", receive_time, watch.last_seen};
}

bool Liveness::on_status(const core::TwinGraph& graph, std::string_view topic, std::string_view payload,
                         core::TimePoint now, std::optional<ConnectivityChange>& change) {
    change.reset();
    for (const LivenessRule* rule : m_status_rules) {
        auto captures = ingest::match_topic(rule->status_topic, topic);
        if (!captures) {
            continue;
        }
        std::string id = rule->selector.twin;
        for (const auto& [name, value] : *captures) {
            if (name == "twin") {
                id = value;
            }
        }
        const core::Twin* twin = graph.find_twin(id);
        if (twin == nullptr || rule_for(*twin) != rule) {
            continue;
        }
        const auto online = parse_status(payload);
        if (!online) {
            return true;
        }
        auto it = m_watches.find(id);
        if (it == m_watches.end()) {
            it = m_watches.emplace(id, Watch{rule, std::nullopt, now + rule->silent_after, true}).first;
            arm(id, it->second);
        }
        Watch& watch = it->second;
        if (!*online && watch.online) {
            watch.online = false;
            change = ConnectivityChange{id, false, "last_will", now, watch.last_seen};
        }
        // "online" only says the device connected; its first update brings the twin back.
        return true;
    }
    return false;
}

std::vector<ConnectivityChange> Liveness::on_timers(core::TimePoint now) {
    std::vector<ConnectivityChange> changes;
    while (!m_deadlines.empty() && m_deadlines.top().first <= now) {
        const std::string id = m_deadlines.top().second;
        m_deadlines.pop();
        auto it = m_watches.find(id);
        if (it == m_watches.end()) {
            continue;
        }
        Watch& watch = it->second;
        watch.armed = false;
        if (watch.deadline > now) {
            arm(id, watch); // seen again since this entry was armed
        } else if (watch.online) {
            watch.online = false;
            changes.push_back({id, false, "silent", now, watch.last_seen});
        }
    }
    return changes;
}

std::optional<core::TimePoint> Liveness::next_deadline() const {
    if (m_deadlines.empty()) {
        return std::nullopt;
    }
    return m_deadlines.top().first;
}

std::vector<std::string> Liveness::status_filters() const {
    std::vector<std::string> filters;
    for (const LivenessRule* rule : m_status_rules) {
        filters.push_back(ingest::subscription_filter(rule->status_topic));
    }
    std::sort(filters.begin(), filters.end());
    filters.erase(std::unique(filters.begin(), filters.end()), filters.end());
    return filters;
}

} // namespace dtwin::engine
