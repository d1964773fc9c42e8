// SqliteStore: history retention (prune_history).
//
// Old samples may sit in the archive (samples), in the log (sample_log), or in both when a
// folded sample was replayed. Both tables are pruned in one write transaction, so the
// next fold cannot bring a pruned sample back from the log, and readers see the history
// either before or after the prune, never half of it.
//
// Series rows stay even when their last sample goes: ids cached by this or another Store
// object on the same file then stay valid, and an id can never be handed to a second
// (twin, property). history_properties skips series without samples.
#include "store/sqlite/sqlite_store.hpp"

namespace dtwin::store::sqlite {

Result<std::uint64_t> SqliteStore::prune_history(TimePoint before) {
    const std::lock_guard lock(m_mutex);
    if (m_options.read_only) {
        return core::fail(core::ErrorCode::storage, "cannot prune history: the store was opened read-only",
                          m_connection.location());
    }
    if (auto begun = run(Query::begin_write, "cannot start a write transaction"); !begun) {
        return std::unexpected(begun.error());
    }
    Result<std::uint64_t> pruned;
    try {
        pruned = prune_locked(to_micros(before));
        if (pruned) {
            if (auto committed = run(Query::commit, "cannot commit the history prune"); !committed) {
                pruned = std::unexpected(committed.error());
            }
        }
    } catch (...) {
        abandon_transaction();
        throw;
    }
    if (!pruned) {
        // Also forgets the log's row count, which prune_locked may already have lowered.
        abandon_transaction();
    }
    return pruned;
}

Result<std::uint64_t> SqliteStore::prune_locked(std::int64_t before) {
    // Counted before anything is deleted: whether a log row's identity is also in the
    // archive must be asked while the archive still has it.
    auto counter = statement(Query::count_pruned_log);
    if (!counter) {
        return std::unexpected(counter.error());
    }
    std::int64_t log_only = 0;
    {
        Statement& count = **counter;
        ResetOnExit reset(count);
        count.bind(1, before);
        if (const int rc = count.step(); rc != SQLITE_ROW) {
            return std::unexpected(m_connection.error(rc, "cannot count the history to prune"));
        }
        log_only = count.column_int64(0);
    }

    auto prune_log = statement(Query::prune_log);
    if (!prune_log) {
        return std::unexpected(prune_log.error());
    }
    (*prune_log)->bind(1, before);
    if (auto done = run(**prune_log, "cannot prune the history log"); !done) {
        return std::unexpected(done.error());
    }
    const std::int64_t log_rows = sqlite3_changes64(m_connection.get());
    if (m_log_rows >= 0) {
        m_log_rows = m_log_rows > log_rows ? m_log_rows - log_rows : 0;
    }

    auto prune_archive = statement(Query::prune_archive);
    if (!prune_archive) {
        return std::unexpected(prune_archive.error());
    }
    (*prune_archive)->bind(1, before);
    if (auto done = run(**prune_archive, "cannot prune the history archive"); !done) {
        return std::unexpected(done.error());
    }
    const std::int64_t archive_rows = sqlite3_changes64(m_connection.get());
    return static_cast<std::uint64_t>(archive_rows) + static_cast<std::uint64_t>(log_only);
}

} // namespace dtwin::store::sqlite
