#include "engine/rule_context.hpp"

#include <algorithm>

namespace dtwin::engine {

namespace json = boost::json;

namespace {

constexpr std::string_view k_incoming = "incoming:";
constexpr std::string_view k_outgoing = "outgoing:";

/// Walks the object fields @p rest into @p value; undefined where a field is missing.
std::optional<json::value> walk(const json::value& value, std::span<const std::string> rest) {
    const json::value* at = &value;
    for (const auto& segment : rest) {
        const json::object* object = at->if_object();
        if (object == nullptr) {
            return std::nullopt;
        }
        at = object->if_contains(segment);
        if (at == nullptr) {
            return std::nullopt;
        }
    }
    return *at;
}

std::string join(std::span<const std::string> path) {
    std::string dotted;
    for (const auto& segment : path) {
        if (!dotted.empty()) {
            dotted += '.';
        }
        dotted += segment;
    }
    return dotted;
}

} // namespace

const core::Twin* follow_alias(const core::TwinGraph& graph, std::string_view twin_id, std::string_view relationship) {
    const bool incoming = relationship.starts_with(k_incoming);
    if (!incoming && !relationship.starts_with(k_outgoing)) {
        return nullptr;
    }
    const std::string_view name = relationship.substr(incoming ? k_incoming.size() : k_outgoing.size());
    auto listed = graph.list_relationships(twin_id, incoming ? core::RelationshipDirection::incoming
                                                             : core::RelationshipDirection::outgoing);
    if (!listed) {
        return nullptr;
    }
    const auto found =
        std::ranges::find_if(*listed, [&](const core::Relationship& candidate) { return candidate.name == name; });
    if (found == listed->end()) {
        return nullptr;
    }
    return graph.find_twin(incoming ? found->source_id : found->target_id);
}

RuleContext::RuleContext(const core::TwinGraph& graph, const core::Twin& twin, const RuleDefinition& rule,
                         const std::vector<std::string>& changed_properties,
                         const std::map<std::string, json::value>& previous_values)
    : m_graph(graph), m_twin(twin), m_rule(rule), m_changed(changed_properties), m_previous(previous_values) {}

const core::Twin* RuleContext::aliased_twin(std::string_view alias) const {
    const auto found = m_rule.related.find(alias);
    return found == m_rule.related.end() ? nullptr : follow_alias(m_graph, m_twin.id(), found->second);
}

std::optional<json::value> RuleContext::read_twin(const core::Twin& twin, std::span<const std::string> path) const {
    if (path.empty()) {
        // A bare alias: the twin as a document, so that IS_DEFINED(door) works.
        json::object document = twin.properties();
        document["$dtId"] = twin.id();
        return json::value(std::move(document));
    }
    const std::string& name = path.front();
    if (name == "$dtId") {
        return path.size() == 1 ? std::optional<json::value>(json::value(twin.id())) : std::nullopt;
    }
    if (name == "$metadata") {
        return walk(json::object{{"$model", twin.model_id()}}, path.subspan(1));
    }
    if (const json::value* value = twin.property(name); value != nullptr) {
        return walk(*value, path.subspan(1));
    }
    // Not a set root property: maybe a component (rare, so the whole document is built).
    const json::object document = twin.properties();
    if (const json::value* component = document.if_contains(name); component != nullptr) {
        return walk(*component, path.subspan(1));
    }
    return std::nullopt;
}

core::Result<std::optional<json::value>> RuleContext::resolve(std::span<const std::string> path) const {
    std::optional<json::value> value;
    if (m_rule.related.contains(path.front())) {
        const core::Twin* twin = aliased_twin(path.front());
        if (twin != nullptr) {
            value = read_twin(*twin, path.subspan(1));
        }
    } else {
        value = read_twin(m_twin, path);
    }
    if (value) {
        m_reads[join(path)] = *value;
    }
    return value;
}

core::Result<std::optional<json::value>> RuleContext::previous(std::span<const std::string> path) const {
    if (m_rule.related.contains(path.front())) {
        return std::nullopt;
    }
    if (const auto found = m_previous.find(path.front()); found != m_previous.end()) {
        return walk(found->second, path.subspan(1));
    }
    if (std::ranges::find(m_changed, path.front()) != m_changed.end()) {
        return std::nullopt; // changed, and had no value before
    }
    return read_twin(m_twin, path);
}

core::Result<bool> RuleContext::is_of_model(std::string_view alias, std::string_view model_id, bool exact) const {
    const core::Twin* twin = alias.empty() ? &m_twin : aliased_twin(alias);
    if (twin == nullptr) {
        return false;
    }
    if (exact) {
        return twin->model_id() == model_id;
    }
    const core::InterfacePtr model = m_graph.find_model(twin->model_id());
    return model != nullptr ? model->is_a(model_id) : twin->model_id() == model_id;
}

std::vector<std::string> split_dotted(std::string_view dotted) {
    std::vector<std::string> path;
    while (true) {
        const auto dot = dotted.find('.');
        path.emplace_back(dotted.substr(0, dot));
        if (dot == std::string_view::npos) {
            return path;
        }
        dotted.remove_prefix(dot + 1);
    }
}

} // namespace dtwin::engine
