// SqliteStore: the read path (start-up load, lookups by key, history, alerts and their
// acknowledgement requests, silences and outbox, settings).
#include "store/sqlite/sqlite_store.hpp"

#include <limits>

namespace dtwin::store::sqlite {
namespace {

// Row decoders. Column order is the one of the SELECTs in sqlite_store.cpp.

ModelRecord read_model(const Statement& row) {
    return ModelRecord{std::string(row.column_text(0)), std::string(row.column_text(3)),
                       from_micros(row.column_int64(1)), row.column_int64(2) != 0};
}

TwinRecord read_twin(const Statement& row) {
    return TwinRecord{std::string(row.column_text(0)), std::string(row.column_text(1)), from_sql(row.column_int64(2)),
                      std::string(row.column_text(3))};
}

RelationshipRecord read_relationship(const Statement& row) {
    return RelationshipRecord{std::string(row.column_text(1)), std::string(row.column_text(0)),
                              std::string(row.column_text(2)), std::string(row.column_text(3)),
                              std::string(row.column_text(4))};
}

CursorRecord read_cursor(const Statement& row) {
    return CursorRecord{std::string(row.column_text(0)), from_sql(row.column_int64(1))};
}

AlertRecord read_alert(const Statement& row) {
    AlertRecord alert;
    alert.id = row.column_text(0);
    alert.twin = row.column_text(1);
    alert.rule = row.column_text(2);
    alert.state = row.column_text(3);
    alert.raised_time = from_micros(row.column_int64(4));
    alert.updated_time = from_micros(row.column_int64(5));
    if (row.column_type(6) != SQLITE_NULL) {
        alert.resolved_time = from_micros(row.column_int64(6));
    }
    alert.details = row.column_text(7);
    return alert;
}

AlertAckRecord read_alert_ack(const Statement& row) {
    return AlertAckRecord{std::string(row.column_text(0)), from_micros(row.column_int64(1)),
                          std::string(row.column_text(2)), std::string(row.column_text(3))};
}

SilenceRecord read_silence(const Statement& row) {
    SilenceRecord silence;
    silence.id = row.column_text(0);
    silence.twin_pattern = row.column_text(1);
    silence.rule_pattern = row.column_text(2);
    silence.from = from_micros(row.column_int64(3));
    silence.until = from_micros(row.column_int64(4));
    silence.created_time = from_micros(row.column_int64(5));
    silence.comment = row.column_text(6);
    return silence;
}

OutboxRecord read_outbox(const Statement& row) {
    OutboxRecord record;
    record.id = row.column_text(0);
    record.sink = row.column_text(1);
    record.payload = row.column_text(2);
    record.created_time = from_micros(row.column_int64(3));
    record.next_attempt_time = from_micros(row.column_int64(4));
    record.attempts = static_cast<std::uint32_t>(row.column_int64(5));
    record.last_error = row.column_text(6);
    record.failed = row.column_int64(7) != 0;
    return record;
}

SampleValue read_value(const Statement& row, int kind_column, int value_column) {
    switch (static_cast<SampleKind>(row.column_int64(kind_column))) {
    case SampleKind::boolean:
        return row.column_int64(value_column) != 0;
    case SampleKind::integer:
        return row.column_int64(value_column);
    case SampleKind::string:
        return std::string(row.column_text(value_column));
    case SampleKind::json:
        return JsonText{std::string(row.column_text(value_column))};
    case SampleKind::real:
        break;
    }
    if (row.column_type(value_column) == SQLITE_NULL) {
        return std::numeric_limits<double>::quiet_NaN(); // how SQLite keeps a NaN
    }
    return row.column_double(value_column);
}

/// SQLite's "no limit" is a negative LIMIT.
std::int64_t sql_limit(std::size_t limit) {
    if (limit == 0 || limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) {
        return -1;
    }
    return static_cast<std::int64_t>(limit);
}

} // namespace

// ---------------------------------------------------------------------------------------
// Start-up load
// ---------------------------------------------------------------------------------------

Result<LoadCounts> SqliteStore::load_all(const LoadSink& sink) {
    const std::lock_guard lock(m_mutex);
    // One read transaction around all four scans: in WAL mode it pins one snapshot, so a
    // writer committing meanwhile (another process) is seen entirely or not at all.
    if (auto begun = run(Query::begin_read, "cannot start a read transaction"); !begun) {
        return std::unexpected(begun.error());
    }
    Result<LoadCounts> loaded;
    try {
        loaded = load_locked(sink);
    } catch (...) {
        // A callback threw (bad_alloc, a bug): do not leave the snapshot pinned.
        (void)run(Query::rollback, "cannot end the read transaction");
        throw;
    }
    // A read transaction has nothing to keep; ending it releases the snapshot either way.
    (void)run(loaded ? Query::commit : Query::rollback, "cannot end the read transaction");
    return loaded;
}

Result<LoadCounts> SqliteStore::load_locked(const LoadSink& sink) {
    LoadCounts counts;
    // Steps every row of `query`, handing each decoded row to `deliver`.
    auto scan = [this](Query query, const char* what, auto&& deliver) -> Result<std::size_t> {
        auto prepared = statement(query);
        if (!prepared) {
            return std::unexpected(prepared.error());
        }
        Statement& rows = **prepared;
        ResetOnExit reset(rows);
        std::size_t count = 0;
        int rc = SQLITE_ROW;
        while ((rc = rows.step()) == SQLITE_ROW) {
            deliver(rows);
            ++count;
        }
        if (rc != SQLITE_DONE) {
            return std::unexpected(m_connection.error(rc, std::string("cannot load ") + what));
        }
        return count;
    };
    if (sink.on_model) {
        auto n = scan(Query::load_models, "models", [&](const Statement& row) { sink.on_model(read_model(row)); });
        if (!n) {
            return std::unexpected(n.error());
        }
        counts.models = *n;
    }
    if (sink.on_twin) {
        auto n = scan(Query::load_twins, "twins", [&](const Statement& row) { sink.on_twin(read_twin(row)); });
        if (!n) {
            return std::unexpected(n.error());
        }
        counts.twins = *n;
    }
    if (sink.on_relationship) {
        auto n = scan(Query::load_relationships, "relationships",
                      [&](const Statement& row) { sink.on_relationship(read_relationship(row)); });
        if (!n) {
            return std::unexpected(n.error());
        }
        counts.relationships = *n;
    }
    if (sink.on_cursor) {
        auto n = scan(Query::load_cursors, "cursors", [&](const Statement& row) { sink.on_cursor(read_cursor(row)); });
        if (!n) {
            return std::unexpected(n.error());
        }
        counts.cursors = *n;
    }
    return counts;
}

// ---------------------------------------------------------------------------------------
// Lookups by key
// ---------------------------------------------------------------------------------------

template <typename T, typename Bind, typename Read>
Result<std::vector<T>> SqliteStore::select_rows(Query query, Bind bind, Read read, std::string_view doing) {
    const std::lock_guard lock(m_mutex);
    auto prepared = statement(query);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& rows = **prepared;
    ResetOnExit reset(rows);
    bind(rows);
    std::vector<T> out;
    int rc = SQLITE_ROW;
    while ((rc = rows.step()) == SQLITE_ROW) {
        out.push_back(read(rows));
    }
    if (rc != SQLITE_DONE) {
        return std::unexpected(m_connection.error(rc, std::string(doing)));
    }
    return out;
}

template <typename T, typename Bind, typename Read>
Result<T> SqliteStore::select_one(Query query, Bind bind, Read read, core::Error missing, std::string_view doing) {
    const std::lock_guard lock(m_mutex);
    auto prepared = statement(query);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& row = **prepared;
    ResetOnExit reset(row);
    bind(row);
    const int rc = row.step();
    if (rc == SQLITE_ROW) {
        return read(row);
    }
    if (rc == SQLITE_DONE) {
        return std::unexpected(std::move(missing));
    }
    return std::unexpected(m_connection.error(rc, std::string(doing)));
}

Result<ModelRecord> SqliteStore::get_model(std::string_view id) {
    return select_one<ModelRecord>(
        Query::get_model, [&](Statement& row) { row.bind(1, id); }, read_model,
        {core::ErrorCode::unknown_model, "no model with this id in the store", std::string(id)},
        "cannot read model " + std::string(id));
}

Result<TwinRecord> SqliteStore::get_twin(std::string_view id) {
    return select_one<TwinRecord>(
        Query::get_twin, [&](Statement& row) { row.bind(1, id); }, read_twin,
        {core::ErrorCode::unknown_twin, "no twin with this id in the store", std::string(id)},
        "cannot read twin " + std::string(id));
}

Result<RelationshipRecord> SqliteStore::get_relationship(std::string_view source, std::string_view id) {
    const std::string where = std::string(source) + "/relationships/" + std::string(id);
    return select_one<RelationshipRecord>(
        Query::get_relationship,
        [&](Statement& row) {
            row.bind(1, source);
            row.bind(2, id);
        },
        read_relationship, {core::ErrorCode::unknown_relationship, "no relationship with this id in the store", where},
        "cannot read relationship " + where);
}

Result<std::optional<std::uint64_t>> SqliteStore::cursor(std::string_view source) {
    const std::lock_guard lock(m_mutex);
    auto prepared = statement(Query::get_cursor);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& row = **prepared;
    ResetOnExit reset(row);
    row.bind(1, source);
    const int rc = row.step();
    if (rc == SQLITE_ROW) {
        return std::optional<std::uint64_t>(from_sql(row.column_int64(0)));
    }
    if (rc == SQLITE_DONE) {
        return std::optional<std::uint64_t>();
    }
    return std::unexpected(m_connection.error(rc, "cannot read the cursor of " + std::string(source)));
}

Result<std::vector<CursorRecord>> SqliteStore::cursors() {
    std::vector<CursorRecord> all;
    LoadSink sink;
    sink.on_cursor = [&all](CursorRecord&& cursor) { all.push_back(std::move(cursor)); };
    if (auto loaded = load_all(sink); !loaded) {
        return std::unexpected(loaded.error());
    }
    return all;
}

// ---------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------

Result<std::vector<HistorySample>> SqliteStore::history(const HistoryQuery& query) {
    return select_rows<HistorySample>(
        Query::history,
        [&](Statement& rows) {
            rows.bind(1, query.twin);
            rows.bind(2, query.property);
            rows.bind(3, to_micros(query.from));
            rows.bind(4, to_micros(query.to));
            rows.bind(5, sql_limit(query.limit));
        },
        [&](Statement& rows) {
            return HistorySample{query.twin, query.property, from_micros(rows.column_int64(0)),
                                 from_sql(rows.column_int64(1)), read_value(rows, 2, 3)};
        },
        "cannot read history of " + query.twin + " " + query.property);
}

Result<std::vector<std::string>> SqliteStore::history_properties(std::string_view twin) {
    return select_rows<std::string>(
        Query::history_properties, [&](Statement& rows) { rows.bind(1, twin); },
        [](Statement& rows) { return std::string(rows.column_text(0)); },
        "cannot list the history of " + std::string(twin));
}

// ---------------------------------------------------------------------------------------
// Alerts, acknowledgement requests, silences, outbox
// ---------------------------------------------------------------------------------------

Result<std::vector<AlertRecord>> SqliteStore::list_alerts(const AlertQuery& query) {
    return select_rows<AlertRecord>(
        Query::list_alerts,
        [&](Statement& rows) {
            rows.bind(1, query.twin);
            rows.bind(2, query.state);
            rows.bind(3, sql_limit(query.limit));
            rows.bind(4, query.rule);
        },
        read_alert, "cannot list alerts");
}

Result<AlertRecord> SqliteStore::get_alert(std::string_view id) {
    return select_one<AlertRecord>(
        Query::get_alert, [&](Statement& row) { row.bind(1, id); }, read_alert,
        {core::ErrorCode::unknown_alert, "no alert with this id in the store", std::string(id)},
        "cannot read alert " + std::string(id));
}

Result<std::vector<AlertAckRecord>> SqliteStore::list_alert_acks() {
    return select_rows<AlertAckRecord>(
        Query::list_alert_acks, [](Statement&) {}, read_alert_ack, "cannot list alert acknowledgements");
}

Result<std::vector<SilenceRecord>> SqliteStore::list_silences() {
    return select_rows<SilenceRecord>(
        Query::list_silences, [](Statement&) {}, read_silence, "cannot list silences");
}

Result<std::vector<OutboxRecord>> SqliteStore::list_outbox(const OutboxQuery& query) {
    if (!query.due_before) {
        return select_rows<OutboxRecord>(
            Query::list_outbox, [&](Statement& rows) { rows.bind(1, sql_limit(query.limit)); }, read_outbox,
            "cannot list the outbox");
    }
    return select_rows<OutboxRecord>(
        Query::list_outbox_due,
        [&](Statement& rows) {
            rows.bind(1, to_micros(*query.due_before));
            rows.bind(2, sql_limit(query.limit));
        },
        read_outbox, "cannot list the due records of the outbox");
}

Result<std::optional<TimePoint>> SqliteStore::next_outbox_attempt() {
    const std::lock_guard lock(m_mutex);
    auto prepared = statement(Query::next_outbox_attempt);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& row = **prepared;
    ResetOnExit reset(row);
    const int rc = row.step();
    if (rc == SQLITE_ROW) {
        return std::optional<TimePoint>(from_micros(row.column_int64(0)));
    }
    if (rc == SQLITE_DONE) {
        return std::optional<TimePoint>();
    }
    return std::unexpected(m_connection.error(rc, "cannot read the next attempt of the outbox"));
}

Result<StoreSettings> SqliteStore::settings() {
    const std::lock_guard lock(m_mutex);
    StoreSettings settings;
    settings.backend = "sqlite";
    settings.location = m_connection.location();
    settings.read_only = m_options.read_only;
    settings.durability = m_options.durability;
    auto version = m_connection.query_int("PRAGMA user_version");
    auto journal = m_connection.query_text("PRAGMA journal_mode");
    auto synchronous = m_connection.query_int("PRAGMA synchronous");
    auto timeout = m_connection.query_int("PRAGMA busy_timeout");
    if (!version || !journal || !synchronous || !timeout) {
        return std::unexpected(!version       ? version.error()
                               : !journal     ? journal.error()
                               : !synchronous ? synchronous.error()
                                              : timeout.error());
    }
    settings.schema_version = static_cast<int>(*version);
    settings.journal_mode = *journal;
    constexpr const char* k_levels[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
    settings.synchronous =
        *synchronous >= 0 && *synchronous < 4 ? k_levels[*synchronous] : std::to_string(*synchronous);
    settings.busy_timeout = std::chrono::milliseconds(*timeout);
    return settings;
}

} // namespace dtwin::store::sqlite
