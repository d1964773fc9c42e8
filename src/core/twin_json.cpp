#include "core/twin_json.hpp"

#include "core/json_patch.hpp"
#include "core/twin_validation.hpp"

namespace dtwin::core {

namespace json = boost::json;

namespace {

json::object metadata_to_json(const PropertyMetadata& metadata) {
    json::object out;
    out.reserve(4);
    out.emplace("lastUpdateTime", format_time(metadata.last_update_time));
    out.emplace("sourceTime", format_time(metadata.source_time));
    if (metadata.sequence != 0) {
        out.emplace("sequence", metadata.sequence);
    }
    if (metadata.stale) {
        out.emplace("stale", true);
    }
    return out;
}

json::object clock_skew_to_json(const ClockSkewFlag& flag) {
    json::object out;
    out.reserve(5);
    out.emplace("reason", flag.reason);
    out.emplace("timestamp", flag.timestamp);
    out.emplace("since", format_time(flag.since));
    out.emplace("last", format_time(flag.last));
    out.emplace("count", flag.count);
    return out;
}

/// A non-negative JSON integer, or nullopt.
std::optional<std::uint64_t> as_count(const json::value& value) {
    if (value.is_uint64()) {
        return value.get_uint64();
    }
    if (value.is_int64() && value.get_int64() >= 0) {
        return static_cast<std::uint64_t>(value.get_int64());
    }
    return std::nullopt;
}

/// The times of one twin document: most of them are the same text (one write set them
/// all), so the last one parsed is remembered. `fallback` stands in for missing times.
struct TimeMemo {
    TimePoint fallback{};
    std::string_view text;
    TimePoint value{};
};

Result<TimePoint> time_member(const json::object& object, std::string_view name, TimePoint fallback,
                              std::string_view where, TimeMemo* memo = nullptr) {
    const auto* member = object.if_contains(name);
    if (member == nullptr) {
        return fallback;
    }
    const std::string_view text = member->is_string() ? std::string_view(member->get_string()) : std::string_view{};
    if (memo != nullptr && !text.empty() && text == memo->text) {
        return memo->value;
    }
    const auto parsed = parse_time(text);
    if (!parsed) {
        return fail(ErrorCode::invalid_json, std::string("\"").append(name).append("\" is not an ISO-8601 time"),
                    std::string(where));
    }
    if (memo != nullptr) {
        memo->text = text;
        memo->value = *parsed;
    }
    return *parsed;
}

/// Reads {"lastUpdateTime", "sourceTime", "sequence"} of one property.
Result<PropertyMetadata> metadata_from_json(const json::value& value, TimeMemo& times, std::string_view where) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_json, "property metadata must be an object", std::string(where));
    }
    PropertyMetadata metadata;
    auto last_update = time_member(*object, "lastUpdateTime", times.fallback, where, &times);
    if (!last_update) {
        return std::unexpected(last_update.error());
    }
    auto source = time_member(*object, "sourceTime", *last_update, where, &times);
    if (!source) {
        return std::unexpected(source.error());
    }
    metadata.last_update_time = *last_update;
    metadata.source_time = *source;
    if (const auto* sequence = object->if_contains("sequence")) {
        const auto count = as_count(*sequence);
        if (!count) {
            return fail(ErrorCode::invalid_json, "\"sequence\" must be a non-negative integer", std::string(where));
        }
        metadata.sequence = *count;
    }
    if (const auto* stale = object->if_contains("stale")) {
        if (!stale->is_bool()) {
            return fail(ErrorCode::invalid_json, "\"stale\" must be a boolean", std::string(where));
        }
        metadata.stale = stale->get_bool();
    }
    return metadata;
}

/// Reads "$metadata.$clockSkew" (see twin_json.hpp). Errors name the twin and the pointer.
Result<ClockSkewFlag> clock_skew_from_json(const json::value& value, std::string_view twin_id) {
    const std::string pointer = std::string(twin_id) + " /$metadata/$clockSkew";
    const auto bad = [&](std::string_view member, std::string_view what) {
        return fail(ErrorCode::invalid_json, std::string("\"").append(member).append("\" ").append(what),
                    pointer + "/" + std::string(member));
    };
    const auto* object = value.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_json, "\"$clockSkew\" must be an object", pointer);
    }
    ClockSkewFlag flag;
    const auto* reason = object->if_contains("reason");
    if (reason == nullptr || !reason->is_string()) {
        return bad("reason", "must be a string");
    }
    flag.reason = reason->get_string();
    if (const auto* timestamp = object->if_contains("timestamp")) {
        if (!timestamp->is_string()) {
            return bad("timestamp", "must be a string");
        }
        flag.timestamp = timestamp->get_string();
    }
    for (auto [name, target] : {std::pair{"since", &flag.since}, std::pair{"last", &flag.last}}) {
        const auto* member = object->if_contains(name);
        const auto parsed = member != nullptr && member->is_string() ? parse_time(member->get_string()) : std::nullopt;
        if (!parsed) {
            return bad(name, "must be an ISO-8601 time");
        }
        *target = *parsed;
    }
    const auto* count = object->if_contains("count");
    const auto parsed_count = count != nullptr ? as_count(*count) : std::nullopt;
    if (!parsed_count) {
        return bad("count", "must be a non-negative integer");
    }
    flag.count = *parsed_count;
    return flag;
}

/// Copies one property into `properties`, and its entry of `metadata` (a "$metadata"
/// object, may be null) into `out` under its pointer.
Result<void> read_member(const json::key_value_pair& member, const json::object* metadata, std::string_view prefix,
                         TimeMemo& times, json::object& properties,
                         std::map<std::string, PropertyMetadata, std::less<>>& out) {
    properties.emplace(member.key(), member.value());
    const auto* entry = metadata != nullptr ? metadata->if_contains(member.key()) : nullptr;
    if (entry == nullptr) {
        return {};
    }
    auto pointer = child_pointer(prefix, member.key());
    auto parsed = metadata_from_json(*entry, times, pointer);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    out.emplace(std::move(pointer), *parsed);
    return {};
}

/// A component: its properties (minus "$metadata") into `parsed.properties`, the metadata
/// of each under "/<component>/<property>".
Result<void> read_component(const json::key_value_pair& member, const json::value& metadata, TimeMemo& times,
                            ParsedTwin& parsed) {
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
        if (auto ok = read_member(inner, &metadata.get_object(), pointer, times, properties, parsed.metadata); !ok) {
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
    if (const auto* skew = twin.clock_skew()) {
        metadata.emplace("$clockSkew", clock_skew_to_json(*skew));
    }

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

namespace {

/// The "$..." members every stored twin has.
struct TwinHeader {
    std::string id;
    std::string model_id;
    std::uint64_t version = 0;
    TimePoint last_update_time{};
    std::optional<ClockSkewFlag> clock_skew;
    const json::object* object = nullptr;   ///< the whole twin
    const json::object* metadata = nullptr; ///< its root "$metadata"
};

Result<TwinHeader> read_header(const json::value& value) {
    TwinHeader header;
    header.object = value.if_object();
    if (header.object == nullptr) {
        return fail(ErrorCode::invalid_json, "a twin must be a JSON object");
    }
    const auto* id = header.object->if_contains("$dtId");
    if (id == nullptr || !id->is_string()) {
        return fail(ErrorCode::invalid_json, "missing \"$dtId\"");
    }
    header.id = id->get_string();
    const auto* metadata = header.object->if_contains("$metadata");
    header.metadata = metadata != nullptr ? metadata->if_object() : nullptr;
    const auto* model = header.metadata != nullptr ? header.metadata->if_contains("$model") : nullptr;
    if (model == nullptr || !model->is_string()) {
        return fail(ErrorCode::invalid_json, "missing \"$metadata\": {\"$model\": ...}", header.id);
    }
    header.model_id = model->get_string();
    auto last_update = time_member(*header.metadata, "$lastUpdateTime", TimePoint{}, header.id);
    if (!last_update) {
        return std::unexpected(last_update.error());
    }
    header.last_update_time = *last_update;
    if (const auto* skew = header.metadata->if_contains("$clockSkew")) {
        auto flag = clock_skew_from_json(*skew, header.id);
        if (!flag) {
            return std::unexpected(flag.error());
        }
        header.clock_skew = std::move(*flag);
    }
    if (const auto* etag = header.object->if_contains("$etag"); etag != nullptr && etag->is_string()) {
        header.version = parse_etag(etag->get_string()).value_or(0);
    }
    return header;
}

} // namespace

Result<ParsedTwin> twin_from_json(const json::value& value) {
    auto header = read_header(value);
    if (!header) {
        return std::unexpected(header.error());
    }
    ParsedTwin parsed;
    parsed.id = std::move(header->id);
    parsed.model_id = std::move(header->model_id);
    parsed.version = header->version;
    parsed.last_update_time = header->last_update_time;
    parsed.clock_skew = std::move(header->clock_skew);
    const auto* object = header->object;
    const auto& root_metadata = *header->metadata;
    // An object member with its own "$metadata" is a component.
    TimeMemo times{parsed.last_update_time, {}, {}};
    for (const auto& member : *object) {
        if (member.key().starts_with('$')) {
            continue;
        }
        const auto* component = member.value().if_object();
        const auto* component_metadata = component != nullptr ? component->if_contains("$metadata") : nullptr;
        auto ok = component_metadata == nullptr
                      ? read_member(member, &root_metadata, "", times, parsed.properties, parsed.metadata)
                      : read_component(member, *component_metadata, times, parsed);
        if (!ok) {
            return std::unexpected(ok.error());
        }
    }
    return parsed;
}

namespace {

/// One property of a stored twin into its slot: the value checked against its schema,
/// the metadata from the matching "$metadata" entry (or the twin's last update time).
Result<void> load_slot(Twin& twin, std::uint32_t slot, const json::key_value_pair& member, const json::object* metadata,
                       TimeMemo& times) {
    const auto& info = twin.layout().slot(slot);
    if (auto ok = validate_value(*info.schema, member.value(), twin.id(), info.pointer); !ok) {
        return ok;
    }
    auto& target = twin.mutable_slots()[slot];
    target.value = member.value();
    const auto* entry = metadata != nullptr ? metadata->if_contains(member.key()) : nullptr;
    if (entry == nullptr) {
        target.metadata = PropertyMetadata{times.fallback, times.fallback, 0};
        return {};
    }
    auto parsed = metadata_from_json(*entry, times, info.pointer);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    target.metadata = *parsed;
    return {};
}

std::unexpected<Error> not_declared(const Twin& twin, const Interface& model, std::string_view pointer,
                                    std::string_view key) {
    return fail(ErrorCode::invalid_value,
                std::string("\"").append(key).append("\" is not a property of ").append(model.id),
                twin.id() + " " + std::string(pointer));
}

Result<void> load_component(Twin& twin, std::uint32_t index, const json::value& value, TimeMemo& times) {
    const auto& component = twin.layout().components()[index];
    const auto* object = value.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_value, "expected an object (component " + component.name + ")",
                    twin.id() + " " + component.pointer);
    }
    const auto* metadata_value = object->if_contains("$metadata");
    const auto* metadata = metadata_value != nullptr ? metadata_value->if_object() : nullptr;
    for (const auto& member : *object) {
        if (member.key().starts_with('$')) {
            continue;
        }
        const auto slot = twin.layout().find_component_property(index, member.key());
        if (!slot) {
            return not_declared(twin, *component.model, child_pointer(component.pointer, member.key()), member.key());
        }
        if (auto ok = load_slot(twin, *slot, member, metadata, times); !ok) {
            return ok;
        }
    }
    return {};
}

} // namespace

Result<Twin> twin_from_json(const json::value& value, const ModelRegistry& models) {
    auto header = read_header(value);
    if (!header) {
        return std::unexpected(header.error());
    }
    const auto layout = models.find_layout(header->model_id);
    if (layout == nullptr) {
        return fail(ErrorCode::unknown_model,
                    "model " + header->model_id + " is not loaded (or a component's interface is missing)", header->id);
    }
    Twin twin(std::move(header->id), layout);
    TimeMemo times{header->last_update_time, {}, {}};
    std::size_t components = 0;
    for (const auto& member : *header->object) {
        if (member.key().starts_with('$')) {
            continue;
        }
        Result<void> ok;
        if (const auto slot = layout->find_property(member.key())) {
            ok = load_slot(twin, *slot, member, header->metadata, times);
        } else if (const auto component = layout->find_component(member.key())) {
            ok = load_component(twin, *component, member.value(), times);
            ++components;
        } else {
            ok = not_declared(twin, *layout->model(), child_pointer("", member.key()), member.key());
        }
        if (!ok) {
            return std::unexpected(ok.error());
        }
    }
    if (components != layout->components().size()) {
        return fail(ErrorCode::invalid_value, "a component is missing; components must be present as objects",
                    twin.id());
    }
    twin.set_version(header->version);
    twin.set_last_update_time(header->last_update_time);
    twin.set_clock_skew(std::move(header->clock_skew));
    return twin;
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
    for (auto [name, target] :
         {std::pair{"$relationshipId", &relationship.id}, std::pair{"$sourceId", &relationship.source_id},
          std::pair{"$targetId", &relationship.target_id}, std::pair{"$relationshipName", &relationship.name}}) {
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
