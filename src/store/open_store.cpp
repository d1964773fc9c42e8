// open_store: from a store URL to a backend. The only file of the store that knows which
// backends exist; adding PostgreSQL means one more branch here and a postgres/ folder.
#include "store/sqlite/sqlite_backend.hpp"
#include "store/store.hpp"

#include <filesystem>
#include <system_error>

namespace dtwin::store {
namespace {

namespace fs = std::filesystem;

/// The scheme of `url` ("sqlite" of "sqlite:x"), or empty when `url` is a plain path. A
/// scheme is a letter then letters, digits, '+', '-' or '.', then ':' (RFC 3986); it needs
/// two characters at least, so nothing that looks like a drive letter counts.
std::string_view scheme_of(std::string_view url) {
    const auto colon = url.find(':');
    if (colon == std::string_view::npos || colon < 2) {
        return {};
    }
    const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!is_alpha(url[0])) {
        return {};
    }
    for (std::size_t i = 1; i < colon; ++i) {
        const char c = url[i];
        if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
            return {};
        }
    }
    return url.substr(0, colon);
}

bool names_directory(const fs::path& path) {
    std::error_code ec;
    return fs::is_directory(path, ec);
}

bool names_regular_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

} // namespace

Result<std::unique_ptr<Store>> open_store(std::string_view url, const StoreOptions& options) {
    if (url.empty()) {
        return core::fail(core::ErrorCode::storage, "no store given: expected sqlite:PATH or a data directory");
    }
    const std::string_view scheme = scheme_of(url);
    if (scheme.empty()) {
        // A plain path names the data directory; an existing file is taken as the
        // database itself, so `dtwin history --store ./dtwin.db` works too.
        const fs::path path{std::string(url)};
        if (names_regular_file(path)) {
            return sqlite::open_sqlite_store(path, options);
        }
        return sqlite::open_sqlite_store(path / k_sqlite_file_name, options);
    }
    if (scheme == "sqlite") {
        std::string_view rest = url.substr(scheme.size() + 1);
        if (rest.starts_with("//")) {
            rest.remove_prefix(2); // sqlite:///var/lib/dtwin/dtwin.db, as other tools write it
        }
        if (rest.empty()) {
            return core::fail(core::ErrorCode::storage, "the sqlite: URL names no file", std::string(url));
        }
        const fs::path path{std::string(rest)};
        if (names_directory(path)) {
            return sqlite::open_sqlite_store(path / k_sqlite_file_name, options);
        }
        return sqlite::open_sqlite_store(path, options);
    }
    if (scheme == "postgresql" || scheme == "postgres") {
        return core::fail(core::ErrorCode::storage, "PostgreSQL stores are not supported yet; use sqlite:PATH",
                          std::string(url));
    }
    return core::fail(core::ErrorCode::storage,
                      "unknown store scheme '" + std::string(scheme) + "'; use sqlite:PATH or a data directory",
                      std::string(url));
}

Result<Snapshot> load_snapshot(Store& store) {
    Snapshot snapshot;
    LoadSink sink;
    sink.on_model = [&snapshot](ModelRecord&& record) { snapshot.models.push_back(std::move(record)); };
    sink.on_twin = [&snapshot](TwinRecord&& record) { snapshot.twins.push_back(std::move(record)); };
    sink.on_relationship = [&snapshot](RelationshipRecord&& record) {
        snapshot.relationships.push_back(std::move(record));
    };
    sink.on_cursor = [&snapshot](CursorRecord&& cursor) { snapshot.cursors.push_back(std::move(cursor)); };
    if (auto loaded = store.load_all(sink); !loaded) {
        return std::unexpected(loaded.error());
    }
    return snapshot;
}

} // namespace dtwin::store
