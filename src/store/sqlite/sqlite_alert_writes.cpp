// SqliteStore: writes of the records around alerts (acknowledgement requests, silences,
// the notification outbox). Each runs inside the commit's open transaction.
#include "store/sqlite/sqlite_store.hpp"

namespace dtwin::store::sqlite {

Result<void> SqliteStore::apply_put(const AlertAckRecord& record) {
    if (record.alert_id.empty()) {
        return std::unexpected(invalid("an alert acknowledgement with an empty alert id"));
    }
    auto prepared = statement(Query::put_alert_ack);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, record.alert_id);
    put.bind(2, to_micros(record.requested_time));
    put.bind(3, record.by);
    put.bind(4, record.comment);
    return run(put, "cannot write the acknowledgement of alert " + record.alert_id);
}

Result<void> SqliteStore::apply_put(const SilenceRecord& record) {
    // Only the key is the store's business; patterns and window are checked by whoever
    // reads the silence (core/alerts/silence.hpp).
    if (record.id.empty()) {
        return std::unexpected(invalid("a silence with an empty id"));
    }
    auto prepared = statement(Query::put_silence);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, record.id);
    put.bind(2, record.twin_pattern);
    put.bind(3, record.rule_pattern);
    put.bind(4, to_micros(record.from));
    put.bind(5, to_micros(record.until));
    put.bind(6, to_micros(record.created_time));
    put.bind(7, record.comment);
    return run(put, "cannot write silence " + record.id);
}

Result<void> SqliteStore::apply_put(const OutboxRecord& record) {
    if (record.id.empty()) {
        return std::unexpected(invalid("an outbox record with an empty id"));
    }
    auto prepared = statement(Query::put_outbox);
    if (!prepared) {
        return std::unexpected(prepared.error());
    }
    Statement& put = **prepared;
    put.bind(1, record.id);
    put.bind(2, record.sink);
    put.bind(3, record.payload);
    put.bind(4, to_micros(record.created_time));
    put.bind(5, to_micros(record.next_attempt_time));
    put.bind(6, std::int64_t{record.attempts});
    put.bind(7, record.last_error);
    put.bind(8, std::int64_t{record.failed ? 1 : 0});
    return run(put, "cannot write outbox record " + record.id);
}

} // namespace dtwin::store::sqlite
