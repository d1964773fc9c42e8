// TwinGraph: the models, twins and relationships of one dtwin server, in memory.
//
// Every write is validated against the DTDL models the way Azure Digital Twins does it
// (twin_validation.hpp), is all-or-nothing, and when it changed something bumps the
// version (and so the ETag) and appends exactly one ChangeEvent to the feed
// (change_feed.hpp). Rejected writes and writes that change nothing leave no trace.
//
// Event time (ARCHITECTURE.md): a patch may carry the source time and sequence of the
// sample it comes from (WriteOptions); without one, the write's source time is the clock's
// now. Per property, a sample older than the stored one does not change the current value,
// and the patch reports it as stale so that history can still keep it. At equal source
// times the sequence decides: stale unless it is above the stored one; when neither the
// stored nor the new sample has a sequence, the later write wins (plain API writes).
// A newer sample carrying the value already stored changes nothing visible (no version,
// no event) but moves the property's source time on, so that an older sample arriving
// after it cannot overwrite the value.
//
// Marks (twin.hpp): set_properties_stale and set_clock_skew are metadata-only writes. When
// they change something the twin gets a new version (and ETag) and its last update time
// moves to the clock's now, so the store persists the mark; but they queue NO change event
// and touch no property value (the engine reports connectivity itself). A write that
// applies a new value to a property (create, replace, patch) clears that property's stale
// flag; an older sample that is not applied, and a newer sample of the same value (which
// makes no new version), leave it. A replace keeps the twin's clock-skew flag.
//
// Threads: none inside. The graph has one writer (the engine's strand); readers on other
// threads need their own snapshot. The clock is injected and only read.
//
// Usage:
//     ManualClock clock{...};
//     TwinGraph graph{clock};
//     graph.add_model(room_interface);
//     graph.create_twin("Room1", json::parse(R"({"$metadata":{"$model":"dtmi:x:Room;1"},"temperature":20})"));
//     auto result = graph.patch_twin("Room1", json::parse(R"([{"op":"replace","path":"/temperature","value":21.5}])"),
//                                    {.source_time = sample_time, .sequence = 42});
//     for (auto& event : graph.drain_events()) { ... }   // after the store committed
//
// Loading at start (no events): per stored document, either
//     graph.restore_twin(twin_from_json(json, graph.models()).value())   // fast, Twin directly
// or  graph.restore_twin(twin_from_json(json).value())                   // via ParsedTwin
// (twin_json.hpp; the first may run on loader threads, the restore on the writer).
#pragma once

#include "core/change_feed.hpp"
#include "core/error.hpp"
#include "core/json_patch.hpp"
#include "core/model.hpp"
#include "core/model_registry.hpp"
#include "core/time.hpp"
#include "core/twin.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dtwin::core {

struct ParsedTwin;   // twin_json.hpp
struct PatchStaging; // twin_patch.cpp (private)

/// Options of one write.
struct WriteOptions {
    /// If-Match: "*" (must exist) or an ETag that must equal the current one (W/"5", or "5"
    /// without the weak prefix); unset = no check.
    std::optional<std::string> if_match = std::nullopt;
    /// Event time of the values written. Unset: the graph clock's now.
    std::optional<TimePoint> source_time = std::nullopt;
    /// Sequence of the sample (e.g. the gateway's message number), for ties on source time.
    /// Unset or 0: none.
    std::optional<std::uint64_t> sequence = std::nullopt;
    // (explicit "= std::nullopt" lets callers use designated initializers such as
    // {.source_time = t} without g++ 12's -Wmissing-field-initializers.)
};

/// A property value that a write did not apply because the stored value is newer.
struct StaleProperty {
    std::string path;                ///< JSON pointer of the property ("/temperature", "/thermostat/target")
    boost::json::value value;        ///< the value the write carried (null for a remove)
    TimePoint source_time{};         ///< the write's source time
    TimePoint current_source_time{}; ///< the stored value's source time, which won
};

/// What a write did.
struct WriteResult {
    std::vector<PatchOperation> applied; ///< the effective JSON Patch (empty: nothing changed); see patch_to_json()
    std::vector<StaleProperty> stale;    ///< properties left unchanged because the write was older
    std::uint64_t version = 0;           ///< version after the write (unchanged when nothing changed)
    std::string etag;                    ///< ETag after the write

    [[nodiscard]] bool changed() const noexcept { return !applied.empty(); }
};

/// Which end of a twin's relationships to list.
enum class RelationshipDirection { outgoing, incoming };

class TwinGraph {
public:
    explicit TwinGraph(const Clock& clock);

    // ---- models ------------------------------------------------------------------------

    /// Adds a resolved interface. Errors: already_exists, invalid_model.
    [[nodiscard]] Result<void> add_model(InterfacePtr model);
    /// The interface, or null.
    [[nodiscard]] InterfacePtr find_model(std::string_view id) const { return m_models.find(id); }
    /// Removes a model. Errors: unknown_model; in_use while twins of it exist (or while
    /// another loaded model uses it as a component).
    [[nodiscard]] Result<void> remove_model(std::string_view id);
    [[nodiscard]] ModelRegistry& models() noexcept { return m_models; }
    [[nodiscard]] const ModelRegistry& models() const noexcept { return m_models; }

    // ---- twins -------------------------------------------------------------------------

    /// Creates a twin from its Azure Digital Twins body:
    ///   {"$metadata": {"$model": "<dtmi>"}, "<property>": <value>, "<component>": {"$metadata": {}, ...}}
    /// "$dtId" (if present) must equal `id`; "$etag", "$lastUpdateTime" and per-property
    /// "$metadata" entries are ignored (the graph owns them).
    /// Errors: already_exists, unknown_model (or the model is decommissioned: invalid_model),
    /// invalid_value (with the twin id and JSON pointer), invalid_json (body shape).
    [[nodiscard]] Result<WriteResult> create_twin(std::string_view id, const boost::json::value& body,
                                                  const WriteOptions& options = {});

    /// Replaces an existing twin with a new body (same form as create_twin); the model may
    /// change. Honours options.if_match. Metadata of every property restarts. Unchanged
    /// content: no new version, no event.
    /// Errors: unknown_twin, precondition_failed, and those of create_twin.
    [[nodiscard]] Result<WriteResult> replace_twin(std::string_view id, const boost::json::value& body,
                                                   const WriteOptions& options = {});

    /// Applies a JSON Patch (RFC 6902) to the twin's document (see Twin::properties()),
    /// validates the result, and for each property touched keeps the newer of the stored
    /// and the written sample (event time). Atomic: on any error nothing changes.
    /// Errors: unknown_twin, precondition_failed (names both ETags), invalid_patch /
    /// test_failed ("/2 (replace /temperature): path not found"), invalid_value.
    [[nodiscard]] Result<WriteResult> patch_twin(std::string_view id, const boost::json::value& patch,
                                                 const WriteOptions& options = {});
    /// Same with a pre-parsed patch (parse_patch), for hot paths that build patches themselves.
    [[nodiscard]] Result<WriteResult> patch_twin(std::string_view id, std::span<const PatchOperation> patch,
                                                 const WriteOptions& options = {});

    /// Deletes a twin. Errors: unknown_twin, precondition_failed, in_use while it has
    /// outgoing or incoming relationships (delete those first, as in Azure Digital Twins).
    [[nodiscard]] Result<void> delete_twin(std::string_view id, const WriteOptions& options = {});

    /// A copy of the twin. Error: unknown_twin.
    [[nodiscard]] Result<Twin> get_twin(std::string_view id) const;
    /// The twin, or nullptr. Valid until the next write to the graph.
    [[nodiscard]] const Twin* find_twin(std::string_view id) const;

    /// All twin ids, sorted.
    [[nodiscard]] std::vector<std::string> list_twin_ids() const;
    [[nodiscard]] std::size_t twin_count() const noexcept { return m_twins.size(); }
    /// Calls `visit` for every twin, in no particular order.
    void for_each_twin(const std::function<void(const Twin&)>& visit) const;

    // ---- marks: metadata-only writes (new version, no change event) --------------------

    /// Sets or clears the stale flag (PropertyMetadata::stale) of the named root properties
    /// of twin `id`. Names are root property names, without "/"; names that are not
    /// declared by the twin's model, or whose property is not set, are skipped.
    /// Returns true when any flag changed; then the twin gets a new version (and ETag) and
    /// last_update_time = the clock's now, but NO change event is queued. False: nothing
    /// changed, not even the version. Error: unknown_twin.
    [[nodiscard]] Result<bool> set_properties_stale(std::string_view id, std::span<const std::string> properties,
                                                    bool stale);

    /// Sets (`flag`) or clears (nullopt) the twin's clock-skew flag (Twin::clock_skew()).
    /// Returns true when it changed (set where none was, cleared, or any field differs);
    /// then the twin gets a new version (and ETag) and last_update_time = the clock's now,
    /// but NO change event is queued. Error: unknown_twin.
    [[nodiscard]] Result<bool> set_clock_skew(std::string_view id, std::optional<ClockSkewFlag> flag);

    // ---- relationships -----------------------------------------------------------------

    /// Creates relationship `relationship_id` from twin `source_id`, from its Azure Digital
    /// Twins body: {"$targetId": ..., "$relationshipName": ..., <properties>}. "$sourceId"
    /// and "$relationshipId", if present, must match the arguments.
    /// Errors: unknown_twin (source or target), already_exists, invalid_value (name not a
    /// relationship of the source's model, target of the wrong model, bad properties).
    [[nodiscard]] Result<WriteResult> create_relationship(std::string_view source_id, std::string_view relationship_id,
                                                          const boost::json::value& body,
                                                          const WriteOptions& options = {});

    /// Error: unknown_relationship.
    [[nodiscard]] Result<Relationship> get_relationship(std::string_view source_id,
                                                        std::string_view relationship_id) const;

    /// Patches the relationship's properties (not its ends or name). Event time is not
    /// applied to relationships. Errors: unknown_relationship, precondition_failed,
    /// invalid_patch, test_failed, invalid_value.
    [[nodiscard]] Result<WriteResult> patch_relationship(std::string_view source_id, std::string_view relationship_id,
                                                         const boost::json::value& patch,
                                                         const WriteOptions& options = {});

    /// Errors: unknown_relationship, precondition_failed.
    [[nodiscard]] Result<void> delete_relationship(std::string_view source_id, std::string_view relationship_id,
                                                   const WriteOptions& options = {});

    /// The relationships leaving (outgoing) or arriving at (incoming) a twin, sorted by
    /// (source, id). Error: unknown_twin.
    [[nodiscard]] Result<std::vector<Relationship>> list_relationships(std::string_view twin_id,
                                                                       RelationshipDirection direction) const;
    [[nodiscard]] std::size_t relationship_count() const noexcept { return m_relationship_count; }

    // ---- loading (the store, at start) -------------------------------------------------

    /// Makes room for `count` twins in total, so that loading a known number of twins
    /// does not rehash the index again and again.
    void reserve_twins(std::size_t count) { m_twins.reserve(count); }

    /// Installs a twin read back from the store (twin_from_json), keeping its version and
    /// metadata, marks included (stale flags, clock-skew flag). Validated against its
    /// model; no event. Errors: already_exists, unknown_model, invalid_value.
    [[nodiscard]] Result<void> restore_twin(const ParsedTwin& twin);
    /// Installs a twin read with twin_from_json(json, graph.models()), keeping its version
    /// and metadata, marks included (version 0: a new one is assigned). No event.
    /// Errors: already_exists, invalid_value (bad id), unknown_model (its layout is not
    /// this graph's).
    [[nodiscard]] Result<void> restore_twin(Twin twin);
    /// Installs a relationship read back from the store; both twins must be loaded. No event.
    [[nodiscard]] Result<void> restore_relationship(const Relationship& relationship);

    // ---- versions and the change feed -------------------------------------------------

    /// The highest version handed out so far (0 for an empty graph).
    [[nodiscard]] std::uint64_t last_version() const noexcept { return m_last_version; }
    /// Makes future versions start above `floor` (the store persists the last version so
    /// that ETags of deleted twins are never handed out again after a restart).
    void raise_version_floor(std::uint64_t floor) noexcept;

    /// Takes every queued ChangeEvent, oldest first.
    [[nodiscard]] std::vector<ChangeEvent> drain_events() { return m_feed.drain(); }
    [[nodiscard]] std::size_t pending_events() const noexcept { return m_feed.size(); }

private:
    [[nodiscard]] Result<void> check_if_match(std::string_view subject, std::uint64_t version,
                                              const WriteOptions& options) const;
    [[nodiscard]] Result<Twin> build_twin(std::string_view id, const boost::json::value& body, TimePoint source_time,
                                          std::uint64_t sequence, TimePoint now);
    [[nodiscard]] Result<void> validate_relationship(const Relationship& relationship) const;
    [[nodiscard]] Relationship* find_relationship_mutable(std::string_view source_id, std::string_view relationship_id);
    void push_event(ChangeKind kind, std::string_view twin_id, std::string_view relationship_id,
                    std::string_view relationship_name, const InterfacePtr& model, std::vector<PatchOperation> patch,
                    std::uint64_t version, const WriteOptions& options, TimePoint now);
    std::uint64_t next_version() noexcept { return ++m_last_version; }
    /// A metadata-only write changed `twin`: new version and last update time, no event.
    void touch_metadata(Twin& twin);
    [[nodiscard]] Result<WriteResult> commit_patch(Twin& twin, PatchStaging& staging, const WriteOptions& options,
                                                   TimePoint now);

    // Deliberately not noexcept: libstdc++ then stores each key's hash in its node, so a
    // lookup among a million twins compares hashes instead of rehashing every key it meets.
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    template <typename T> using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

    const Clock& m_clock;
    ModelRegistry m_models;
    StringMap<Twin> m_twins;
    /// Outgoing relationships by source twin, then by relationship id (sorted).
    StringMap<std::map<std::string, Relationship, std::less<>>> m_outgoing;
    /// Incoming relationships by target twin: (source id, relationship id) pairs.
    StringMap<std::set<std::pair<std::string, std::string>>> m_incoming;
    std::size_t m_relationship_count = 0;
    std::uint64_t m_last_version = 0;
    ChangeFeed m_feed;
};

} // namespace dtwin::core
