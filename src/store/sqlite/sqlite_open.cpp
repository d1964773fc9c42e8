// Opening a SQLite store: checks of the directory and file, recognition of the file,
// migrations and connection settings, in an order that never writes to a file that is not
// ours.
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sqlite_backend.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>
#include <unistd.h>

namespace dtwin::store::sqlite {
namespace {

namespace fs = std::filesystem;

Error io_error(std::string message, const fs::path& where) {
    return Error{core::ErrorCode::io, std::move(message), where.string()};
}

/// Checks what SQLite would otherwise report vaguely ("unable to open database file"):
/// the directory exists and is one, we may create files in it (WAL needs the -wal and
/// -shm files beside the database), and the file is readable and writable.
Result<void> check_paths(const fs::path& file, const StoreOptions& options) {
    const fs::path directory = file.has_parent_path() ? file.parent_path() : fs::path(".");
    std::error_code ec;
    const auto directory_status = fs::status(directory, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
        return std::unexpected(io_error("cannot access the data directory: " + ec.message(), directory));
    }
    if (!fs::exists(directory_status)) {
        return std::unexpected(io_error("the data directory does not exist", directory));
    }
    if (!fs::is_directory(directory_status)) {
        return std::unexpected(io_error("the data directory path is not a directory", directory));
    }
    const auto file_status = fs::status(file, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
        return std::unexpected(io_error("cannot access the store file: " + ec.message(), file));
    }
    const bool exists = fs::exists(file_status);
    if (exists && !fs::is_regular_file(file_status)) {
        return std::unexpected(io_error("the store path exists but is not a regular file", file));
    }
    if (options.read_only) {
        if (!exists) {
            return std::unexpected(io_error("no store here: the file does not exist", file));
        }
        if (::access(file.c_str(), R_OK) != 0) {
            return std::unexpected(io_error(std::string("cannot read the store file: ") + std::strerror(errno), file));
        }
        return {};
    }
    if (::access(directory.c_str(), W_OK | X_OK) != 0) {
        return std::unexpected(io_error(std::string("cannot create files in the data directory (needed for the "
                                                    "database and its -wal and -shm files): ") +
                                            std::strerror(errno),
                                        directory));
    }
    if (exists && ::access(file.c_str(), R_OK | W_OK) != 0) {
        return std::unexpected(
            io_error(std::string("cannot read and write the store file: ") + std::strerror(errno), file));
    }
    return {};
}

/// Settings of every connection; journal_mode only for writers (it is a property of the
/// file, which a read-only connection may not change and simply inherits).
Result<void> configure(Connection& connection, const StoreOptions& options) {
    if (!options.read_only) {
        auto mode = connection.query_text("PRAGMA journal_mode = WAL");
        if (!mode) {
            return std::unexpected(mode.error());
        }
        if (*mode != "wal") {
            return core::fail(core::ErrorCode::storage,
                              "cannot switch the database to WAL mode (journal mode stays '" + *mode +
                                  "'); is the file on a network file system?",
                              connection.location());
        }
    }
    // WAL + NORMAL: a commit is in the WAL file before commit returns, so a dead process
    // loses nothing; only the OS's write-back can lose the last commits on power loss.
    // WAL + FULL: the WAL is fsynced at every commit.
    const char* synchronous =
        options.durability == Durability::power ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";
    if (auto done = connection.exec(synchronous); !done) {
        return done;
    }
    // 32 MiB page cache: history inserts touch the right edge of many series at once.
    // Checkpoints every 16k pages (64 MiB of WAL) instead of SQLite's 1000: ingest dirties
    // the same hot pages (the end of every series) commit after commit, and a rarer
    // checkpoint writes each of them back once instead of once per commit.
    if (auto done = connection.exec("PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; "
                                    "PRAGMA wal_autocheckpoint = 16384; PRAGMA journal_size_limit = 67108864");
        !done) {
        return done;
    }
    if (options.read_only) {
        // Belt and braces on top of SQLITE_OPEN_READONLY.
        return connection.exec("PRAGMA query_only = ON");
    }
    return {};
}

} // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file, const StoreOptions& options) {
    if (auto checked = check_paths(file, options); !checked) {
        return std::unexpected(checked.error());
    }
    // NOMUTEX: SqliteStore serialises all use of the connection with its own lock.
    const int flags =
        (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    auto connection = Connection::open(file, flags, options.busy_timeout);
    if (!connection) {
        return std::unexpected(connection.error());
    }
    // Recognise the file BEFORE anything writes to it (even journal_mode = WAL rewrites
    // the header), so another application's database is left exactly as it was.
    auto version = identify_schema(*connection);
    if (!version) {
        return std::unexpected(version.error());
    }
    if (options.read_only) {
        if (*version == 0) {
            return core::fail(core::ErrorCode::storage, "not a dtwin store yet: the file is empty",
                              connection->location());
        }
        if (*version < k_schema_version) {
            return core::fail(core::ErrorCode::storage,
                              "the store has schema version " + std::to_string(*version) + " and needs migrating to " +
                                  std::to_string(k_schema_version) +
                                  ", which a read-only open cannot do; open it once for writing (dtwin serve)",
                              connection->location());
        }
    }
    if (auto configured = configure(*connection, options); !configured) {
        return std::unexpected(configured.error());
    }
    if (!options.read_only) {
        if (auto migrated = migrate_schema(*connection, *version); !migrated) {
            return std::unexpected(migrated.error());
        }
    }
    return std::make_unique<SqliteStore>(std::move(*connection), options);
}

} // namespace dtwin::store::sqlite
