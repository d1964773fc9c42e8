// Upgrading stores written by an older dtwin: a file of schema version 1 (written here
// with SQLite directly, as that dtwin left it) gains the tables of later migrations when
// opened for writing, keeps its data, and ends up with the schema of a new store.
#include "store_test_support.hpp"

#include <sqlite3.h>

namespace dtwin::store::testing {
namespace {

using core::ErrorCode;

/// A time with a microsecond part, to show that none of it is lost.
TimePoint at_micros(long long seconds, long long micros) {
    return at_seconds(seconds) + std::chrono::microseconds(micros);
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

struct CloseDatabase {
    void operator()(sqlite3* database) const noexcept { sqlite3_close_v2(database); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

/// Opens `file` with SQLite directly, behind dtwin's back.
Database open_database(const fs::path& file) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Database database(raw);
    EXPECT_EQ(rc, SQLITE_OK) << file << ": " << (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory");
    return rc == SQLITE_OK ? std::move(database) : nullptr;
}

void exec_or_fail(sqlite3* database, const std::string& sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message);
    EXPECT_EQ(rc, SQLITE_OK) << (message != nullptr ? message : "") << "\n" << sql;
    sqlite3_free(message);
}

/// Every row of `sql`, its columns joined by '|' (NULL as "NULL").
std::vector<std::string> rows_of(sqlite3* database, const std::string& sql) {
    std::vector<std::string> rows;
    auto collect = [](void* out, int columns, char** values, char**) {
        std::string row;
        for (int i = 0; i < columns; ++i) {
            row.append(i > 0 ? "|" : "").append(values[i] != nullptr ? values[i] : "NULL");
        }
        static_cast<std::vector<std::string>*>(out)->push_back(std::move(row));
        return 0;
    };
    char* message = nullptr;
    const int rc = sqlite3_exec(database, sql.c_str(), collect, &rows, &message);
    EXPECT_EQ(rc, SQLITE_OK) << (message != nullptr ? message : "") << "\n" << sql;
    sqlite3_free(message);
    return rows;
}

/// The schema of migration 1, exactly as dtwin version-1 files hold it. A copy on
/// purpose: this fixture is what files written by the old dtwin look like, whatever later
/// migrations do.
constexpr const char* k_schema_v1 = R"sql(
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
)sql";

constexpr std::int64_t k_v1_alert_raised = 1'790'000'001'000'001; // at_micros(1, 1)

/// Writes a store as a dtwin of schema version 1 left it: its tables and stamps, a twin,
/// an alert and a cursor.
void write_version_1_store(const fs::path& file) {
    auto database = open_database(file);
    ASSERT_NE(database, nullptr);
    (void)rows_of(database.get(), "PRAGMA journal_mode = WAL");
    exec_or_fail(database.get(), std::string("BEGIN;") + k_schema_v1 +
                                     "INSERT INTO schema_migrations VALUES "
                                     "(1, 'models, twins, relationships, history, alerts, cursors', 1790000000000000);"
                                     "INSERT INTO twins VALUES ('Room1', 'dtmi:example:Room;1', 3, '{}');"
                                     "INSERT INTO alerts VALUES ('Room1/co2-high/1', 'Room1', 'co2-high', 'active', " +
                                     std::to_string(k_v1_alert_raised) + ", " +
                                     std::to_string(k_v1_alert_raised + 1'000'001) +
                                     ", NULL, '{\"peak\":1400}');"
                                     "INSERT INTO cursors VALUES ('gateway-a', 42);"
                                     "COMMIT;");
    exec_or_fail(database.get(), "PRAGMA application_id = " + std::to_string(0x64547769) + "; PRAGMA user_version = 1");
}

/// The schema objects of a store file, and the migrations it records.
struct SchemaDump {
    std::vector<std::string> objects;
    std::vector<std::string> migrations;
    std::vector<std::string> user_version;
};

SchemaDump dump_schema(const fs::path& file) {
    auto database = open_database(file);
    if (database == nullptr) {
        return {};
    }
    return {rows_of(database.get(), "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name"),
            rows_of(database.get(), "SELECT version, description FROM schema_migrations ORDER BY version"),
            rows_of(database.get(), "PRAGMA user_version")};
}

TEST(StoreSchemaUpgrade, ReadOnlyOpenOfAVersion1StoreAsksForAWritingOpen) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(write_version_1_store(dir.db_file()));
    auto store = open_store(dir.url(), {.read_only = true});
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::storage);
    EXPECT_TRUE(contains(store.error().message, "schema version 1 and needs migrating to 2")) << store.error().message;
    EXPECT_EQ(dump_schema(dir.db_file()).user_version, std::vector<std::string>{"1"});
}

TEST(StoreSchemaUpgrade, Version1StoreGainsTheNewRecordsAndKeepsItsData) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(write_version_1_store(dir.db_file()));
    const AlertRecord v1_alert{"Room1/co2-high/1", "Room1",         "co2-high",   "active",
                               at_micros(1, 1),    at_micros(2, 2), std::nullopt, R"({"peak":1400})"};
    const AlertAckRecord ack{v1_alert.id, at_micros(3, 3), "alice", "on it"};
    const SilenceRecord silence{"s1", "Room1", "*", at_micros(4, 4), at_micros(5, 5), at_micros(3, 3), "visit"};
    const OutboxRecord notification{.id = "Room1/co2-high/1/raised#webhook",
                                    .sink = "webhook",
                                    .payload = R"({"alert":"Room1/co2-high/1"})",
                                    .created_time = at_micros(3, 3),
                                    .next_attempt_time = at_micros(6, 6),
                                    .attempts = 1,
                                    .last_error = "HTTP 503",
                                    .failed = false};
    {
        auto store = open_or_fail(dir.url());
        ASSERT_NE(store, nullptr);
        EXPECT_EQ(store->settings().value().schema_version, 2);
        // What version 1 held is still there.
        EXPECT_EQ(store->get_twin("Room1").value(), (TwinRecord{"Room1", "dtmi:example:Room;1", 3, "{}"}));
        EXPECT_EQ(store->cursor("gateway-a").value(), std::optional<std::uint64_t>(42));
        EXPECT_EQ(store->get_alert(v1_alert.id).value(), v1_alert);
        EXPECT_EQ(store->list_alerts({.rule = "co2-high"}).value(), std::vector{v1_alert});
        // The new tables exist, empty, and take records.
        EXPECT_TRUE(store->list_alert_acks().value().empty());
        EXPECT_TRUE(store->list_silences().value().empty());
        EXPECT_TRUE(store->list_outbox({}).value().empty());
        EXPECT_EQ(store->next_outbox_attempt().value(), std::nullopt);
        WriteBatch batch;
        batch.put_alert_ack(ack);
        batch.put_silence(silence);
        batch.put_outbox(notification);
        ASSERT_TRUE(store->commit(batch).has_value());
    }
    auto reader = open_or_fail(dir.url(), {.read_only = true}); // opens: nothing left to migrate
    ASSERT_NE(reader, nullptr);
    EXPECT_EQ(reader->list_alert_acks().value(), std::vector{ack});
    EXPECT_EQ(reader->list_silences().value(), std::vector{silence});
    EXPECT_EQ(reader->list_outbox({.due_before = at_micros(6, 6)}).value(), std::vector{notification});
    reader.reset();

    ASSERT_NE(open_or_fail(dir.url()), nullptr); // a second writing open migrates nothing
    const auto schema = dump_schema(dir.db_file());
    ASSERT_EQ(schema.migrations.size(), 2U);
    EXPECT_EQ(schema.migrations[1], "2|alert acknowledgements, silences, notification outbox");
    EXPECT_EQ(schema.user_version, std::vector<std::string>{"2"});
}

TEST(StoreSchemaUpgrade, UpgradedFileHasTheSchemaOfANewStore) {
    TempDir fresh;
    TempDir upgraded;
    ASSERT_NE(open_or_fail(fresh.url()), nullptr);
    ASSERT_NO_FATAL_FAILURE(write_version_1_store(upgraded.db_file()));
    ASSERT_NE(open_or_fail(upgraded.url()), nullptr);

    const auto fresh_schema = dump_schema(fresh.db_file());
    const auto upgraded_schema = dump_schema(upgraded.db_file());
    EXPECT_EQ(upgraded_schema.objects, fresh_schema.objects);
    EXPECT_EQ(upgraded_schema.user_version, fresh_schema.user_version);
    // schema_migrations versions match; the descriptions too (the times differ).
    EXPECT_EQ(upgraded_schema.migrations, fresh_schema.migrations);

    // The delivery worker's index: records not failed, by next attempt time.
    auto database = open_database(fresh.db_file());
    ASSERT_NE(database, nullptr);
    EXPECT_EQ(rows_of(database.get(), "SELECT name FROM pragma_index_info('outbox_by_next_attempt') ORDER BY seqno"),
              (std::vector<std::string>{"failed", "next_attempt_time"}));
    for (const char* table : {"alert_acks", "silences", "outbox"}) {
        EXPECT_EQ(
            rows_of(database.get(), std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") + table + "'"),
            std::vector<std::string>{"1"})
            << table;
    }
}

} // namespace
} // namespace dtwin::store::testing
