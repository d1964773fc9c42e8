// TwinGraph: relationships (create, get, patch, delete, list, restore).
#include "core/json_patch.hpp"
#include "core/twin_graph.hpp"
#include "core/twin_validation.hpp"

#include <algorithm>

namespace dtwin::core {

namespace json = boost::json;

namespace {

std::string subject_of(std::string_view source_id, std::string_view relationship_id) {
    return std::string(source_id) + " -> " + std::string(relationship_id);
}

/// A string member of a relationship body; `required` ones must be present.
Result<std::optional<std::string>> body_string(const json::object& body, std::string_view name, bool required,
                                               std::string_view subject) {
    const auto* member = body.if_contains(name);
    if (member == nullptr) {
        if (required) {
            return fail(ErrorCode::invalid_json, "the body needs \"" + std::string(name) + "\"", std::string(subject));
        }
        return std::nullopt;
    }
    if (!member->is_string()) {
        return fail(ErrorCode::invalid_json, std::string("\"").append(name).append("\" must be a string"),
                    std::string(subject));
    }
    return std::string(member->get_string());
}

json::object without_dollar_members(const json::object& body) {
    json::object properties;
    for (const auto& member : body) {
        if (!member.key().starts_with('$')) {
            properties.emplace(member.key(), member.value());
        }
    }
    return properties;
}

} // namespace

Result<void> TwinGraph::validate_relationship(const Relationship& relationship) const {
    const auto subject = subject_of(relationship.source_id, relationship.id);
    if (relationship.id.empty()) {
        return fail(ErrorCode::invalid_value, "a relationship id cannot be empty", relationship.source_id);
    }
    const auto* source = find_twin(relationship.source_id);
    if (source == nullptr) {
        return fail(ErrorCode::unknown_twin, "source twin " + relationship.source_id + " does not exist", subject);
    }
    const auto& model = *source->layout().model();
    const auto definition = model.relationships.find(relationship.name);
    if (definition == model.relationships.end()) {
        return fail(ErrorCode::invalid_value,
                    std::string("\"").append(relationship.name).append("\" is not a relationship of ").append(model.id),
                    subject);
    }
    const auto* target = find_twin(relationship.target_id);
    if (target == nullptr) {
        return fail(ErrorCode::unknown_twin, "target twin " + relationship.target_id + " does not exist", subject);
    }
    if (definition->second.target && !target->layout().model()->is_a(*definition->second.target)) {
        return fail(ErrorCode::invalid_value,
                    "target " + relationship.target_id + " is a " + target->model_id() + ", but relationship \"" +
                        relationship.name + "\" needs a " + *definition->second.target,
                    subject);
    }
    return validate_relationship_properties(definition->second, relationship.properties, subject);
}

Result<WriteResult> TwinGraph::create_relationship(std::string_view source_id, std::string_view relationship_id,
                                                   const json::value& body, const WriteOptions& options) {
    const auto subject = subject_of(source_id, relationship_id);
    const auto* object = body.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_json, "a relationship body must be a JSON object", subject);
    }
    auto target = body_string(*object, "$targetId", true, subject);
    auto name = body_string(*object, "$relationshipName", true, subject);
    auto source = body_string(*object, "$sourceId", false, subject);
    auto id = body_string(*object, "$relationshipId", false, subject);
    for (const auto* member : {&target, &name, &source, &id}) {
        if (!*member) {
            return std::unexpected(member->error());
        }
    }
    const bool source_differs = source->has_value() && **source != source_id;
    const bool id_differs = id->has_value() && **id != relationship_id;
    if (source_differs || id_differs) {
        return fail(ErrorCode::invalid_value, "\"$sourceId\" or \"$relationshipId\" differs from the address", subject);
    }
    if (find_relationship_mutable(source_id, relationship_id) != nullptr) {
        return fail(ErrorCode::already_exists, "a relationship with this id exists", subject);
    }
    const TimePoint now = m_clock.now();
    Relationship relationship{std::string(relationship_id),
                              std::string(source_id),
                              **target,
                              **name,
                              without_dollar_members(*object),
                              0,
                              now};
    if (auto ok = validate_relationship(relationship); !ok) {
        return std::unexpected(ok.error());
    }
    const auto& definition = find_twin(source_id)->layout().model()->relationships.at(relationship.name);
    if (definition.max_multiplicity) {
        const auto& existing = m_outgoing[std::string(source_id)];
        const auto same_name = std::count_if(existing.begin(), existing.end(),
                                             [&](const auto& entry) { return entry.second.name == relationship.name; });
        if (same_name >= *definition.max_multiplicity) {
            return fail(ErrorCode::invalid_value,
                        "relationship \"" + relationship.name + "\" allows at most " +
                            std::to_string(*definition.max_multiplicity) + " per twin",
                        subject);
        }
    }
    relationship.version = next_version();
    WriteResult result{diff_members({}, relationship.properties), {}, relationship.version, relationship.etag()};
    push_event(ChangeKind::relationship_created, source_id, relationship_id, relationship.name,
               find_twin(source_id)->layout().model(), result.applied, relationship.version, options, now);
    m_incoming[relationship.target_id].emplace(relationship.source_id, relationship.id);
    m_outgoing[std::string(source_id)].emplace(relationship.id, std::move(relationship));
    ++m_relationship_count;
    return result;
}

Relationship* TwinGraph::find_relationship_mutable(std::string_view source_id, std::string_view relationship_id) {
    const auto out = m_outgoing.find(source_id);
    if (out == m_outgoing.end()) {
        return nullptr;
    }
    const auto it = out->second.find(relationship_id);
    return it == out->second.end() ? nullptr : &it->second;
}

Result<Relationship> TwinGraph::get_relationship(std::string_view source_id, std::string_view relationship_id) const {
    const auto out = m_outgoing.find(source_id);
    if (out != m_outgoing.end()) {
        if (const auto it = out->second.find(relationship_id); it != out->second.end()) {
            return it->second;
        }
    }
    return fail(ErrorCode::unknown_relationship, "no such relationship", subject_of(source_id, relationship_id));
}

Result<WriteResult> TwinGraph::patch_relationship(std::string_view source_id, std::string_view relationship_id,
                                                  const json::value& patch, const WriteOptions& options) {
    const auto subject = subject_of(source_id, relationship_id);
    auto* relationship = find_relationship_mutable(source_id, relationship_id);
    if (relationship == nullptr) {
        return fail(ErrorCode::unknown_relationship, "no such relationship", subject);
    }
    if (auto ok = check_if_match(subject, relationship->version, options); !ok) {
        return std::unexpected(ok.error());
    }
    json::value document = relationship->properties;
    if (auto ok = apply_patch(document, patch); !ok) {
        Error error = std::move(ok.error());
        error.where = subject + (error.where.empty() ? "" : " " + error.where);
        return std::unexpected(std::move(error));
    }
    if (!document.is_object()) {
        return fail(ErrorCode::invalid_value, "relationship properties must stay an object", subject);
    }
    Relationship updated = *relationship;
    updated.properties = std::move(document.get_object());
    if (auto ok = validate_relationship(updated); !ok) {
        return std::unexpected(ok.error());
    }
    auto applied = diff_members(relationship->properties, updated.properties);
    if (applied.empty()) {
        return WriteResult{{}, {}, relationship->version, relationship->etag()};
    }
    const TimePoint now = m_clock.now();
    updated.version = next_version();
    updated.last_update_time = now;
    WriteResult result{std::move(applied), {}, updated.version, updated.etag()};
    push_event(ChangeKind::relationship_patched, source_id, relationship_id, updated.name,
               find_twin(source_id)->layout().model(), result.applied, updated.version, options, now);
    *relationship = std::move(updated);
    return result;
}

Result<void> TwinGraph::delete_relationship(std::string_view source_id, std::string_view relationship_id,
                                            const WriteOptions& options) {
    const auto subject = subject_of(source_id, relationship_id);
    const auto out = m_outgoing.find(source_id);
    const auto it = out == m_outgoing.end() ? decltype(out->second.end()){} : out->second.find(relationship_id);
    if (out == m_outgoing.end() || it == out->second.end()) {
        return fail(ErrorCode::unknown_relationship, "no such relationship", subject);
    }
    if (auto ok = check_if_match(subject, it->second.version, options); !ok) {
        return ok;
    }
    const TimePoint now = m_clock.now();
    push_event(ChangeKind::relationship_deleted, source_id, relationship_id, it->second.name,
               find_twin(source_id)->layout().model(), diff_members(it->second.properties, {}), next_version(), options,
               now);
    if (const auto in = m_incoming.find(it->second.target_id); in != m_incoming.end()) {
        in->second.erase({std::string(source_id), std::string(relationship_id)});
        if (in->second.empty()) {
            m_incoming.erase(in);
        }
    }
    out->second.erase(it);
    if (out->second.empty()) {
        m_outgoing.erase(out);
    }
    --m_relationship_count;
    return {};
}

Result<std::vector<Relationship>> TwinGraph::list_relationships(std::string_view twin_id,
                                                                RelationshipDirection direction) const {
    if (find_twin(twin_id) == nullptr) {
        return fail(ErrorCode::unknown_twin, "no such twin", std::string(twin_id));
    }
    std::vector<Relationship> out;
    if (direction == RelationshipDirection::outgoing) {
        if (const auto found = m_outgoing.find(twin_id); found != m_outgoing.end()) {
            for (const auto& [id, relationship] : found->second) {
                out.push_back(relationship);
            }
        }
        return out;
    }
    if (const auto found = m_incoming.find(twin_id); found != m_incoming.end()) {
        for (const auto& [source, id] : found->second) {
            out.push_back(m_outgoing.find(source)->second.find(id)->second);
        }
    }
    return out;
}

Result<void> TwinGraph::restore_relationship(const Relationship& relationship) {
    const auto subject = subject_of(relationship.source_id, relationship.id);
    if (auto ok = validate_relationship(relationship); !ok) {
        return ok;
    }
    if (find_relationship_mutable(relationship.source_id, relationship.id) != nullptr) {
        return fail(ErrorCode::already_exists, "a relationship with this id exists", subject);
    }
    Relationship copy = relationship;
    if (copy.version == 0) {
        copy.version = next_version();
    }
    raise_version_floor(copy.version);
    m_incoming[copy.target_id].emplace(copy.source_id, copy.id);
    m_outgoing[copy.source_id].emplace(copy.id, std::move(copy));
    ++m_relationship_count;
    return {};
}

} // namespace dtwin::core
