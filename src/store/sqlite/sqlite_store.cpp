// SqliteStore: statements and the write path (commit of batches).
#include "store/sqlite/sqlite_store.hpp"

#include <iterator>
#include <type_traits>

namespace dtwin::store::sqlite {

// Upserts use ON CONFLICT DO UPDATE rather than INSERT OR REPLACE for the keyed records:
// REPLACE deletes and re-inserts, which would move the row to a new rowid and break the
// "insertion order of the first put" that load_all promises.
const char* SqliteStore::sql_text(Query query) {
    constexpr const char* k_sql[] = {
        // begin_write: IMMEDIATE takes the write lock now, so a concurrent writer makes us
        // wait (busy timeout) at the start instead of failing half-way.
        "BEGIN IMMEDIATE",
        // begin_read
        "BEGIN",
        // commit
        "COMMIT",
        // rollback
        "ROLLBACK",
        // put_model
        "INSERT INTO models (id, upload_time, decommissioned, document) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (id) DO UPDATE SET upload_time = excluded.upload_time, "
        "decommissioned = excluded.decommissioned, document = excluded.document",
        // delete_model
        "DELETE FROM models WHERE id = ?1",
        // put_twin
        "INSERT INTO twins (id, model, version, document) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (id) DO UPDATE SET model = excluded.model, version = excluded.version, "
        "document = excluded.document",
        // delete_twin
        "DELETE FROM twins WHERE id = ?1",
        // put_relationship
        "INSERT INTO relationships (source, id, target, name, document) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (source, id) DO UPDATE SET target = excluded.target, name = excluded.name, "
        "document = excluded.document",
        // delete_relationship
        "DELETE FROM relationships WHERE source = ?1 AND id = ?2",
        // find_series
        "SELECT id FROM series WHERE twin = ?1 AND property = ?2",
        // insert_series
        "INSERT INTO series (twin, property) VALUES (?1, ?2)",
        // append_sample: to the log; duplicates there are resolved by reads and by the fold.
        "INSERT INTO sample_log (series, time, sequence, kind, value) VALUES (?1, ?2, ?3, ?4, ?5)",
        // count_log
        "SELECT count(*) FROM sample_log",
        // fold_log: sorted, so each page of samples is visited once; rowid order last, so
        // that of two samples with one identity the later write wins (REPLACE).
        "INSERT OR REPLACE INTO samples (series, time, sequence, kind, value) "
        "SELECT series, time, sequence, kind, value FROM sample_log ORDER BY series, time, sequence, rowid",
        // clear_log: DELETE without WHERE is SQLite's truncate optimisation.
        "DELETE FROM sample_log",
        // count_pruned_log: the sample identities that pruning removes from the log and
        // that the archive does not hold too (those the archive holds are counted there).
        // Scans the log, which the fold keeps small; each probe of the archive is a
        // primary-key lookup.
        "SELECT count(*) FROM (SELECT DISTINCT series, time, sequence FROM sample_log WHERE time < ?1) AS pruned "
        "WHERE NOT EXISTS (SELECT 1 FROM samples WHERE samples.series = pruned.series "
        "AND samples.time = pruned.time AND samples.sequence = pruned.sequence)",
        // prune_log: a scan, as above.
        "DELETE FROM sample_log WHERE time < ?1",
        // prune_archive: the IN over every series id turns the delete into one primary-key
        // range per series, (series = ? AND time < ?1), instead of a scan of the archive.
        "DELETE FROM samples WHERE series IN (SELECT id FROM series) AND time < ?1",
        // put_alert
        "INSERT INTO alerts (id, twin, rule, state, raised_time, updated_time, resolved_time, details) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (id) DO UPDATE SET twin = excluded.twin, rule = excluded.rule, state = excluded.state, "
        "raised_time = excluded.raised_time, updated_time = excluded.updated_time, "
        "resolved_time = excluded.resolved_time, details = excluded.details",
        // delete_alert
        "DELETE FROM alerts WHERE id = ?1",
        // set_cursor
        "INSERT INTO cursors (source, sequence) VALUES (?1, ?2) "
        "ON CONFLICT (source) DO UPDATE SET sequence = excluded.sequence",
        // put_alert_ack
        "INSERT INTO alert_acks (alert_id, requested_time, requested_by, comment) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (alert_id) DO UPDATE SET requested_time = excluded.requested_time, "
        "requested_by = excluded.requested_by, comment = excluded.comment",
        // delete_alert_ack
        "DELETE FROM alert_acks WHERE alert_id = ?1",
        // put_silence
        "INSERT INTO silences (id, twin_pattern, rule_pattern, from_time, until_time, created_time, comment) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (id) DO UPDATE SET twin_pattern = excluded.twin_pattern, rule_pattern = excluded.rule_pattern, "
        "from_time = excluded.from_time, until_time = excluded.until_time, created_time = excluded.created_time, "
        "comment = excluded.comment",
        // delete_silence
        "DELETE FROM silences WHERE id = ?1",
        // put_outbox
        "INSERT INTO outbox (id, sink, payload, created_time, next_attempt_time, attempts, last_error, failed) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (id) DO UPDATE SET sink = excluded.sink, payload = excluded.payload, "
        "created_time = excluded.created_time, next_attempt_time = excluded.next_attempt_time, "
        "attempts = excluded.attempts, last_error = excluded.last_error, failed = excluded.failed",
        // delete_outbox
        "DELETE FROM outbox WHERE id = ?1",
        // load_models
        "SELECT id, upload_time, decommissioned, document FROM models ORDER BY rowid",
        // load_twins
        "SELECT id, model, version, document FROM twins ORDER BY rowid",
        // load_relationships
        "SELECT source, id, target, name, document FROM relationships ORDER BY rowid",
        // load_cursors
        "SELECT source, sequence FROM cursors ORDER BY source",
        // get_model
        "SELECT id, upload_time, decommissioned, document FROM models WHERE id = ?1",
        // get_twin
        "SELECT id, model, version, document FROM twins WHERE id = ?1",
        // get_relationship
        "SELECT source, id, target, name, document FROM relationships WHERE source = ?1 AND id = ?2",
        // get_cursor
        "SELECT sequence FROM cursors WHERE source = ?1",
        // history: both tables, filtered through the series' id. A sample may be in both
        // (replayed after it was folded) or twice in the log (replayed before): GROUP BY
        // keeps one row per identity, and SQLite's bare-column rule for max() takes the
        // other columns from the row with the highest `version`: the archive counts 0, a
        // log row its rowid, so the latest write wins as it does in the fold.
        "WITH target(id) AS (SELECT id FROM series WHERE twin = ?1 AND property = ?2) "
        "SELECT time, sequence, kind, value, max(version) FROM ("
        "  SELECT time, sequence, kind, value, 0 AS version FROM samples "
        "  WHERE series = (SELECT id FROM target) AND time >= ?3 AND time < ?4 "
        "  UNION ALL "
        "  SELECT time, sequence, kind, value, rowid AS version FROM sample_log "
        "  WHERE series = (SELECT id FROM target) AND time >= ?3 AND time < ?4"
        ") GROUP BY time, sequence ORDER BY time, sequence LIMIT ?5",
        // history_properties: series rows outlive their samples (prune_history keeps them,
        // so ids cached by other Store objects never dangle), hence the check that one is
        // left: a primary-key probe of the archive, or else one pass over the log shared
        // by every series of the twin.
        "SELECT property FROM series WHERE twin = ?1 "
        "AND (EXISTS (SELECT 1 FROM samples WHERE samples.series = series.id) "
        "OR id IN (SELECT series FROM sample_log)) "
        "ORDER BY property",
        // list_alerts: '' matches every twin / state / rule; LIMIT -1 means no limit.
        "SELECT id, twin, rule, state, raised_time, updated_time, resolved_time, details FROM alerts "
        "WHERE (?1 = '' OR twin = ?1) AND (?2 = '' OR state = ?2) AND (?4 = '' OR rule = ?4) "
        "ORDER BY raised_time, rowid LIMIT ?3",
        // get_alert
        "SELECT id, twin, rule, state, raised_time, updated_time, resolved_time, details FROM alerts WHERE id = ?1",
        // list_alert_acks
        "SELECT alert_id, requested_time, requested_by, comment FROM alert_acks ORDER BY requested_time, alert_id",
        // list_silences
        "SELECT id, twin_pattern, rule_pattern, from_time, until_time, created_time, comment FROM silences "
        "ORDER BY from_time, id",
        // list_outbox: everything, failed records included (dtwin alerts outbox).
        "SELECT id, sink, payload, created_time, next_attempt_time, attempts, last_error, failed FROM outbox "
        "ORDER BY next_attempt_time, id LIMIT ?1",
        // list_outbox_due: a range of the (failed, next_attempt_time) index.
        "SELECT id, sink, payload, created_time, next_attempt_time, attempts, last_error, failed FROM outbox "
        "WHERE failed = 0 AND next_attempt_time <= ?1 ORDER BY next_attempt_time, id LIMIT ?2",
        // next_outbox_attempt: the first entry of the same index.
        "SELECT next_attempt_time FROM outbox WHERE failed = 0 ORDER BY next_attempt_time LIMIT 1",
    };
    static_assert(std::size(k_sql) == k_query_count, "one SQL text per Query");
    return k_sql[static_cast<std::size_t>(query)];
}

SqliteStore::SqliteStore(Connection connection, StoreOptions options)
    : m_connection(std::move(connection)), m_options(options) {}

Result<Statement*> SqliteStore::statement(Query query) {
    auto& slot = m_statements[static_cast<std::size_t>(query)];
    if (!slot.prepared()) {
        auto prepared = m_connection.prepare(sql_text(query));
        if (!prepared) {
            return std::unexpected(prepared.error());
        }
        slot = std::move(*prepared);
    }
    return &slot;
}

Result<void> SqliteStore::run(Statement& statement, std::string_view doing) {
    ResetOnExit reset(statement);
    const int rc = statement.step();
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        return std::unexpected(m_connection.error(rc, doing));
    }
    return {};
}

Result<void> SqliteStore::run(Query query, std::string_view doing) {
    auto prepared = statement(query);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    return run(**prepared, doing);
}

Error SqliteStore::invalid(std::string message) const {
    return Error{core::ErrorCode::invalid_value, "cannot commit: " + std::move(message), m_connection.location()};
}

// ---------------------------------------------------------------------------------------
// Commit
// ---------------------------------------------------------------------------------------

Result<void> SqliteStore::commit(const WriteBatch& batch) {
    return commit(std::span<const WriteBatch>(&batch, 1));
}

Result<void> SqliteStore::commit(std::span<const WriteBatch> batches) {
    const std::lock_guard lock(m_mutex);
    if (m_options.read_only) {
        return core::fail(core::ErrorCode::storage, "cannot commit: the store was opened read-only",
                          m_connection.location());
    }
    return write_batches(batches);
}

Result<void> SqliteStore::write_batches(std::span<const WriteBatch> batches) {
    bool any = false;
    for (const auto& batch : batches) {
        any = any || !batch.empty();
    }
    if (!any) {
        return {}; // no transaction, hence no fsync, for nothing
    }
    if (auto begun = run(Query::begin_write, "cannot start a write transaction"); !begun) {
        return begun;
    }
    Result<void> applied;
    try {
        applied = apply_all(batches);
        if (applied) {
            applied = run(Query::commit, "cannot commit");
        }
    } catch (...) {
        // Only bad_alloc can get here; the transaction must not stay open behind it.
        abandon_transaction();
        throw;
    }
    if (!applied) {
        abandon_transaction();
    }
    return applied;
}

Result<void> SqliteStore::apply_all(std::span<const WriteBatch> batches) {
    for (const auto& batch : batches) {
        for (const auto& operation : batch.operations()) {
            if (auto applied = apply(operation); !applied) {
                return applied;
            }
        }
    }
    return fold_log_if_due();
}

void SqliteStore::abandon_transaction() {
    // A statement may have failed half-way; ROLLBACK undoes every operation of every
    // batch. What this object learnt during the transaction is undone with it: series ids
    // (those rows are gone) and the log's row count.
    (void)run(Query::rollback, "cannot roll back");
    m_series.clear();
    m_log_rows = -1;
}

Result<void> SqliteStore::fold_log_if_due() {
    if (m_log_rows < 0) {
        // Unknown after opening or a rollback: count once, then keep counting in memory.
        auto counter = statement(Query::count_log);
        if (!counter) {
            return std::unexpected(counter.error());
        }
        Statement& count = **counter;
        ResetOnExit reset(count);
        if (const int rc = count.step(); rc != SQLITE_ROW) {
            return std::unexpected(m_connection.error(rc, "cannot count the history log"));
        }
        m_log_rows = count.column_int64(0);
    }
    if (m_log_rows < k_fold_rows) {
        return {};
    }
    // Inside the commit's transaction: the move from log to archive is as atomic as the
    // batch itself, and a failure here rolls back the batch with it.
    if (auto moved = run(Query::fold_log, "cannot fold the history log into the archive"); !moved) {
        return moved;
    }
    if (auto cleared = run(Query::clear_log, "cannot clear the history log"); !cleared) {
        return cleared;
    }
    m_log_rows = 0;
    return {};
}

Result<void> SqliteStore::apply(const WriteOperation& operation) {
    return std::visit(
        [this](const auto& op) -> Result<void> {
            using Op = std::decay_t<decltype(op)>;
            if constexpr (std::is_same_v<Op, PutModel> || std::is_same_v<Op, PutTwin> ||
                          std::is_same_v<Op, PutRelationship> || std::is_same_v<Op, PutAlert> ||
                          std::is_same_v<Op, PutAlertAck> || std::is_same_v<Op, PutSilence> ||
                          std::is_same_v<Op, PutOutbox>) {
                return apply_put(op.record);
            } else if constexpr (std::is_same_v<Op, AppendSample>) {
                return apply_sample(op.sample);
            } else if constexpr (std::is_same_v<Op, SetCursor>) {
                return apply_cursor(op.cursor);
            } else if constexpr (std::is_same_v<Op, DeleteModel>) {
                return apply_delete(Query::delete_model, op.id);
            } else if constexpr (std::is_same_v<Op, DeleteTwin>) {
                return apply_delete(Query::delete_twin, op.id);
            } else if constexpr (std::is_same_v<Op, DeleteRelationship>) {
                if (op.source.empty() || op.id.empty()) {
                    return std::unexpected(invalid("delete of a relationship without source or id"));
                }
                return apply_delete(Query::delete_relationship, op.source, op.id);
            } else if constexpr (std::is_same_v<Op, DeleteAlertAck>) {
                return apply_delete(Query::delete_alert_ack, op.alert_id);
            } else if constexpr (std::is_same_v<Op, DeleteSilence>) {
                return apply_delete(Query::delete_silence, op.id);
            } else if constexpr (std::is_same_v<Op, DeleteOutbox>) {
                return apply_delete(Query::delete_outbox, op.id);
            } else {
                static_assert(std::is_same_v<Op, DeleteAlert>, "every WriteOperation must be handled");
                return apply_delete(Query::delete_alert, op.id);
            }
        },
        operation);
}

Result<void> SqliteStore::apply_put(const ModelRecord& record) {
    if (record.id.empty()) {
        return std::unexpected(invalid("a model with an empty id"));
    }
    auto prepared = statement(Query::put_model);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, record.id);
    put.bind(2, to_micros(record.upload_time));
    put.bind(3, std::int64_t{record.decommissioned ? 1 : 0});
    put.bind(4, record.document);
    return run(put, "cannot write model " + record.id);
}

Result<void> SqliteStore::apply_put(const TwinRecord& record) {
    if (record.id.empty()) {
        return std::unexpected(invalid("a twin with an empty id"));
    }
    if (record.model.empty()) {
        return std::unexpected(invalid("twin " + record.id + " has no model"));
    }
    auto prepared = statement(Query::put_twin);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, record.id);
    put.bind(2, record.model);
    put.bind(3, to_sql(record.version));
    put.bind(4, record.document);
    return run(put, "cannot write twin " + record.id);
}

Result<void> SqliteStore::apply_put(const RelationshipRecord& record) {
    if (record.id.empty() || record.source.empty() || record.target.empty() || record.name.empty()) {
        return std::unexpected(
            invalid("relationship '" + record.id + "' of '" + record.source + "' lacks an id, source, target or name"));
    }
    auto prepared = statement(Query::put_relationship);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, record.source);
    put.bind(2, record.id);
    put.bind(3, record.target);
    put.bind(4, record.name);
    put.bind(5, record.document);
    return run(put, "cannot write relationship " + record.id + " of twin " + record.source);
}

Result<void> SqliteStore::apply_put(const AlertRecord& record) {
    if (record.id.empty()) {
        return std::unexpected(invalid("an alert with an empty id"));
    }
    auto prepared = statement(Query::put_alert);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, record.id);
    put.bind(2, record.twin);
    put.bind(3, record.rule);
    put.bind(4, record.state);
    put.bind(5, to_micros(record.raised_time));
    put.bind(6, to_micros(record.updated_time));
    if (record.resolved_time) {
        put.bind(7, to_micros(*record.resolved_time));
    } else {
        put.bind_null(7);
    }
    put.bind(8, record.details);
    return run(put, "cannot write alert " + record.id);
}

Result<void> SqliteStore::apply_sample(const HistorySample& sample) {
    if (sample.twin.empty() || sample.property.empty()) {
        return std::unexpected(
            invalid("a history sample without twin or property ('" + sample.twin + "', '" + sample.property + "')"));
    }
    auto series = series_id(sample.twin, sample.property);
    if (!series) {
        return std::unexpected(series.error());
    }
    auto prepared = statement(Query::append_sample);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, *series);
    put.bind(2, to_micros(sample.source_time));
    put.bind(3, to_sql(sample.sequence));
    std::visit(
        [&put](const auto& value) {
            using Value = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<Value, double>) {
                // SQLite stores NaN as NULL; reads turn NULL of this kind back into NaN.
                put.bind(4, static_cast<std::int64_t>(SampleKind::real));
                put.bind(5, value);
            } else if constexpr (std::is_same_v<Value, bool>) {
                put.bind(4, static_cast<std::int64_t>(SampleKind::boolean));
                put.bind(5, std::int64_t{value ? 1 : 0});
            } else if constexpr (std::is_same_v<Value, std::int64_t>) {
                put.bind(4, static_cast<std::int64_t>(SampleKind::integer));
                put.bind(5, value);
            } else if constexpr (std::is_same_v<Value, std::string>) {
                put.bind(4, static_cast<std::int64_t>(SampleKind::string));
                put.bind(5, std::string_view(value));
            } else {
                static_assert(std::is_same_v<Value, JsonText>, "every SampleValue must be handled");
                put.bind(4, static_cast<std::int64_t>(SampleKind::json));
                put.bind(5, std::string_view(value.text));
            }
        },
        sample.value);
    ResetOnExit reset(put);
    if (const int rc = put.step(); rc != SQLITE_DONE) {
        // Built only on failure: the hot path must not format strings.
        return std::unexpected(
            m_connection.error(rc, "cannot write history of " + sample.twin + " " + sample.property));
    }
    if (m_log_rows >= 0) {
        ++m_log_rows; // keeps the count fold_log_if_due relies on without asking SQLite
    }
    return {};
}

Result<void> SqliteStore::apply_cursor(const CursorRecord& cursor) {
    if (cursor.source.empty()) {
        return std::unexpected(invalid("a cursor with an empty source"));
    }
    auto prepared = statement(Query::set_cursor);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, cursor.source);
    put.bind(2, to_sql(cursor.sequence));
    return run(put, "cannot write the cursor of " + cursor.source);
}

Result<void> SqliteStore::apply_delete(Query query, std::string_view first, std::string_view second) {
    if (first.empty() && second.empty()) {
        return std::unexpected(invalid("a delete with an empty id"));
    }
    auto prepared = statement(query);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& erase = **prepared;
    erase.bind(1, first);
    if (!second.empty()) {
        erase.bind(2, second);
    }
    // Appended piecewise: `"x" + std::string(...)` trips a false -Wrestrict of g++ 12 at -O3.
    std::string doing = "cannot delete ";
    doing.append(first);
    if (!second.empty()) {
        doing.append(" ").append(second);
    }
    return run(erase, doing);
}

Result<std::int64_t> SqliteStore::series_id(std::string_view twin, std::string_view property) {
    // Length-prefixed, so no twin id / property pair can collide with another whatever
    // characters they contain.
    m_series_key.assign(std::to_string(twin.size()));
    m_series_key.push_back(':');
    m_series_key.append(twin);
    m_series_key.append(property);
    if (const auto found = m_series.find(m_series_key); found != m_series.end()) {
        return found->second;
    }
    auto find = statement(Query::find_series);
    if (!find) {
        return std::unexpected(find.error());
    }
    {
        Statement& lookup = **find;
        ResetOnExit reset(lookup);
        lookup.bind(1, twin);
        lookup.bind(2, property);
        const int rc = lookup.step();
        if (rc == SQLITE_ROW) {
            const auto id = lookup.column_int64(0);
            m_series.emplace(m_series_key, id);
            return id;
        }
        if (rc != SQLITE_DONE) {
            return std::unexpected(m_connection.error(rc, "cannot look up the history series"));
        }
    }
    auto insert = statement(Query::insert_series);
    if (!insert) {
        return std::unexpected(insert.error());
    }
    (*insert)->bind(1, twin);
    (*insert)->bind(2, property);
    if (auto inserted = run(**insert, "cannot create the history series"); !inserted) {
        return std::unexpected(inserted.error());
    }
    const auto id = sqlite3_last_insert_rowid(m_connection.get());
    m_series.emplace(m_series_key, id);
    return id;
}

} // namespace dtwin::store::sqlite
