// The SQLite implementation of Store.
//
// PRIVATE to store/sqlite/ (see connection.hpp): code outside the folder gets a
// SqliteStore only as a Store, through open_store.
//
// Threads: every public method takes m_mutex first, so any thread may call any method;
// the connection itself is opened with SQLITE_OPEN_NOMUTEX because of that lock.
#pragma once

#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace dtwin::store::sqlite {

/// Times are stored as integer microseconds since the Unix epoch.
inline std::int64_t to_micros(TimePoint time) {
    return time.time_since_epoch().count();
}
inline TimePoint from_micros(std::int64_t micros) {
    return TimePoint(std::chrono::microseconds(micros));
}

/// Sequences are uint64 in the API and signed 64-bit integers in SQLite: the bits are kept,
/// so every value round-trips; only values from 2^63 up would sort wrongly.
inline std::int64_t to_sql(std::uint64_t sequence) {
    return static_cast<std::int64_t>(sequence);
}
inline std::uint64_t from_sql(std::int64_t sequence) {
    return static_cast<std::uint64_t>(sequence);
}

/// The `kind` column of samples: which SampleValue alternative a row holds.
enum class SampleKind : std::int64_t { real = 0, boolean = 1, integer = 2, string = 3, json = 4 };

class SqliteStore final : public Store {
public:
    /// Takes a connection that open_sqlite_store has already checked, migrated and
    /// configured.
    SqliteStore(Connection connection, StoreOptions options);

    Result<void> commit(const WriteBatch& batch) override;
    Result<void> commit(std::span<const WriteBatch> batches) override;

    Result<LoadCounts> load_all(const LoadSink& sink) override;
    Result<ModelRecord> get_model(std::string_view id) override;
    Result<TwinRecord> get_twin(std::string_view id) override;
    Result<RelationshipRecord> get_relationship(std::string_view source, std::string_view id) override;
    Result<std::optional<std::uint64_t>> cursor(std::string_view source) override;
    Result<std::vector<CursorRecord>> cursors() override;
    Result<std::vector<HistorySample>> history(const HistoryQuery& query) override;
    Result<std::vector<std::string>> history_properties(std::string_view twin) override;
    Result<std::uint64_t> prune_history(TimePoint before) override;
    Result<std::vector<AlertRecord>> list_alerts(const AlertQuery& query) override;
    Result<AlertRecord> get_alert(std::string_view id) override;
    Result<std::vector<AlertAckRecord>> list_alert_acks() override;
    Result<std::vector<SilenceRecord>> list_silences() override;
    Result<std::vector<OutboxRecord>> list_outbox(const OutboxQuery& query) override;
    Result<std::optional<TimePoint>> next_outbox_attempt() override;
    Result<StoreSettings> settings() override;

private:
    /// Every statement the store runs, prepared on first use and kept for its lifetime.
    enum class Query : std::size_t {
        begin_write,
        begin_read,
        commit,
        rollback,
        put_model,
        delete_model,
        put_twin,
        delete_twin,
        put_relationship,
        delete_relationship,
        find_series,
        insert_series,
        append_sample,
        count_log,
        fold_log,
        clear_log,
        count_pruned_log,
        prune_log,
        prune_archive,
        put_alert,
        delete_alert,
        set_cursor,
        put_alert_ack,
        delete_alert_ack,
        put_silence,
        delete_silence,
        put_outbox,
        delete_outbox,
        load_models,
        load_twins,
        load_relationships,
        load_cursors,
        get_model,
        get_twin,
        get_relationship,
        get_cursor,
        history,
        history_properties,
        list_alerts,
        get_alert,
        list_alert_acks,
        list_silences,
        list_outbox,
        list_outbox_due,
        next_outbox_attempt,
        count,
    };
    static constexpr std::size_t k_query_count = static_cast<std::size_t>(Query::count);

    /// Size of the history log at which a commit folds it into the archive. Larger: fewer,
    /// longer folds and cheaper ones per sample; smaller: faster history reads (the log is
    /// scanned, not indexed). 100k rows is ~4 MiB, scanned in a few milliseconds.
    static constexpr std::int64_t k_fold_rows = 100'000;

    /// The SQL text of `query`.
    static const char* sql_text(Query query);
    /// The prepared statement for `query` (prepares it the first time).
    Result<Statement*> statement(Query query);
    /// Runs a read query under the lock: `bind(Statement&)` sets its parameters and
    /// `read(Statement&)` turns each row into a T. `doing` names the read in errors.
    template <typename T, typename Bind, typename Read>
    Result<std::vector<T>> select_rows(Query query, Bind bind, Read read, std::string_view doing);
    /// A lookup by key: the one row `read` turns into a T, or `missing` when none matches.
    template <typename T, typename Bind, typename Read>
    Result<T> select_one(Query query, Bind bind, Read read, core::Error missing, std::string_view doing);
    /// Steps a write statement that returns no rows, and resets it.
    Result<void> run(Statement& statement, std::string_view doing);
    /// Runs a statement without parameters that returns no rows (BEGIN, COMMIT...).
    Result<void> run(Query query, std::string_view doing);

    // Writes (sqlite_store.cpp). Each apply_* runs inside the open transaction.
    Result<void> write_batches(std::span<const WriteBatch> batches);
    /// Every operation of every batch, then the log fold; inside the open transaction.
    Result<void> apply_all(std::span<const WriteBatch> batches);
    /// Rolls the open write transaction back and forgets what it taught this object.
    void abandon_transaction();
    Result<void> apply(const WriteOperation& operation);
    Result<void> apply_put(const ModelRecord& record);
    Result<void> apply_put(const TwinRecord& record);
    Result<void> apply_put(const RelationshipRecord& record);
    Result<void> apply_put(const AlertRecord& record);
    // The records of alert handling (sqlite_alert_writes.cpp).
    Result<void> apply_put(const AlertAckRecord& record);
    Result<void> apply_put(const SilenceRecord& record);
    Result<void> apply_put(const OutboxRecord& record);
    Result<void> apply_sample(const HistorySample& sample);
    /// Moves the history log into the samples archive once it holds k_fold_rows rows.
    Result<void> fold_log_if_due();
    Result<void> apply_cursor(const CursorRecord& cursor);
    Result<void> apply_delete(Query query, std::string_view first, std::string_view second = {});
    /// The series id of (twin, property), created if new. Cached: ingest asks millions
    /// of times for a few thousand series.
    Result<std::int64_t> series_id(std::string_view twin, std::string_view property);

    /// Builds an ErrorCode::invalid_value error for a record the batch got wrong.
    [[nodiscard]] Error invalid(std::string message) const;

    // Retention (sqlite_retention.cpp): deletes history older than `before` (micros) inside
    // the open write transaction; returns the number of samples deleted.
    Result<std::uint64_t> prune_locked(std::int64_t before);

    // Reads (sqlite_reads.cpp), with m_mutex held.
    Result<LoadCounts> load_locked(const LoadSink& sink);

    std::mutex m_mutex;
    Connection m_connection;
    StoreOptions m_options;
    std::array<Statement, k_query_count> m_statements;
    /// "<twin length>:<twin><property>" -> series id. Only ids of committed series stay here: a rollback
    /// clears the map, because a series created by the failed transaction is gone.
    std::unordered_map<std::string, std::int64_t> m_series;
    std::string m_series_key; ///< reused buffer for lookups, so a hit allocates nothing
    /// Rows in sample_log as far as this object knows; -1: unknown, count before use.
    std::int64_t m_log_rows = -1;
};

} // namespace dtwin::store::sqlite
