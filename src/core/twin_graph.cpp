// TwinGraph: models, twin create/replace/delete/get, loading, events.
// Patches live in twin_patch.cpp, relationships in twin_graph_relationships.cpp.
#include "core/twin_graph.hpp"

#include "core/json_patch.hpp"
#include "core/twin_json.hpp"
#include "core/twin_validation.hpp"

#include <algorithm>

namespace dtwin::core {

namespace json = boost::json;

namespace {

constexpr std::size_t k_max_id_length = 128;

Result<void> check_twin_id(std::string_view id) {
    if (id.empty() || id.size() > k_max_id_length) {
        return fail(ErrorCode::invalid_value, "a twin id must have 1 to 128 characters", std::string(id));
    }
    for (char c : id) {
        if (static_cast<unsigned char>(c) < 0x20) {
            return fail(ErrorCode::invalid_value, "a twin id cannot contain control characters", std::string(id));
        }
    }
    return {};
}

/// The "$metadata.$model" of a create/replace body, after checking "$dtId".
Result<std::string> body_model(std::string_view id, const json::object& body) {
    if (const auto* dt_id = body.if_contains("$dtId")) {
        if (!dt_id->is_string() || dt_id->get_string() != id) {
            return fail(ErrorCode::invalid_value, "\"$dtId\" in the body differs from the twin id", std::string(id));
        }
    }
    const auto* metadata = body.if_contains("$metadata");
    const auto* model =
        metadata != nullptr && metadata->is_object() ? metadata->get_object().if_contains("$model") : nullptr;
    if (model == nullptr || !model->is_string()) {
        return fail(ErrorCode::invalid_json, "the body needs \"$metadata\": {\"$model\": \"<dtmi>\"}", std::string(id));
    }
    return std::string(model->get_string());
}

} // namespace

TwinGraph::TwinGraph(const Clock& clock) : m_clock(clock) {}

// ---- models ----------------------------------------------------------------------------

Result<void> TwinGraph::add_model(InterfacePtr model) {
    return m_models.add(std::move(model));
}

Result<void> TwinGraph::remove_model(std::string_view id) {
    if (!m_models.contains(id)) {
        return fail(ErrorCode::unknown_model, "model is not loaded", std::string(id));
    }
    for (const auto& [twin_id, twin] : m_twins) {
        if (twin.model_id() == id) {
            return fail(ErrorCode::in_use, "twin " + twin_id + " uses this model", std::string(id));
        }
    }
    for (const auto& other_id : m_models.ids()) {
        for (const auto& [name, component] : m_models.find(other_id)->components) {
            if (component.schema == id) {
                return fail(ErrorCode::in_use, other_id + " uses it as component \"" + name + "\"", std::string(id));
            }
        }
    }
    return m_models.remove(id);
}

// ---- twins -----------------------------------------------------------------------------

Result<Twin> TwinGraph::build_twin(std::string_view id, const json::value& body, TimePoint source_time,
                                   std::uint64_t sequence, TimePoint now) {
    if (auto ok = check_twin_id(id); !ok) {
        return std::unexpected(ok.error());
    }
    const auto* object = body.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_json, "a twin body must be a JSON object", std::string(id));
    }
    auto model_id = body_model(id, *object);
    if (!model_id) {
        return std::unexpected(model_id.error());
    }
    if (m_models.is_decommissioned(*model_id)) {
        return fail(ErrorCode::invalid_model, "model " + *model_id + " is decommissioned", std::string(id));
    }
    auto layout = m_models.layout(*model_id);
    if (!layout) {
        return fail(ErrorCode::unknown_model, layout.error().to_string(), std::string(id));
    }
    auto values = read_twin_document(**layout, *object, id);
    if (!values) {
        return std::unexpected(values.error());
    }
    Twin twin(std::string(id), *layout);
    auto slots = twin.mutable_slots();
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (!(*values)[i].is_null()) {
            slots[i].value = std::move((*values)[i]);
            slots[i].metadata = PropertyMetadata{now, source_time, sequence};
        }
    }
    twin.set_last_update_time(now);
    return twin;
}

Result<WriteResult> TwinGraph::create_twin(std::string_view id, const json::value& body, const WriteOptions& options) {
    if (m_twins.contains(id)) {
        return fail(ErrorCode::already_exists, "a twin with this id exists", std::string(id));
    }
    const TimePoint now = m_clock.now();
    auto twin = build_twin(id, body, options.source_time.value_or(now), options.sequence.value_or(0), now);
    if (!twin) {
        return std::unexpected(twin.error());
    }
    const auto version = next_version();
    twin->set_version(version);
    WriteResult result{diff_members({}, twin->properties()), {}, version, make_etag(version)};
    push_event(ChangeKind::twin_created, id, {}, {}, twin->layout().model(), result.applied, version, options, now);
    m_twins.emplace(std::string(id), std::move(*twin));
    return result;
}

Result<WriteResult> TwinGraph::replace_twin(std::string_view id, const json::value& body, const WriteOptions& options) {
    const auto it = m_twins.find(id);
    if (it == m_twins.end()) {
        return fail(ErrorCode::unknown_twin, "no such twin", std::string(id));
    }
    if (auto ok = check_if_match(id, it->second.version(), options); !ok) {
        return std::unexpected(ok.error());
    }
    const TimePoint now = m_clock.now();
    auto twin = build_twin(id, body, options.source_time.value_or(now), options.sequence.value_or(0), now);
    if (!twin) {
        return std::unexpected(twin.error());
    }
    auto applied = diff_members(it->second.properties(), twin->properties());
    if (applied.empty() && twin->model_id() == it->second.model_id()) {
        return WriteResult{{}, {}, it->second.version(), it->second.etag()};
    }
    const auto version = next_version();
    twin->set_version(version);
    WriteResult result{std::move(applied), {}, version, make_etag(version)};
    // The clock-skew flag is about the device, not the content: it survives a replace.
    if (const auto* skew = it->second.clock_skew()) {
        twin->set_clock_skew(*skew);
    }
    push_event(ChangeKind::twin_replaced, id, {}, {}, twin->layout().model(), result.applied, version, options, now);
    it->second = std::move(*twin);
    return result;
}

Result<void> TwinGraph::delete_twin(std::string_view id, const WriteOptions& options) {
    const auto it = m_twins.find(id);
    if (it == m_twins.end()) {
        return fail(ErrorCode::unknown_twin, "no such twin", std::string(id));
    }
    if (auto ok = check_if_match(id, it->second.version(), options); !ok) {
        return ok;
    }
    std::size_t edges = 0;
    if (const auto out = m_outgoing.find(id); out != m_outgoing.end()) {
        edges += out->second.size();
    }
    if (const auto in = m_incoming.find(id); in != m_incoming.end()) {
        edges += in->second.size();
    }
    if (edges > 0) {
        return fail(ErrorCode::in_use, "the twin has " + std::to_string(edges) + " relationship(s); delete them first",
                    std::string(id));
    }
    const TimePoint now = m_clock.now();
    const auto version = next_version();
    push_event(ChangeKind::twin_deleted, id, {}, {}, it->second.layout().model(),
               diff_members(it->second.properties(), {}), version, options, now);
    m_twins.erase(it);
    return {};
}

Result<Twin> TwinGraph::get_twin(std::string_view id) const {
    const auto* twin = find_twin(id);
    if (twin == nullptr) {
        return fail(ErrorCode::unknown_twin, "no such twin", std::string(id));
    }
    return *twin;
}

const Twin* TwinGraph::find_twin(std::string_view id) const {
    const auto it = m_twins.find(id);
    return it == m_twins.end() ? nullptr : &it->second;
}

std::vector<std::string> TwinGraph::list_twin_ids() const {
    std::vector<std::string> ids;
    ids.reserve(m_twins.size());
    for (const auto& [id, twin] : m_twins) {
        ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

void TwinGraph::for_each_twin(const std::function<void(const Twin&)>& visit) const {
    for (const auto& [id, twin] : m_twins) {
        visit(twin);
    }
}

// ---- marks -----------------------------------------------------------------------------

Result<bool> TwinGraph::set_properties_stale(std::string_view id, std::span<const std::string> properties, bool stale) {
    const auto it = m_twins.find(id);
    if (it == m_twins.end()) {
        return fail(ErrorCode::unknown_twin, "no such twin", std::string(id));
    }
    Twin& twin = it->second;
    auto slots = twin.mutable_slots();
    bool changed = false;
    for (const auto& name : properties) {
        const auto slot = twin.layout().find_property(name);
        if (!slot || slots[*slot].value.is_null() || slots[*slot].metadata.stale == stale) {
            continue;
        }
        slots[*slot].metadata.stale = stale;
        changed = true;
    }
    if (changed) {
        touch_metadata(twin);
    }
    return changed;
}

Result<bool> TwinGraph::set_clock_skew(std::string_view id, std::optional<ClockSkewFlag> flag) {
    const auto it = m_twins.find(id);
    if (it == m_twins.end()) {
        return fail(ErrorCode::unknown_twin, "no such twin", std::string(id));
    }
    Twin& twin = it->second;
    const auto* current = twin.clock_skew();
    const bool unchanged = flag ? current != nullptr && *current == *flag : current == nullptr;
    if (unchanged) {
        return false;
    }
    twin.set_clock_skew(std::move(flag));
    touch_metadata(twin);
    return true;
}

void TwinGraph::touch_metadata(Twin& twin) {
    twin.set_version(next_version());
    twin.set_last_update_time(m_clock.now());
}

// ---- loading ---------------------------------------------------------------------------

Result<void> TwinGraph::restore_twin(const ParsedTwin& parsed) {
    if (auto ok = check_twin_id(parsed.id); !ok) {
        return ok;
    }
    if (m_twins.contains(parsed.id)) {
        return fail(ErrorCode::already_exists, "a twin with this id exists", parsed.id);
    }
    auto layout = m_models.layout(parsed.model_id);
    if (!layout) {
        return fail(ErrorCode::unknown_model, layout.error().to_string(), parsed.id);
    }
    auto values = read_twin_document(**layout, parsed.properties, parsed.id);
    if (!values) {
        return std::unexpected(values.error());
    }
    Twin twin(parsed.id, *layout);
    auto slots = twin.mutable_slots();
    const auto infos = (*layout)->slots();
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if ((*values)[i].is_null()) {
            continue;
        }
        slots[i].value = std::move((*values)[i]);
        const auto found = parsed.metadata.find(infos[i].pointer);
        slots[i].metadata = found != parsed.metadata.end()
                                ? found->second
                                : PropertyMetadata{parsed.last_update_time, parsed.last_update_time, 0};
    }
    const auto version = parsed.version != 0 ? parsed.version : next_version();
    raise_version_floor(version);
    twin.set_version(version);
    twin.set_last_update_time(parsed.last_update_time);
    twin.set_clock_skew(parsed.clock_skew);
    m_twins.emplace(parsed.id, std::move(twin));
    return {};
}

Result<void> TwinGraph::restore_twin(Twin twin) {
    if (auto ok = check_twin_id(twin.id()); !ok) {
        return ok;
    }
    if (m_twins.contains(twin.id())) {
        return fail(ErrorCode::already_exists, "a twin with this id exists", twin.id());
    }
    // The twin must have been laid out by this graph's registry (same model, same slots).
    // find_layout is const: loader threads may be reading the registry meanwhile.
    if (m_models.find_layout(twin.model_id()) != twin.layout_ptr()) {
        return fail(ErrorCode::unknown_model, "the twin was not read with this graph's models", twin.id());
    }
    if (twin.version() == 0) {
        twin.set_version(next_version());
    }
    raise_version_floor(twin.version());
    std::string id = twin.id();
    m_twins.emplace(std::move(id), std::move(twin));
    return {};
}

// ---- versions, preconditions, events ---------------------------------------------------

void TwinGraph::raise_version_floor(std::uint64_t floor) noexcept {
    m_last_version = std::max(m_last_version, floor);
}

Result<void> TwinGraph::check_if_match(std::string_view subject, std::uint64_t version,
                                       const WriteOptions& options) const {
    if (!options.if_match || *options.if_match == "*") {
        return {};
    }
    const auto current = make_etag(version);
    // Clients and proxies sometimes drop the weak prefix; "5" names the same version as W/"5".
    const bool matches = *options.if_match == current || *options.if_match == std::string_view(current).substr(2);
    if (!matches) {
        return fail(ErrorCode::precondition_failed,
                    "If-Match " + *options.if_match + " does not match the current ETag " + current,
                    std::string(subject));
    }
    return {};
}

void TwinGraph::push_event(ChangeKind kind, std::string_view twin_id, std::string_view relationship_id,
                           std::string_view relationship_name, const InterfacePtr& model,
                           std::vector<PatchOperation> patch, std::uint64_t version, const WriteOptions& options,
                           TimePoint now) {
    m_feed.push(ChangeEvent{kind, std::string(twin_id), std::string(relationship_id), std::string(relationship_name),
                            model, std::move(patch), version, options.source_time, now});
}

} // namespace dtwin::core
