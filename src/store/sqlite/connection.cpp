#include "store/sqlite/connection.hpp"

#include <climits>

namespace dtwin::store::sqlite {

// ---------------------------------------------------------------------------------------
// Statement
// ---------------------------------------------------------------------------------------

void Statement::bind(int index, std::string_view text) {
    if (text.size() > static_cast<std::size_t>(INT_MAX)) {
        m_bind_error = SQLITE_TOOBIG;
        return;
    }
    // sqlite3_bind_text treats a null pointer as SQL NULL; an empty view from a default
    // std::string may carry one, and our NOT NULL columns want '' instead.
    const char* data = text.data() != nullptr ? text.data() : "";
    const int rc = sqlite3_bind_text(m_handle.get(), index, data, static_cast<int>(text.size()), SQLITE_STATIC);
    if (rc != SQLITE_OK) {
        m_bind_error = rc;
    }
}

void Statement::bind(int index, std::int64_t value) {
    const int rc = sqlite3_bind_int64(m_handle.get(), index, value);
    if (rc != SQLITE_OK) {
        m_bind_error = rc;
    }
}

void Statement::bind(int index, double value) {
    const int rc = sqlite3_bind_double(m_handle.get(), index, value);
    if (rc != SQLITE_OK) {
        m_bind_error = rc;
    }
}

void Statement::bind_null(int index) {
    const int rc = sqlite3_bind_null(m_handle.get(), index);
    if (rc != SQLITE_OK) {
        m_bind_error = rc;
    }
}

int Statement::step() {
    if (m_bind_error != SQLITE_OK) {
        return m_bind_error;
    }
    return sqlite3_step(m_handle.get());
}

void Statement::reset() {
    // The result of sqlite3_reset repeats the error of the last step, which the caller
    // has already handled; here only the state matters.
    sqlite3_reset(m_handle.get());
    sqlite3_clear_bindings(m_handle.get());
    m_bind_error = SQLITE_OK;
}

std::string_view Statement::column_text(int index) const {
    const auto* text = sqlite3_column_text(m_handle.get(), index);
    if (text == nullptr) {
        return {};
    }
    // Call order matters: column_bytes after column_text gives the size of that text.
    const int size = sqlite3_column_bytes(m_handle.get(), index);
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

// ---------------------------------------------------------------------------------------
// Connection
// ---------------------------------------------------------------------------------------

Result<Connection> Connection::open(const std::filesystem::path& file, int flags,
                                    std::chrono::milliseconds busy_timeout) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
    // Even a failed open usually allocates a handle (to carry the message): own it first.
    ConnectionHandle handle(raw);
    if (rc != SQLITE_OK) {
        std::string reason = describe_result(rc);
        if (handle) {
            reason += std::string(" (") + sqlite3_errmsg(handle.get()) + ")";
        }
        // Failing to open the file at all is a file-system problem (permissions, a
        // directory in the way), not a problem of the database inside.
        const int primary = rc & 0xff;
        const auto code =
            primary == SQLITE_CANTOPEN || primary == SQLITE_PERM ? core::ErrorCode::io : core::ErrorCode::storage;
        return core::fail(code, "cannot open the database: " + reason, file.string());
    }
    sqlite3_extended_result_codes(handle.get(), 1);
    const auto timeout_ms = busy_timeout.count() > INT_MAX ? INT_MAX : static_cast<int>(busy_timeout.count());
    sqlite3_busy_timeout(handle.get(), timeout_ms);
    return Connection(std::move(handle), file.string());
}

Result<void> Connection::exec(const char* sql) {
    const int rc = sqlite3_exec(m_handle.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        return std::unexpected(error(rc, "cannot run SQL"));
    }
    return {};
}

Result<Statement> Connection::prepare(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    // PERSISTENT: these statements live as long as the store and run millions of times.
    const int rc = sqlite3_prepare_v3(m_handle.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StatementHandle handle(raw);
    if (rc != SQLITE_OK) {
        return std::unexpected(error(rc, "cannot prepare a statement"));
    }
    return Statement(std::move(handle));
}

Result<std::int64_t> Connection::query_int(const char* sql, std::string_view doing) {
    auto statement = prepare(sql);
    if (!statement) {
        return std::unexpected(statement.error());
    }
    const int rc = statement->step();
    if (rc != SQLITE_ROW) {
        return std::unexpected(error(rc == SQLITE_DONE ? SQLITE_ERROR : rc, doing));
    }
    return statement->column_int64(0);
}

Result<std::string> Connection::query_text(const char* sql, std::string_view doing) {
    auto statement = prepare(sql);
    if (!statement) {
        return std::unexpected(statement.error());
    }
    const int rc = statement->step();
    if (rc != SQLITE_ROW) {
        return std::unexpected(error(rc == SQLITE_DONE ? SQLITE_ERROR : rc, doing));
    }
    return std::string(statement->column_text(0));
}

Error Connection::error(int rc, std::string_view doing) const {
    std::string message(doing);
    message += ": ";
    message += describe_result(rc);
    // SQLite's own message often names the table or constraint; keep it when it adds
    // something to the generic text of the code.
    const char* detail = sqlite3_errmsg(m_handle.get());
    if (detail != nullptr && std::string_view(detail) != sqlite3_errstr(rc) &&
        std::string_view(detail) != "not an error") {
        message += " (";
        message += detail;
        message += ")";
    }
    return Error{core::ErrorCode::storage, std::move(message), m_location};
}

std::string describe_result(int rc) {
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return "the file is not an SQLite database (or its header is damaged)";
    case SQLITE_CORRUPT:
        return "the database file is corrupt";
    case SQLITE_BUSY:
        return "the database is locked by another connection and the busy timeout expired";
    case SQLITE_LOCKED:
        return "a table is locked by another statement of this connection";
    case SQLITE_FULL:
        return "the disk is full";
    case SQLITE_READONLY:
        return "the database is read-only";
    case SQLITE_CANTOPEN:
        return "the file cannot be opened (missing, a directory, or no permission)";
    case SQLITE_PERM:
        return "permission denied";
    case SQLITE_IOERR:
        return "an I/O error occurred";
    case SQLITE_TOOBIG:
        return "a value is too large";
    case SQLITE_NOMEM:
        return "out of memory";
    default:
        return sqlite3_errstr(rc);
    }
}

} // namespace dtwin::store::sqlite
