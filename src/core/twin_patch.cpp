// TwinGraph::patch_twin: JSON Patch on a twin, validation, event time, commit.
//
// Two ways to apply the operations, with the same outcome:
//   - fast: every path names a property ("/temperature", "/thermostat/target", or deeper
//     inside one). Operations work on staged copies of just the touched properties; the
//     twin document is never built. This is the ingest hot path.
//   - general: anything else (the root, a whole component, unknown names). The twin's
//     document is materialised, patched with apply_patch(), and read back whole.
// Both end with a list of (slot, new value) that commit_patch() validates, filters by
// event time and applies.
#include "core/json_patch.hpp"
#include "core/twin_graph.hpp"
#include "core/twin_validation.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/serialize.hpp>

namespace dtwin::core {

namespace json = boost::json;

/// The candidate new values of the properties a patch touches (null = removed).
struct PatchStaging {
    struct Entry {
        std::uint32_t slot;
        json::value value;
    };
    const Twin& twin;
    // Inline room for typical ingest patches: no allocation on the hot path.
    boost::container::small_vector<Entry, 8> entries;

    /// The value as the patch sees it so far.
    const json::value& current(std::uint32_t slot) const {
        for (const auto& entry : entries) {
            if (entry.slot == slot) {
                return entry.value;
            }
        }
        return twin.slots()[slot].value;
    }

    /// A writable staged copy of the property (copied from the twin on first use).
    json::value& stage(std::uint32_t slot) {
        for (auto& entry : entries) {
            if (entry.slot == slot) {
                return entry.value;
            }
        }
        entries.push_back(Entry{slot, twin.slots()[slot].value});
        return entries.back().value;
    }

    void set(std::uint32_t slot, json::value value) { stage(slot) = std::move(value); }
};

namespace {

/// Where a patch path lands: a property slot, and the pointer inside its value ("" = the
/// property itself).
struct Location {
    std::uint32_t slot;
    std::string_view rest;
};

/// The first token of `path` (unescaped) and what follows it.
std::pair<std::string, std::string_view> first_token(std::string_view path) {
    const auto end = path.find('/', 1);
    const auto raw = path.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
    std::string token(raw);
    if (raw.find('~') != std::string_view::npos) {
        auto tokens = split_pointer(path.substr(0, end));
        token = tokens && !tokens->empty() ? tokens->front() : token;
    }
    return {std::move(token), end == std::string_view::npos ? std::string_view{} : path.substr(end)};
}

/// Locates a path on a property, or nullopt when the general path must handle it.
std::optional<Location> locate(const TwinLayout& layout, std::string_view path) {
    if (path.size() < 2 || path[0] != '/') {
        return std::nullopt;
    }
    auto [name, rest] = first_token(path);
    if (const auto slot = layout.find_property(name)) {
        return Location{*slot, rest};
    }
    const auto component = layout.find_component(name);
    if (!component || rest.size() < 2) {
        return std::nullopt;
    }
    auto [property, inner] = first_token(rest);
    if (const auto slot = layout.find_component_property(*component, property)) {
        return Location{*slot, inner};
    }
    return std::nullopt;
}

Error not_found(std::string_view what = "path") {
    return Error{ErrorCode::invalid_patch, std::string(what) + " not found", {}};
}

/// Values written at a property's own level: null would read as "removed", so it is
/// refused here with the schema's own message.
Result<void> check_not_null(const Twin& twin, std::uint32_t slot, const json::value& value) {
    if (!value.is_null()) {
        return {};
    }
    const auto& info = twin.layout().slot(slot);
    return validate_value(*info.schema, value, twin.id(), info.pointer);
}

const json::value* fast_get(const PatchStaging& staging, const Location& at) {
    const auto& value = staging.current(at.slot);
    if (value.is_null()) {
        return nullptr;
    }
    return at.rest.empty() ? &value : pointer_get(value, at.rest);
}

Result<void> fast_add(PatchStaging& staging, const Location& at, json::value value) {
    if (at.rest.empty()) {
        if (auto ok = check_not_null(staging.twin, at.slot, value); !ok) {
            return ok;
        }
        staging.set(at.slot, std::move(value));
        return {};
    }
    if (staging.current(at.slot).is_null()) {
        return std::unexpected(not_found("parent of path"));
    }
    return pointer_add(staging.stage(at.slot), at.rest, std::move(value));
}

Result<json::value> fast_remove(PatchStaging& staging, const Location& at) {
    if (staging.current(at.slot).is_null()) {
        return std::unexpected(not_found());
    }
    if (at.rest.empty()) {
        return std::exchange(staging.stage(at.slot), nullptr);
    }
    return pointer_remove(staging.stage(at.slot), at.rest);
}

Result<void> fast_operation(PatchStaging& staging, const PatchOperation& op, const Location& path,
                            const std::optional<Location>& from) {
    switch (op.op) {
    case PatchOp::add:
        return fast_add(staging, path, op.value);
    case PatchOp::remove: {
        auto removed = fast_remove(staging, path);
        return removed ? Result<void>{} : std::unexpected(removed.error());
    }
    case PatchOp::replace:
        if (fast_get(staging, path) == nullptr) {
            return std::unexpected(not_found());
        }
        if (path.rest.empty()) {
            return fast_add(staging, path, op.value);
        }
        return pointer_replace(staging.stage(path.slot), path.rest, op.value);
    case PatchOp::test: {
        const auto* current = fast_get(staging, path);
        if (current == nullptr) {
            return std::unexpected(not_found());
        }
        if (!json_equal(*current, op.value)) {
            return fail(ErrorCode::test_failed,
                        "value is " + json::serialize(*current) + ", expected " + json::serialize(op.value));
        }
        return {};
    }
    case PatchOp::copy: {
        const auto* source = fast_get(staging, *from);
        if (source == nullptr) {
            return std::unexpected(not_found("from"));
        }
        json::value copied = *source;
        return fast_add(staging, path, std::move(copied));
    }
    case PatchOp::move: {
        if (op.path.size() > op.from.size() && op.path.starts_with(op.from) && op.path[op.from.size()] == '/') {
            return fail(ErrorCode::invalid_patch, "cannot move a value into one of its own children");
        }
        if (op.from == op.path) {
            return fast_get(staging, *from) == nullptr ? std::unexpected(not_found("from")) : Result<void>{};
        }
        auto moved = fast_remove(staging, *from);
        if (!moved) {
            return std::unexpected(not_found("from"));
        }
        return fast_add(staging, path, std::move(*moved));
    }
    }
    return fail(ErrorCode::invalid_patch, "unknown operation");
}

Error locate_error(Error error, std::string_view twin_id, std::size_t index, const PatchOperation& op) {
    error.where = std::string(twin_id) + " /" + std::to_string(index) + " (" + std::string(patch_op_name(op.op)) + " " +
                  op.path + ")";
    return error;
}

/// The fast way; returns false (and leaves `staging` empty) when some path needs the general way.
Result<bool> stage_fast(PatchStaging& staging, std::span<const PatchOperation> patch) {
    const auto& layout = staging.twin.layout();
    boost::container::small_vector<std::pair<Location, std::optional<Location>>, 8> locations;
    for (const auto& op : patch) {
        auto path = locate(layout, op.path);
        std::optional<Location> from;
        if (op.op == PatchOp::move || op.op == PatchOp::copy) {
            from = locate(layout, op.from);
            if (!from) {
                return false;
            }
        }
        if (!path) {
            return false;
        }
        locations.emplace_back(*path, from);
    }
    for (std::size_t i = 0; i < patch.size(); ++i) {
        if (auto ok = fast_operation(staging, patch[i], locations[i].first, locations[i].second); !ok) {
            return std::unexpected(locate_error(std::move(ok.error()), staging.twin.id(), i, patch[i]));
        }
    }
    return true;
}

/// The general way: patch the whole document and read every property back.
Result<void> stage_general(PatchStaging& staging, std::span<const PatchOperation> patch) {
    const Twin& twin = staging.twin;
    json::value document = twin.properties();
    if (auto ok = apply_patch(document, patch); !ok) {
        Error error = std::move(ok.error());
        error.where = twin.id() + " " + error.where;
        return std::unexpected(std::move(error));
    }
    if (!document.is_object()) {
        return fail(ErrorCode::invalid_value, "the twin document must stay an object", twin.id() + " /");
    }
    auto values = read_twin_document(twin.layout(), document.get_object(), twin.id());
    if (!values) {
        return std::unexpected(values.error());
    }
    for (std::uint32_t slot = 0; slot < values->size(); ++slot) {
        if (!json_equal((*values)[slot], twin.slots()[slot].value)) {
            staging.entries.push_back({slot, std::move((*values)[slot])});
        }
    }
    return {};
}

/// Event time: is a sample at (time, sequence) older than what the slot holds?
bool is_stale(const PropertyMetadata& stored, TimePoint time, std::uint64_t sequence) {
    if (stored.last_update_time == TimePoint{}) {
        return false; // never written
    }
    if (time != stored.source_time) {
        return time < stored.source_time;
    }
    // Same source time: the sequence decides; with no sequence on either side the
    // later write wins (plain API writes carry none).
    if (sequence == 0 && stored.sequence == 0) {
        return false;
    }
    return sequence <= stored.sequence;
}

/// What a patch does to one touched property.
enum class Outcome : std::uint8_t {
    change,  ///< new value applied
    refresh, ///< same value from a newer sample: only the event time moves on
    stale,   ///< older sample: value kept, reported stale
    skip,    ///< nothing at all
};
using Outcomes = boost::container::small_vector<Outcome, 16>;

/// Validates every staged value before anything changes (atomicity) and decides the
/// outcome of each.
/// (Fills `outcomes` rather than returning it: g++ 12 reports a false -Wstringop-overread
/// when a small_vector travels inside std::expected.)
Result<void> classify(const Twin& twin, const PatchStaging& staging, TimePoint source_time, std::uint64_t sequence,
                      Outcomes& outcomes) {
    outcomes.assign(staging.entries.size(), Outcome::skip);
    for (std::size_t i = 0; i < staging.entries.size(); ++i) {
        const auto& entry = staging.entries[i];
        const auto& info = twin.layout().slot(entry.slot);
        if (!entry.value.is_null()) {
            if (auto ok = validate_value(*info.schema, entry.value, twin.id(), info.pointer); !ok) {
                return std::unexpected(ok.error());
            }
        }
        const auto& stored = twin.slots()[entry.slot];
        const bool same = json_equal(entry.value, stored.value);
        if (is_stale(stored.metadata, source_time, sequence)) {
            outcomes[i] = same ? Outcome::skip : Outcome::stale;
        } else {
            outcomes[i] = same ? (stored.value.is_null() ? Outcome::skip : Outcome::refresh) : Outcome::change;
        }
    }
    return {};
}

} // namespace

Result<WriteResult> TwinGraph::patch_twin(std::string_view id, const json::value& patch, const WriteOptions& options) {
    auto operations = parse_patch(patch);
    if (!operations) {
        Error error = std::move(operations.error());
        error.where = std::string(id) + (error.where.empty() ? "" : " " + error.where);
        return std::unexpected(std::move(error));
    }
    return patch_twin(id, *operations, options);
}

Result<WriteResult> TwinGraph::patch_twin(std::string_view id, std::span<const PatchOperation> patch,
                                          const WriteOptions& options) {
    const auto it = m_twins.find(id);
    if (it == m_twins.end()) {
        return fail(ErrorCode::unknown_twin, "no such twin", std::string(id));
    }
    Twin& twin = it->second;
    if (auto ok = check_if_match(id, twin.version(), options); !ok) {
        return std::unexpected(ok.error());
    }
    PatchStaging staging{twin, {}};
    auto fast = stage_fast(staging, patch);
    if (!fast) {
        return std::unexpected(fast.error());
    }
    if (!*fast) {
        staging.entries.clear();
        if (auto ok = stage_general(staging, patch); !ok) {
            return std::unexpected(ok.error());
        }
    }
    return commit_patch(twin, staging, options, m_clock.now());
}

Result<WriteResult> TwinGraph::commit_patch(Twin& twin, PatchStaging& staging, const WriteOptions& options,
                                            TimePoint now) {
    const TimePoint source_time = options.source_time.value_or(now);
    const std::uint64_t sequence = options.sequence.value_or(0);
    const auto& layout = twin.layout();
    auto slots = twin.mutable_slots();

    Outcomes outcomes;
    if (auto ok = classify(twin, staging, source_time, sequence, outcomes); !ok) {
        return std::unexpected(ok.error());
    }
    // Everything is valid: apply.
    WriteResult result;
    result.applied.reserve(staging.entries.size());
    for (std::size_t i = 0; i < staging.entries.size(); ++i) {
        auto& entry = staging.entries[i];
        auto& stored = slots[entry.slot];
        const auto& info = layout.slot(entry.slot);
        switch (outcomes[i]) {
        case Outcome::change: {
            const PatchOp op = stored.value.is_null()  ? PatchOp::add
                               : entry.value.is_null() ? PatchOp::remove
                                                       : PatchOp::replace;
            result.applied.push_back(PatchOperation{op, info.pointer, {}, entry.value});
            stored.value = std::move(entry.value);
            stored.metadata = PropertyMetadata{now, source_time, sequence}; // fresh: clears `stale` too
            break;
        }
        case Outcome::refresh:
            // Same value, newer sample: move the event time on so that an older sample
            // arriving later cannot overwrite it. Not a change: no version, no event; so
            // the stale flag stays (clearing it unversioned would not reach the store).
            stored.metadata.source_time = source_time;
            stored.metadata.sequence = sequence;
            break;
        case Outcome::stale:
            result.stale.push_back(
                StaleProperty{info.pointer, std::move(entry.value), source_time, stored.metadata.source_time});
            break;
        case Outcome::skip:
            break;
        }
    }
    if (result.applied.empty()) {
        result.version = twin.version();
        result.etag = twin.etag();
        return result;
    }
    result.version = next_version();
    result.etag = make_etag(result.version);
    twin.set_version(result.version);
    twin.set_last_update_time(now);
    push_event(ChangeKind::twin_patched, twin.id(), {}, {}, twin.layout().model(), result.applied, result.version,
               options, now);
    return result;
}

} // namespace dtwin::core
