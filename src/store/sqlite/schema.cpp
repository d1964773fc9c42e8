#include "store/sqlite/schema.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <string>

namespace dtwin::store::sqlite {
namespace {

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

// Append-only: a released migration is never edited, a change of schema is a new entry.
// Times are integer microseconds since the Unix epoch (UTC); sequences are the uint64
// values reinterpreted as SQLite's signed 64-bit integers. STRICT tables make SQLite
// reject a value of the wrong type instead of storing it silently.
constexpr std::array k_migrations{
    Migration{1, "models, twins, relationships, history, alerts, cursors",
              R"sql(
CREATE TABLE schema_migrations (
    version      INTEGER PRIMARY KEY,
    description  TEXT NOT NULL,
    applied_time INTEGER NOT NULL
) STRICT;

CREATE TABLE models (
    id             TEXT NOT NULL UNIQUE,
    upload_time    INTEGER NOT NULL,
    decommissioned INTEGER NOT NULL,
    document       TEXT NOT NULL
) STRICT;

CREATE TABLE twins (
    id       TEXT NOT NULL UNIQUE,
    model    TEXT NOT NULL,
    version  INTEGER NOT NULL,
    document TEXT NOT NULL
) STRICT;

CREATE TABLE relationships (
    source   TEXT NOT NULL,
    id       TEXT NOT NULL,
    target   TEXT NOT NULL,
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    UNIQUE (source, id)
) STRICT;

-- One row per (twin, property) that has history: samples refer to it by a small integer
-- instead of repeating two strings in every row.
CREATE TABLE series (
    id       INTEGER PRIMARY KEY,
    twin     TEXT NOT NULL,
    property TEXT NOT NULL,
    UNIQUE (twin, property)
) STRICT;

-- History lives in two tables, because one series-clustered table alone makes every commit
-- rewrite one page per series it touches (thousands of 4 KiB pages for a few kB of
-- samples). Commits append to sample_log, a rowid table in arrival order whose pages
-- fill densely. When the log is big enough, the writer folds it into samples in one
-- sorted pass, which then touches each series' pages once for many samples. Reads
-- merge both. kind: 0 double, 1 bool, 2 integer, 3 string, 4 JSON text.
CREATE TABLE sample_log (
    series   INTEGER NOT NULL,
    time     INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    kind     INTEGER NOT NULL,
    value    ANY
) STRICT;

-- Clustered on (series, time, sequence): a range query of one property reads one
-- contiguous run of the b-tree, and a replayed sample lands on its own key.
CREATE TABLE samples (
    series   INTEGER NOT NULL,
    time     INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    kind     INTEGER NOT NULL,
    value    ANY,
    PRIMARY KEY (series, time, sequence)
) WITHOUT ROWID, STRICT;

CREATE TABLE alerts (
    id            TEXT NOT NULL UNIQUE,
    twin          TEXT NOT NULL,
    rule          TEXT NOT NULL,
    state         TEXT NOT NULL,
    raised_time   INTEGER NOT NULL,
    updated_time  INTEGER NOT NULL,
    resolved_time INTEGER,
    details       TEXT NOT NULL
) STRICT;
CREATE INDEX alerts_by_raised_time ON alerts (raised_time);

CREATE TABLE cursors (
    source   TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
)sql"},
    Migration{2, "alert acknowledgements, silences, notification outbox",
              R"sql(
-- Acknowledgements a user asked for (dtwin alerts ack) that the server has not applied
-- yet; one per alert. "by" is an SQL keyword, hence requested_by.
CREATE TABLE alert_acks (
    alert_id       TEXT NOT NULL UNIQUE,
    requested_time INTEGER NOT NULL,
    requested_by   TEXT NOT NULL,
    comment        TEXT NOT NULL
) STRICT;

-- Few rows (a handful of silences at a time): read whole, no index. "from" is an SQL
-- keyword, hence from_time / until_time.
CREATE TABLE silences (
    id           TEXT NOT NULL UNIQUE,
    twin_pattern TEXT NOT NULL,
    rule_pattern TEXT NOT NULL,
    from_time    INTEGER NOT NULL,
    until_time   INTEGER NOT NULL,
    created_time INTEGER NOT NULL,
    comment      TEXT NOT NULL
) STRICT;

-- Notifications waiting for delivery, one row per (notification, sink). failed: 0 or 1.
CREATE TABLE outbox (
    id                TEXT NOT NULL UNIQUE,
    sink              TEXT NOT NULL,
    payload           TEXT NOT NULL,
    created_time      INTEGER NOT NULL,
    next_attempt_time INTEGER NOT NULL,
    attempts          INTEGER NOT NULL,
    last_error        TEXT NOT NULL,
    failed            INTEGER NOT NULL
) STRICT;
-- The delivery worker's questions: "which records are due" and "when is the next one",
-- both about records not failed, by next attempt time.
CREATE INDEX outbox_by_next_attempt ON outbox (failed, next_attempt_time);
)sql"},
};

static_assert(k_migrations.back().version == k_schema_version, "k_schema_version must be the last migration");

std::string hex32(std::int64_t value) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%08x", static_cast<unsigned>(static_cast<std::uint32_t>(value)));
    return buffer;
}

struct FileHeader {
    std::int64_t application_id = 0;
    std::int64_t user_version = 0;
    std::int64_t objects = 0; ///< tables, indexes, views, triggers
};

Result<FileHeader> read_header(Connection& connection) {
    // The first read of the file: this is where a non-SQLite or damaged file shows up.
    FileHeader header;
    auto application_id = connection.query_int("PRAGMA application_id", "cannot open the file as a dtwin store");
    if (!application_id) {
        return std::unexpected(application_id.error());
    }
    auto user_version = connection.query_int("PRAGMA user_version");
    if (!user_version) {
        return std::unexpected(user_version.error());
    }
    auto objects = connection.query_int("SELECT count(*) FROM sqlite_schema");
    if (!objects) {
        return std::unexpected(objects.error());
    }
    return FileHeader{*application_id, *user_version, *objects};
}

Result<int> check_header(const Connection& connection, const FileHeader& header) {
    if (header.application_id == k_application_id) {
        if (header.user_version > k_schema_version) {
            return core::fail(core::ErrorCode::storage,
                              "the store was written by a newer dtwin (schema version " +
                                  std::to_string(header.user_version) + "; this dtwin reads up to version " +
                                  std::to_string(k_schema_version) + "); upgrade dtwin to use it",
                              connection.location());
        }
        if (header.user_version < 0) {
            return core::fail(core::ErrorCode::storage,
                              "the store has an invalid schema version " + std::to_string(header.user_version),
                              connection.location());
        }
        return static_cast<int>(header.user_version);
    }
    if (header.application_id == 0 && header.user_version == 0 && header.objects == 0) {
        return 0; // a new file, or an empty SQLite database: ours to initialise
    }
    std::string what = "not a dtwin store: it is an SQLite database of another application (application_id " +
                       hex32(header.application_id) + ", user_version " + std::to_string(header.user_version) + ", " +
                       std::to_string(header.objects) + " schema objects); dtwin will not modify it";
    return core::fail(core::ErrorCode::storage, std::move(what), connection.location());
}

/// Runs the migrations above `version` and records each in schema_migrations. Must run
/// inside the caller's transaction.
Result<void> apply_migrations(Connection& connection, int version) {
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    for (const auto& migration : k_migrations) {
        if (migration.version <= version) {
            continue;
        }
        if (auto done = connection.exec(migration.sql); !done) {
            return std::unexpected(
                Error{done.error().code,
                      "schema migration " + std::to_string(migration.version) + " failed: " + done.error().message,
                      done.error().where});
        }
        // Prepared only now: before migration 1 the table does not exist.
        auto record = connection.prepare(
            "INSERT INTO schema_migrations (version, description, applied_time) VALUES (?1, ?2, ?3)");
        if (!record) {
            return std::unexpected(record.error());
        }
        record->bind(1, static_cast<std::int64_t>(migration.version));
        record->bind(2, std::string_view(migration.description));
        record->bind(3, static_cast<std::int64_t>(now.time_since_epoch().count()));
        if (const int rc = record->step(); rc != SQLITE_DONE) {
            return std::unexpected(connection.error(rc, "cannot record schema migration"));
        }
    }
    // PRAGMA arguments cannot be bound; both values are our own integers.
    const std::string stamp = "PRAGMA application_id = " + std::to_string(k_application_id) +
                              "; PRAGMA user_version = " + std::to_string(k_schema_version) + ";";
    return connection.exec(stamp.c_str());
}

} // namespace

Result<int> identify_schema(Connection& connection) {
    auto header = read_header(connection);
    if (!header) {
        return std::unexpected(header.error());
    }
    return check_header(connection, *header);
}

Result<void> migrate_schema(Connection& connection, int version) {
    if (version == k_schema_version) {
        return {};
    }
    // IMMEDIATE takes the write lock at once, so two processes opening a new file at the
    // same moment cannot both initialise it; the header is read again under the lock.
    if (auto begun = connection.exec("BEGIN IMMEDIATE"); !begun) {
        return begun;
    }
    auto result = [&]() -> Result<void> {
        auto header = read_header(connection);
        if (!header) {
            return std::unexpected(header.error());
        }
        auto current = check_header(connection, *header);
        if (!current) {
            return std::unexpected(current.error());
        }
        return apply_migrations(connection, *current);
    }();
    if (!result) {
        // Nothing of the migration stays: the file is as it was before the open.
        (void)connection.exec("ROLLBACK");
        return result;
    }
    if (auto committed = connection.exec("COMMIT"); !committed) {
        (void)connection.exec("ROLLBACK");
        return committed;
    }
    return {};
}

} // namespace dtwin::store::sqlite
