#include "core/twin_json.hpp"

#include "core/json_patch.hpp"

namespace dtwin::core {

namespace json = boost::json;

namespace {

json::object metadata_to_json(const PropertyMetadata& metadata) {
    json::object out;
    out.reserve(3);
    out.emplace("lastUpdateTime", format_time(metadata.last_update_time));
    out.emplace("sourceTime", format_time(metadata.source_time));
    if (metadata.sequence != 0) {
        out.emplace("sequence", metadata.sequence);
    }
    return out;
}

Result<TimePoint> time_member(const json::object& object, std::string_view name, TimePoint fallback,
                              std::string_view where) {
    const auto* member = object.if_contains(name);
    if (member == nullptr) {
        return fallback;
    }
    const auto parsed = member->is_string() ? parse_time(member->get_string()) : std::nullopt;
    if (!parsed) {
        return fail(ErrorCode::invalid_json, std::string("\"").append(name).append("\" is not an ISO-8601 time"),
                    std::string(where));
    }
    return *parsed;
}

/// Reads {"lastUpdateTime", "sourceTime", "sequence"} of one property.
Result<PropertyMetadata> metadata_from_json(const json::value& value, TimePoint fallback, std::string_view where) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_json, "property metadata must be an object", std::string(where));
    }
    PropertyMetadata metadata;
    auto last_update = time_member(*object, "lastUpdateTime", fallback, where);
    if (!last_update) {
        return std::unexpected(last_update.error());
    }
    auto source = time_member(*object, "sourceTime", *last_update, where);
    if (!source) {
        return std::unexpected(source.error());
    }
    metadata.last_update_time = *last_update;
    metadata.source_time = *source;
    if (const auto* sequence = object->if_contains("sequence")) {
        if (sequence->is_uint64()) {
            metadata.sequence = sequence->get_uint64();
        } else if (sequence->is_int64() && sequence->get_int64() >= 0) {
            metadata.sequence = static_cast<std::uint64_t>(sequence->get_int64());
        } else {
            return fail(ErrorCode::invalid_json, "\"sequence\" must be a non-negative integer", std::string(where));
        }
    }
    return metadata;
}

/// Copies one property into `properties`, and its entry of `metadata` (a "$metadata"
/// object, may be null) into `out` under its pointer.
Result<void> read_member(const json::key_value_pair& member, const json::object* metadata, std::string_view prefix,
                         TimePoint fallback, json::object& properties,
                         std::map<std::string, PropertyMetadata, std::less<>>& out) {
    properties.emplace(member.key(), member.value());
    const auto* entry = metadata != nullptr ? metadata->if_contains(member.key()) : nullptr;
    if (entry == nullptr) {
        return {};
    }
    auto pointer = child_pointer(prefix, member.key());
    auto parsed = metadata_from_json(*entry, fallback, pointer);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    out.emplace(std::move(pointer), *parsed);
    return {};
}

/// A component: its properties (minus "$metadata") into `parsed.properties`, the metadata
/// of each under "/<component>/<property>".
Result<void> read_component(const json::key_value_pair& member, const json::value& metadata, ParsedTwin& parsed) {
    const auto pointer = child_pointer("", member.key());
    if (!metadata.is_object()) {
        return fail(ErrorCode::invalid_json, "a component's \"$metadata\" must be an object",
                    parsed.id + " " + pointer);
    }
    json::object properties;
    for (const auto& inner : member.value().get_object()) {
        if (inner.key().starts_with('$')) {
            continue;
        }
        if (auto ok = read_member(inner, &metadata.get_object(), pointer, parsed.last_update_time, properties,
                                  parsed.metadata);
            !ok) {
            return ok;
        }
    }
    parsed.properties.emplace(member.key(), std::move(properties));
    return {};
}

} // namespace

json::object twin_to_json(const Twin& twin) {
    const auto& layout = twin.layout();
    const auto infos = layout.slots();
    const auto slots = twin.slots();

    json::object out;
    // Reserve first: `metadata` below refers into `out`, and a rehash would move it.
    out.reserve(3 + infos.size() + layout.components().size());
    out.emplace("$dtId", twin.id());
    out.emplace("$etag", twin.etag());
    auto& metadata = out["$metadata"].emplace_object();
    metadata.emplace("$model", twin.model_id());
    metadata.emplace("$lastUpdateTime", format_time(twin.last_update_time()));

    std::vector<json::object> components(layout.components().size());
    for (auto& component : components) {
        component.emplace("$metadata", json::object());
    }
    for (std::size_t i = 0; i < infos.size(); ++i) {
        if (slots[i].value.is_null()) {
            continue;
        }
        if (infos[i].component == k_root_component) {
            metadata.emplace(infos[i].name, metadata_to_json(slots[i].metadata));
            out.emplace(infos[i].name, slots[i].value);
        } else {
            auto& component = components[infos[i].component];
            component["$metadata"].get_object().emplace(infos[i].name, metadata_to_json(slots[i].metadata));
            component.emplace(infos[i].name, slots[i].value);
        }
    }
    for (std::size_t c = 0; c < components.size(); ++c) {
        out.emplace(layout.components()[c].name, std::move(components[c]));
    }
    return out;
}

Result<ParsedTwin> twin_from_json(const json::value& value) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_json, "a twin must be a JSON object");
    }
    const auto* id = object->if_contains("$dtId");
    if (id == nullptr || !id->is_string()) {
        return fail(ErrorCode::invalid_json, "missing \"$dtId\"");
    }
    ParsedTwin parsed;
    parsed.id = id->get_string();
    const auto* metadata = object->if_contains("$metadata");
    const auto* model = metadata != nullptr && metadata->is_object() ? metadata->get_object().if_contains("$model")
                                                                     : nullptr;
    if (model == nullptr || !model->is_string()) {
        return fail(ErrorCode::invalid_json, "missing \"$metadata\": {\"$model\": ...}", parsed.id);
    }
    parsed.model_id = model->get_string();
    const auto& root_metadata = metadata->get_object();
    auto last_update = time_member(root_metadata, "$lastUpdateTime", TimePoint{}, parsed.id);
    if (!last_update) {
        return std::unexpected(last_update.error());
    }
    parsed.last_update_time = *last_update;
    if (const auto* etag = object->if_contains("$etag"); etag != nullptr && etag->is_string()) {
        parsed.version = parse_etag(etag->get_string()).value_or(0);
    }
    // Root properties first; an object member with its own "$metadata" is a component.
    for (const auto& member : *object) {
        if (member.key().starts_with('$')) {
            continue;
        }
        const auto* component = member.value().if_object();
        const auto* component_metadata = component != nullptr ? component->if_contains("$metadata") : nullptr;
        auto ok = component_metadata == nullptr
                      ? read_member(member, &root_metadata, "", parsed.last_update_time, parsed.properties,
                                    parsed.metadata)
                      : read_component(member, *component_metadata, parsed);
        if (!ok) {
            return std::unexpected(ok.error());
        }
    }
    return parsed;
}

json::object relationship_to_json(const Relationship& relationship) {
    json::object out;
    out.reserve(6 + relationship.properties.size());
    out.emplace("$relationshipId", relationship.id);
    out.emplace("$etag", relationship.etag());
    out.emplace("$sourceId", relationship.source_id);
    out.emplace("$targetId", relationship.target_id);
    out.emplace("$relationshipName", relationship.name);
    out.emplace("$lastUpdateTime", format_time(relationship.last_update_time));
    for (const auto& member : relationship.properties) {
        out.emplace(member.key(), member.value());
    }
    return out;
}

Result<Relationship> relationship_from_json(const json::value& value) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_json, "a relationship must be a JSON object");
    }
    Relationship relationship;
    for (auto [name, target] : {std::pair{"$relationshipId", &relationship.id},
                                std::pair{"$sourceId", &relationship.source_id},
                                std::pair{"$targetId", &relationship.target_id},
                                std::pair{"$relationshipName", &relationship.name}}) {
        const auto* member = object->if_contains(name);
        if (member == nullptr || !member->is_string()) {
            return fail(ErrorCode::invalid_json, "missing \"" + std::string(name) + "\"");
        }
        *target = member->get_string();
    }
    if (const auto* etag = object->if_contains("$etag"); etag != nullptr && etag->is_string()) {
        relationship.version = parse_etag(etag->get_string()).value_or(0);
    }
    auto last_update = time_member(*object, "$lastUpdateTime", TimePoint{}, relationship.id);
    if (!last_update) {
        return std::unexpected(last_update.error());
    }
    relationship.last_update_time = *last_update;
    for (const auto& member : *object) {
        if (!member.key().starts_with('$')) {
            relationship.properties.emplace(member.key(), member.value());
        }
    }
    return relationship;
}

} // namespace dtwin::core
