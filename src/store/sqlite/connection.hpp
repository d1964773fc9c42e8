// RAII around the SQLite C API: a connection, prepared statements, and the conversion of
// SQLite result codes into dtwin Errors.
//
// PRIVATE to store/sqlite/: included only by the .cpp files of this folder, never from a
// header that code outside the folder can see (the store's public interface must not
// depend on SQLite).
//
// Threads: neither class locks. A Connection and its Statements are used by one thread at
// a time; SqliteStore guarantees that with its mutex.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <string_view>

namespace dtwin::store::sqlite {

using core::Error;
using core::Result;

struct ConnectionDeleter {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using ConnectionHandle = std::unique_ptr<sqlite3, ConnectionDeleter>;

struct StatementDeleter {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

/// A prepared statement. Bind parameters (1-based, as in SQLite), step, read columns,
/// then reset() before the next use.
///
/// Text is bound WITHOUT a copy (SQLITE_STATIC): the bound string must stay alive and
/// unchanged until reset(). Every use in this backend binds, steps and resets within one
/// function, so that holds.
///
/// A failed bind (only possible on programming errors or absurdly large values) is
/// remembered and reported by the next step(), so callers check one result code.
class Statement {
public:
    Statement() = default;
    explicit Statement(StatementHandle handle) : m_handle(std::move(handle)) {}

    [[nodiscard]] bool prepared() const { return m_handle != nullptr; }

    void bind(int index, std::string_view text);
    void bind(int index, std::int64_t value);
    void bind(int index, double value);
    void bind_null(int index);

    /// sqlite3_step: SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    /// Makes the statement ready for new bindings (clears the old ones).
    void reset();

    [[nodiscard]] int column_type(int index) const { return sqlite3_column_type(m_handle.get(), index); }
    [[nodiscard]] std::int64_t column_int64(int index) const { return sqlite3_column_int64(m_handle.get(), index); }
    [[nodiscard]] double column_double(int index) const { return sqlite3_column_double(m_handle.get(), index); }
    /// Valid until the next step() or reset().
    [[nodiscard]] std::string_view column_text(int index) const;

private:
    StatementHandle m_handle;
    int m_bind_error = SQLITE_OK;
};

/// Resets a statement when it goes out of scope, whatever path leaves the function: a
/// statement left mid-step would keep a read transaction open and block WAL checkpoints.
class ResetOnExit {
public:
    explicit ResetOnExit(Statement& statement) : m_statement(statement) {}
    ~ResetOnExit() { m_statement.reset(); }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

private:
    Statement& m_statement;
};

/// One open SQLite connection to one file.
class Connection {
public:
    /// Opens `file` with the given sqlite3_open_v2 flags. Does not read the file yet
    /// (SQLite opens lazily), so a foreign file is only noticed by the first statement.
    static Result<Connection> open(const std::filesystem::path& file, int flags,
                                   std::chrono::milliseconds busy_timeout);

    /// Runs one or more statements that return no rows the caller needs.
    Result<void> exec(const char* sql);
    Result<Statement> prepare(std::string_view sql);

    /// Runs a statement yielding one integer (PRAGMA user_version, count(*)...); `doing`
    /// starts the message of an error.
    Result<std::int64_t> query_int(const char* sql, std::string_view doing = "cannot read the database");
    /// Runs a statement yielding one text (PRAGMA journal_mode...).
    Result<std::string> query_text(const char* sql, std::string_view doing = "cannot read the database");

    /// An ErrorCode::storage error for result code `rc` while `doing` something, with the
    /// database file in Error::where and a plain-words reason for the codes a user meets
    /// (corrupt file, not a database, locked, disk full, read-only).
    [[nodiscard]] Error error(int rc, std::string_view doing) const;

    [[nodiscard]] const std::string& location() const { return m_location; }
    [[nodiscard]] sqlite3* get() const { return m_handle.get(); }

private:
    Connection(ConnectionHandle handle, std::string location)
        : m_handle(std::move(handle)), m_location(std::move(location)) {}

    ConnectionHandle m_handle;
    std::string m_location;
};

/// The reason behind an SQLite result code, in words for the user.
std::string describe_result(int rc);

} // namespace dtwin::store::sqlite
