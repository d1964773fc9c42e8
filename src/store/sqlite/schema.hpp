// The schema of dtwin's SQLite files: how a file is recognised as ours, which schema
// version it has, and the migrations that bring it to the version this build expects.
//
// PRIVATE to store/sqlite/ (see connection.hpp). Called once per open, by the thread that
// opens the store.
#pragma once

#include "store/sqlite/connection.hpp"

#include <cstdint>

namespace dtwin::store::sqlite {

/// Written to PRAGMA application_id of every dtwin store ("dTwi" in ASCII), so that
/// `file(1)` and we ourselves can tell a dtwin store from any other SQLite file.
inline constexpr std::int32_t k_application_id = 0x64547769;

/// The schema version this build writes and reads (PRAGMA user_version, and the highest
/// row of the schema_migrations table).
inline constexpr int k_schema_version = 2;

/// Looks at a freshly opened file without writing to it and returns its schema version:
/// 0 for a new or empty file, otherwise the version of a dtwin store. Fails (storage) for
/// a file that is not SQLite or is corrupt, for another application's SQLite database and
/// for a store written by a newer dtwin.
Result<int> identify_schema(Connection& connection);

/// Brings the file from `version` (as identify_schema returned) to k_schema_version in
/// one IMMEDIATE transaction: either every pending migration is applied or none.
Result<void> migrate_schema(Connection& connection, int version);

} // namespace dtwin::store::sqlite
