// The store: where dtwin keeps everything that must survive a restart.
//
// Design
// ------
// The store knows nothing of DTDL or of the twin graph. It keeps records whose payload is
// JSON text written by the layers above (a model's DTDL document, a twin as Azure Digital
// Twins returns it, a relationship, an alert's details), next to the few columns it must
// index (ids, the model of a twin, the ends of a relationship). What the JSON means is the
// business of core; the store only guarantees that what was committed comes back intact.
//
// What is kept (the SQLite backend has one table per line):
//   models         id (DTMI) -> DTDL document, upload time, decommissioned flag
//   twins          id -> model, version, document
//   relationships  (source twin, relationship id) -> target, name, document
//                  (as in Azure Digital Twins, a relationship id is unique per source twin)
//   series         (twin, property path) -> small integer, so history rows stay compact
//   sample_log     history as committed: appended in arrival order (cheap commits)
//   samples        history folded from the log in big sorted runs, clustered by
//                  (series, source time, sequence) for range reads. Reads merge both; a
//                  sample written again with the same identity replaces the older write.
//                  Retention (prune_history) deletes old samples from both.
//   alerts         id -> twin, rule, state, times, details
//   alert_acks     alert id -> acknowledgement requested by a user, not yet applied
//   silences       id -> twin pattern, rule pattern, window, comment
//   outbox         notification id -> sink, payload, attempts, next attempt, last error
//   cursors        ingest source -> last committed sequence number
//
// Transactions: every change goes through a WriteBatch, an ordered list of puts, deletes,
// history appends and cursor moves. Store::commit applies one batch, or several batches
// (group commit), in ONE transaction: either all of it is durable or none of it is. This
// is what lets the engine commit "state + history + the gateway's sequence" together and
// acknowledge only afterwards (ARCHITECTURE.md, "Sequence and acks").
//
// Durability (StoreOptions::durability): `process` survives a crash or kill -9 of dtwin but
// may lose the last commits on power loss; `power` also survives power loss at the price
// of an fsync per commit. Group commit amortises that fsync over many batches.
//
// Threads: a Store object may be called from any thread; calls on one object are
// serialised by a lock inside it, so a long load or a big commit makes other callers of
// the SAME object wait. Readers that must not wait for the writer (HTTP handlers, CLI
// commands) open their own Store object, typically with `read_only = true`: the SQLite
// backend runs in WAL mode, where readers and one writer work side by side, even across
// processes. Callbacks passed to load_all run under that lock and must not call back into
// the same Store object.
//
// Nothing in this header depends on SQLite: a PostgreSQL backend will implement the same
// interface, and no code above the store may include anything from store/sqlite/.
#pragma once

#include "core/error.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dtwin::store {

using core::Error;
using core::Result;
using core::TimePoint;

// ---------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------

/// One uploaded DTDL interface.
struct ModelRecord {
    std::string id{};        ///< the interface's DTMI, e.g. "dtmi:example:Room;1"
    std::string document{};  ///< the DTDL JSON text of this one interface, as uploaded
    TimePoint upload_time{}; ///< when it was uploaded (reported by the models API)
    bool decommissioned = false;

    bool operator==(const ModelRecord&) const = default;
};

/// One digital twin.
struct TwinRecord {
    std::string id{};          ///< $dtId
    std::string model{};       ///< $metadata.$model, kept apart so it can be indexed
    std::uint64_t version = 0; ///< bumped by the engine on every change; the ETag derives from it
    std::string document{};    ///< the whole twin as Azure Digital Twins JSON text

    bool operator==(const TwinRecord&) const = default;
};

/// One relationship. Identified by (source, id), not by id alone.
struct RelationshipRecord {
    std::string id{};       ///< $relationshipId, unique among the relationships of `source`
    std::string source{};   ///< $sourceId
    std::string target{};   ///< $targetId
    std::string name{};     ///< $relationshipName
    std::string document{}; ///< the relationship as Azure Digital Twins JSON text

    bool operator==(const RelationshipRecord&) const = default;
};

/// A sample value that is a JSON document (object or array, e.g. a DTDL Object or Map
/// property). Kept distinct from std::string so that "a string" and "some JSON" survive a
/// round trip as what they were.
struct JsonText {
    std::string text{};

    bool operator==(const JsonText&) const = default;
};

/// What a history sample holds. Scalars are stored natively (compact, comparable);
/// everything else as JSON text.
using SampleValue = std::variant<double, bool, std::int64_t, std::string, JsonText>;

/// One value of one property of one twin at one source time.
///
/// A sample is identified by (twin, property, source_time, sequence): appending the same
/// identity twice keeps one row, with the later value. This makes replays after an outage
/// harmless; it also means two different samples of one property at the same microsecond
/// must carry different sequence numbers.
struct HistorySample {
    std::string twin{};         ///< twin id
    std::string property{};     ///< property path within the twin, e.g. "temperature" or "/config/mode"
    TimePoint source_time{};    ///< event time: when the value was measured
    std::uint64_t sequence = 0; ///< the ingest sequence that carried it (below 2^63)
    SampleValue value{};

    bool operator==(const HistorySample&) const = default;
};

/// An alert raised by a rule (minimal for now: the alerts work will extend it).
struct AlertRecord {
    std::string id{};
    std::string twin{};                       ///< the twin the alert is about
    std::string rule{};                       ///< the rule that raised it
    std::string state{};                      ///< e.g. "active", "acknowledged", "resolved"
    TimePoint raised_time{};                  ///< event time of the condition
    TimePoint updated_time{};                 ///< last state change
    std::optional<TimePoint> resolved_time{}; ///< set once resolved
    std::string details{};                    ///< JSON text

    bool operator==(const AlertRecord&) const = default;
};

/// A user's request to acknowledge an alert (`dtwin alerts ack`). The CLI writes it; the
/// server applies it to the alert's tracker and deletes it in the same commit that stores
/// the acknowledged alert (so it is applied once, whether the server runs now or later).
struct AlertAckRecord {
    std::string alert_id{};       ///< AlertRecord::id
    TimePoint requested_time{};   ///< when the user asked
    std::string by{};             ///< who asked (free text, may be empty)
    std::string comment{};        ///< why (free text, may be empty)

    bool operator==(const AlertAckRecord&) const = default;
};

/// A silence (core/alerts/silence.hpp) as stored: notifications of matching alerts whose
/// event time is in [from, until) are not sent.
struct SilenceRecord {
    std::string id{};           ///< chosen by the writer (the CLI: a short random id)
    std::string twin_pattern{}; ///< a twin id or "*"
    std::string rule_pattern{}; ///< a rule name or "*"
    TimePoint from{};
    TimePoint until{};
    TimePoint created_time{};
    std::string comment{};

    bool operator==(const SilenceRecord&) const = default;
};

/// A notification waiting for delivery to one sink (the durable outbox). The engine puts
/// it in the same commit as the alert transition it reports; the delivery worker deletes
/// it once the sink took it, or marks it failed for good.
struct OutboxRecord {
    /// Unique per (notification, sink): "<alert id>/<transition>#<sink>". A replayed
    /// message that raises the same transition again overwrites the same record.
    std::string id{};
    std::string sink{};          ///< the sink's name ("smtp", "webhook")
    std::string payload{};       ///< JSON text (the notification)
    TimePoint created_time{};
    TimePoint next_attempt_time{}; ///< not delivered before this instant
    std::uint32_t attempts = 0;    ///< deliveries tried so far
    std::string last_error{};      ///< why the last attempt failed (empty: none yet)
    bool failed = false;           ///< a permanent failure: never tried again

    bool operator==(const OutboxRecord&) const = default;
};

/// How far one ingest source (a gateway, a device connection) has been committed.
struct CursorRecord {
    std::string source{};
    std::uint64_t sequence = 0; ///< highest sequence committed for `source` (below 2^63)

    bool operator==(const CursorRecord&) const = default;
};

// ---------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------

/// Puts are upserts (create or replace by key); deletes of a missing key do nothing.
struct PutModel {
    ModelRecord record{};
};
struct DeleteModel {
    std::string id{};
};
struct PutTwin {
    TwinRecord record{};
};
struct DeleteTwin {
    std::string id{};
};
struct PutRelationship {
    RelationshipRecord record{};
};
struct DeleteRelationship {
    std::string source{};
    std::string id{};
};
struct AppendSample {
    HistorySample sample{};
};
struct PutAlert {
    AlertRecord record{};
};
struct DeleteAlert {
    std::string id{};
};
struct SetCursor {
    CursorRecord cursor{};
};
struct PutAlertAck {
    AlertAckRecord record{};
};
struct DeleteAlertAck {
    std::string alert_id{};
};
struct PutSilence {
    SilenceRecord record{};
};
struct DeleteSilence {
    std::string id{};
};
struct PutOutbox {
    OutboxRecord record{};
};
struct DeleteOutbox {
    std::string id{};
};

using WriteOperation =
    std::variant<PutModel, DeleteModel, PutTwin, DeleteTwin, PutRelationship, DeleteRelationship, AppendSample,
                 PutAlert, DeleteAlert, SetCursor, PutAlertAck, DeleteAlertAck, PutSilence, DeleteSilence, PutOutbox,
                 DeleteOutbox>;

/// An ordered list of changes that Store::commit applies all together or not at all.
/// Operations apply in the order they were added (a put then a delete of the same twin
/// leaves no twin). The store does not check references between records (a twin's
/// model, a relationship's ends): keeping the graph consistent is the engine's job.
/// Deleting a twin does not delete its history or its relationships.
///
/// A plain value: build it on one thread, then hand it to commit (from any thread).
class WriteBatch {
public:
    void put_model(ModelRecord record) { m_operations.emplace_back(PutModel{std::move(record)}); }
    void delete_model(std::string id) { m_operations.emplace_back(DeleteModel{std::move(id)}); }
    void put_twin(TwinRecord record) { m_operations.emplace_back(PutTwin{std::move(record)}); }
    void delete_twin(std::string id) { m_operations.emplace_back(DeleteTwin{std::move(id)}); }
    void put_relationship(RelationshipRecord record) { m_operations.emplace_back(PutRelationship{std::move(record)}); }
    void delete_relationship(std::string source, std::string id) {
        m_operations.emplace_back(DeleteRelationship{std::move(source), std::move(id)});
    }
    void append_sample(HistorySample sample) {
        ++m_sample_count;
        m_operations.emplace_back(AppendSample{std::move(sample)});
    }
    void put_alert(AlertRecord record) { m_operations.emplace_back(PutAlert{std::move(record)}); }
    void delete_alert(std::string id) { m_operations.emplace_back(DeleteAlert{std::move(id)}); }
    void put_alert_ack(AlertAckRecord record) { m_operations.emplace_back(PutAlertAck{std::move(record)}); }
    void delete_alert_ack(std::string alert_id) { m_operations.emplace_back(DeleteAlertAck{std::move(alert_id)}); }
    void put_silence(SilenceRecord record) { m_operations.emplace_back(PutSilence{std::move(record)}); }
    void delete_silence(std::string id) { m_operations.emplace_back(DeleteSilence{std::move(id)}); }
    void put_outbox(OutboxRecord record) { m_operations.emplace_back(PutOutbox{std::move(record)}); }
    void delete_outbox(std::string id) { m_operations.emplace_back(DeleteOutbox{std::move(id)}); }
    /// Records that `source` is committed up to `sequence`. The store keeps what it is told
    /// (last write wins, no max): dropping replays is the engine's decision.
    void set_cursor(std::string source, std::uint64_t sequence) {
        m_operations.emplace_back(SetCursor{CursorRecord{std::move(source), sequence}});
    }

    /// Reserves room for `count` more operations (avoids regrowth in hot ingest paths).
    void reserve(std::size_t count) { m_operations.reserve(m_operations.size() + count); }
    void clear() {
        m_operations.clear();
        m_sample_count = 0;
    }
    [[nodiscard]] bool empty() const { return m_operations.empty(); }
    /// Number of operations of every kind.
    [[nodiscard]] std::size_t size() const { return m_operations.size(); }
    /// Number of history samples among them (group committers size their groups by it).
    [[nodiscard]] std::size_t sample_count() const { return m_sample_count; }
    [[nodiscard]] const std::vector<WriteOperation>& operations() const { return m_operations; }

private:
    std::vector<WriteOperation> m_operations;
    std::size_t m_sample_count = 0;
};

// ---------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------

/// Where load_all delivers records. Each callback receives a record it may move from. An
/// empty std::function skips that kind (the store then does not even read it).
struct LoadSink {
    std::function<void(ModelRecord&&)> on_model{};
    std::function<void(TwinRecord&&)> on_twin{};
    std::function<void(RelationshipRecord&&)> on_relationship{};
    std::function<void(CursorRecord&&)> on_cursor{};
};

/// How many records load_all delivered.
struct LoadCounts {
    std::size_t models = 0;
    std::size_t twins = 0;
    std::size_t relationships = 0;
    std::size_t cursors = 0;
};

/// Everything load_all can deliver, collected in memory (see load_snapshot).
struct Snapshot {
    std::vector<ModelRecord> models{};
    std::vector<TwinRecord> twins{};
    std::vector<RelationshipRecord> relationships{};
    std::vector<CursorRecord> cursors{};
};

/// A history range: samples of one property of one twin with from <= source_time < to,
/// ordered by (source_time, sequence), at most `limit` of them (0: no limit).
struct HistoryQuery {
    std::string twin{};
    std::string property{};
    TimePoint from = TimePoint::min();
    TimePoint to = TimePoint::max();
    std::size_t limit = 0;
};

/// Which alerts list_alerts returns; empty fields match everything. Ordered by
/// raised_time, oldest first.
struct AlertQuery {
    std::string twin{};
    std::string state{};
    std::string rule{};
    std::size_t limit = 0; ///< 0: no limit
};

/// Which outbox records list_outbox returns, ordered by (next_attempt_time, id).
struct OutboxQuery {
    /// Only records not failed whose next_attempt_time <= due_before (the delivery
    /// worker's "what is due now"). nullopt: every record, failed ones included.
    std::optional<TimePoint> due_before{};
    std::size_t limit = 0; ///< 0: no limit
};

// ---------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------

/// What a successful commit promises to survive.
enum class Durability {
    process, ///< a crash or kill -9 of dtwin (SQLite: WAL, synchronous=NORMAL)
    power,   ///< also power loss and OS crashes (SQLite: WAL, synchronous=FULL: fsync per commit)
};

/// Options of open_store, set field by field: `StoreOptions{.read_only = true}`.
struct StoreOptions {
    Durability durability = Durability::process;
    /// Open for reading only: never creates, migrates or writes the file; commit fails.
    /// Works while another process (dtwin serve) has the store open for writing.
    bool read_only = false;
    /// How long a call waits for a lock held by another connection before it fails with
    /// ErrorCode::storage ("database is locked").
    std::chrono::milliseconds busy_timeout{5000};
};

/// What the store actually runs with, read back from the backend (diagnostics, tests,
/// `dtwin status`). The setting strings are the backend's own words.
struct StoreSettings {
    std::string backend{};  ///< "sqlite"
    std::string location{}; ///< the database file
    int schema_version = 0; ///< schema version of the file
    bool read_only = false;
    Durability durability = Durability::process;
    std::string journal_mode{}; ///< SQLite: "wal"
    std::string synchronous{};  ///< SQLite: "NORMAL" or "FULL" (read back via PRAGMA synchronous)
    std::chrono::milliseconds busy_timeout{0};
};

/// The interface every backend implements. All methods may be called from any thread;
/// calls on one object are serialised (see the threads note at the top of this file).
/// Every method returns an Error rather than throwing; backend failures use
/// ErrorCode::storage with the database location in Error::where.
class Store {
public:
    virtual ~Store() = default;
    Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Applies one batch in one transaction. On error nothing of the batch is applied.
    /// Cost: proportional to the batch; about every 100k history samples one commit also
    /// folds the history log into the archive and takes longer (SQLite: tens of ms,
    /// see docs/benchmarks.md).
    /// Fails with ErrorCode::invalid_value for a record with an empty key (twin id,
    /// sample property, ...), ErrorCode::storage for a read-only store or a backend failure.
    virtual Result<void> commit(const WriteBatch& batch) = 0;

    /// Group commit: applies several batches, in order, in ONE transaction (one fsync
    /// under Durability::power). All batches or none: if any batch fails, none is applied,
    /// and the caller may retry them one by one to find and drop the bad one.
    virtual Result<void> commit(std::span<const WriteBatch> batches) = 0;

    /// Delivers every model, then every twin, then every relationship, then every cursor,
    /// from one consistent read snapshot (a concurrent writer's commit is either entirely
    /// in it or entirely out). Records come in insertion order of their first put.
    /// Meant for start-up: it streams, so memory is what the callbacks keep. An exception
    /// thrown by a callback propagates to the caller; the store stays usable.
    virtual Result<LoadCounts> load_all(const LoadSink& sink) = 0;

    /// One record by key; ErrorCode::unknown_model / unknown_twin / unknown_relationship
    /// when there is none.
    virtual Result<ModelRecord> get_model(std::string_view id) = 0;
    virtual Result<TwinRecord> get_twin(std::string_view id) = 0;
    virtual Result<RelationshipRecord> get_relationship(std::string_view source, std::string_view id) = 0;

    /// The last committed sequence of `source`, or nullopt if nothing was ever committed.
    virtual Result<std::optional<std::uint64_t>> cursor(std::string_view source) = 0;
    /// All cursors, ordered by source.
    virtual Result<std::vector<CursorRecord>> cursors() = 0;

    /// History of one property, see HistoryQuery. An unknown twin or property yields an
    /// empty list, not an error (history outlives deleted twins).
    virtual Result<std::vector<HistorySample>> history(const HistoryQuery& query) = 0;
    /// The property paths of `twin` that have history, sorted. A property whose samples
    /// prune_history removed entirely is no longer listed.
    virtual Result<std::vector<std::string>> history_properties(std::string_view twin) = 0;

    /// Retention: deletes every history sample whose source time is earlier than `before`
    /// (a sample AT `before` stays), from every table that holds history, in one
    /// transaction. Returns how many samples were deleted, each sample identity once (a
    /// sample whose replays are still waiting to be folded counts once, not per write).
    /// It is not a filter on later commits: an old sample committed afterwards is kept.
    /// Cost: one index seek per (twin, property) that ever had history, the rows deleted,
    /// and one pass over the not-yet-folded log (SQLite: at most ~100k rows); meant to run
    /// now and then (say hourly), not per commit. Calls on the same object wait meanwhile.
    /// Errors: ErrorCode::storage for a read-only store or a backend failure; on error
    /// nothing is deleted.
    virtual Result<std::uint64_t> prune_history(TimePoint before) = 0;

    /// Alerts matching `query`, oldest raised first.
    virtual Result<std::vector<AlertRecord>> list_alerts(const AlertQuery& query) = 0;
    /// One alert by id; ErrorCode::unknown_alert (where = the id) when there is none.
    virtual Result<AlertRecord> get_alert(std::string_view id) = 0;

    /// Acknowledgements requested and not yet applied, oldest requested first.
    virtual Result<std::vector<AlertAckRecord>> list_alert_acks() = 0;
    /// Every silence, ordered by (from, id); expired ones too (deleting them is the
    /// writer's business).
    virtual Result<std::vector<SilenceRecord>> list_silences() = 0;
    /// Outbox records, see OutboxQuery.
    virtual Result<std::vector<OutboxRecord>> list_outbox(const OutboxQuery& query) = 0;
    /// The earliest next_attempt_time of a record not failed; nullopt when none waits.
    virtual Result<std::optional<TimePoint>> next_outbox_attempt() = 0;

    /// What the backend runs with right now (read back from it, not from the options).
    virtual Result<StoreSettings> settings() = 0;
};

/// Opens (and for writing, creates and migrates) the store named by `url`:
///
///   "sqlite:PATH"   the SQLite file PATH; "sqlite:///abs/file.db" is accepted too. If PATH
///                   is an existing directory, the file is PATH/dtwin.db.
///   "PATH"          (no scheme) a data directory: the file is PATH/dtwin.db. If PATH is an
///                   existing regular file it is used as the database file itself.
///   "postgresql:"   reserved: fails with "not supported yet".
///
/// Directories are never created: a missing data directory is ErrorCode::io. Errors name
/// the path and what is wrong: missing or unwritable directory (io), a file that is not a
/// dtwin store or is corrupt, a store written by a newer dtwin, an unknown scheme (storage).
/// A failed open leaves an existing file as it was. Call from any thread; the returned
/// object follows the threading rules of Store.
Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options = {});

/// The file name a data directory holds the SQLite store under.
inline constexpr std::string_view k_sqlite_file_name = "dtwin.db";

/// Convenience over load_all: everything in vectors. Fine for tools and tests; the server
/// should stream with load_all instead of holding two copies of a million twins.
Result<Snapshot> load_snapshot(Store& store);

} // namespace dtwin::store
