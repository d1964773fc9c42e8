// Entry point of the SQLite backend for open_store (store/open_store.cpp).
//
// This header is the only part of store/sqlite/ that code outside the folder includes,
// and it deliberately mentions no SQLite type: everything that does lives in the .cpp
// files of this folder and in its private headers.
#pragma once

#include "store/store.hpp"

#include <filesystem>
#include <memory>

namespace dtwin::store::sqlite {

/// Opens the SQLite database `file` as a Store (creating and migrating it unless
/// options.read_only). `file` is already resolved from the URL: a file path, never a
/// directory. Errors as documented for open_store. Any thread.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file, const StoreOptions& options);

} // namespace dtwin::store::sqlite
