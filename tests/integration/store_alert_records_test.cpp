// The records around alerts: acknowledgement requests, silences and the notification
// outbox round-trip through a real SQLite file, batches stay all-or-nothing with them, and
// the outbox answers the delivery worker's questions (what is due, when is the next one).
// Upgrading a store written before these tables existed: store_schema_upgrade_test.cpp.
#include "store_test_support.hpp"

#include <functional>
#include <limits>

namespace dtwin::store::testing {
namespace {

using core::ErrorCode;
using std::chrono::microseconds;

/// A time with a microsecond part, to show that none of it is lost.
TimePoint at_micros(long long seconds, long long micros) {
    return at_seconds(seconds) + microseconds(micros);
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

class StoreAlertRecords : public StoreFixture {
protected:
    std::vector<AlertAckRecord> acks() { return m_store->list_alert_acks().value(); }
    std::vector<SilenceRecord> silences() { return m_store->list_silences().value(); }
    std::vector<OutboxRecord> outbox(const OutboxQuery& query = {}) { return m_store->list_outbox(query).value(); }

};

OutboxRecord make_outbox(std::string id, TimePoint next_attempt, bool failed = false) {
    return OutboxRecord{.id = std::move(id),
                        .sink = "webhook",
                        .payload = R"({"alert":"a1"})",
                        .created_time = at_seconds(0),
                        .next_attempt_time = next_attempt,
                        .attempts = failed ? 3U : 0U,
                        .last_error = failed ? "HTTP 410 Gone" : "",
                        .failed = failed};
}

std::vector<std::string> ids_of(const std::vector<OutboxRecord>& records) {
    std::vector<std::string> ids;
    for (const auto& record : records) {
        ids.push_back(record.id);
    }
    return ids;
}

// ---------------------------------------------------------------------------------------
// Round trips, overwrites, deletes
// ---------------------------------------------------------------------------------------

TEST_F(StoreAlertRecords, AlertAcksRoundTripOldestRequestedFirstAcrossReopen) {
    const AlertAckRecord later{"a2", at_micros(20, 999'999), "ops@example.com", "known: door propped open"};
    const AlertAckRecord earlier{"a1", at_micros(10, 1), "", ""}; // free texts may be empty
    WriteBatch batch;
    batch.put_alert_ack(later);
    batch.put_alert_ack(earlier);
    commit_ok(batch);
    EXPECT_EQ(acks(), (std::vector{earlier, later}));

    reopen(StoreOptions{.read_only = true});
    EXPECT_EQ(acks(), (std::vector{earlier, later}));
}

TEST_F(StoreAlertRecords, AlertAckPutReplacesByAlertIdAndDeleteRemoves) {
    WriteBatch first;
    first.put_alert_ack({"a1", at_seconds(10), "alice", "first"});
    first.put_alert_ack({"a2", at_seconds(20), "bob", ""});
    commit_ok(first);

    const AlertAckRecord again{"a1", at_micros(30, 5), "carol", "second"};
    WriteBatch second;
    second.put_alert_ack(again); // same alert: one request, now the newest
    second.delete_alert_ack("a2");
    second.delete_alert_ack("never-requested"); // a delete of a missing key does nothing
    commit_ok(second);
    reopen();
    EXPECT_EQ(acks(), std::vector{again});
}

TEST_F(StoreAlertRecords, SilencesRoundTripOrderedByFromThenIdAcrossReopen) {
    const SilenceRecord b{"s-b",        "Room1", "*", at_micros(100, 250'000), at_micros(200, 1), at_micros(90, 7),
                          "maintenance"};
    const SilenceRecord a{"s-a", "*", "co2-high", at_micros(100, 250'000), at_seconds(150), at_seconds(95), ""};
    const SilenceRecord first{"s-z", "Door2", "slam", at_seconds(50), at_seconds(60), at_seconds(40), "test"};
    const SilenceRecord expired{"s-old", "*", "*", at_seconds(-500), at_seconds(-400), at_seconds(-600), "long gone"};
    WriteBatch batch;
    for (const auto& silence : {b, a, first, expired}) {
        batch.put_silence(silence);
    }
    commit_ok(batch);
    // by from; a and b start together, so their ids decide. Expired ones stay listed.
    EXPECT_EQ(silences(), (std::vector{expired, first, a, b}));

    reopen(StoreOptions{.read_only = true});
    EXPECT_EQ(silences(), (std::vector{expired, first, a, b}));
}

TEST_F(StoreAlertRecords, SilencePutReplacesByIdAndDeleteRemoves) {
    WriteBatch first;
    first.put_silence({"s1", "Room1", "*", at_seconds(10), at_seconds(20), at_seconds(0), "one"});
    first.put_silence({"s2", "Room2", "*", at_seconds(30), at_seconds(40), at_seconds(0), "two"});
    commit_ok(first);

    const SilenceRecord moved{"s1", "*", "co2-high", at_seconds(50), at_micros(60, 1), at_seconds(1), "moved"};
    WriteBatch second;
    second.put_silence(moved);
    second.delete_silence("s2");
    commit_ok(second);
    reopen();
    EXPECT_EQ(silences(), std::vector{moved});
}

TEST_F(StoreAlertRecords, OutboxRecordsKeepEveryFieldAcrossReopen) {
    const OutboxRecord waiting{.id = "a1/raised#smtp",
                               .sink = "smtp",
                               .payload = R"({"id":"a1/raised","subject":"CO₂ high in Room1"})",
                               .created_time = at_micros(5, 123'456),
                               .next_attempt_time = at_micros(65, 654'321),
                               .attempts = 2,
                               .last_error = "smtp://mail:25: 451 try again later",
                               .failed = false};
    const OutboxRecord failed{.id = "a1/raised#webhook",
                              .sink = "webhook",
                              .payload = "{}",
                              .created_time = at_micros(5, 1),
                              .next_attempt_time = at_micros(6, 999'999),
                              .attempts = std::numeric_limits<std::uint32_t>::max(),
                              .last_error = "HTTP 404",
                              .failed = true};
    const OutboxRecord fresh = make_outbox("a2/resolved#webhook", at_micros(7, 0));
    WriteBatch batch;
    batch.put_outbox(waiting);
    batch.put_outbox(failed);
    batch.put_outbox(fresh);
    commit_ok(batch);
    reopen();
    EXPECT_EQ(outbox(), (std::vector{failed, fresh, waiting})); // by next attempt
    reopen(StoreOptions{.read_only = true});
    EXPECT_EQ(outbox(), (std::vector{failed, fresh, waiting}));
}

TEST_F(StoreAlertRecords, OutboxPutReplacesByIdAndDeleteRemoves) {
    WriteBatch first;
    first.put_outbox(make_outbox("n1#webhook", at_seconds(10)));
    first.put_outbox(make_outbox("n2#webhook", at_seconds(20)));
    commit_ok(first);

    // What the delivery worker writes after a failed attempt, and after a success.
    OutboxRecord retried = make_outbox("n1#webhook", at_micros(40, 500));
    retried.attempts = 1;
    retried.last_error = "connection refused";
    WriteBatch second;
    second.put_outbox(retried);
    second.delete_outbox("n2#webhook");
    commit_ok(second);
    reopen();
    EXPECT_EQ(outbox(), std::vector{retried});
}

// ---------------------------------------------------------------------------------------
// The outbox's questions
// ---------------------------------------------------------------------------------------

TEST_F(StoreAlertRecords, DueOutboxRecordsExcludeFailedAndFutureOnesAndHonourTheLimit) {
    const TimePoint now = at_micros(100, 500);
    WriteBatch batch;
    batch.put_outbox(make_outbox("future", now + microseconds(1)));
    batch.put_outbox(make_outbox("exactly-now", now)); // due: due_before is inclusive
    batch.put_outbox(make_outbox("failed-long-ago", at_seconds(1), true));
    batch.put_outbox(make_outbox("b-overdue", at_seconds(50)));
    batch.put_outbox(make_outbox("a-overdue", at_seconds(50))); // same time: the id decides
    batch.put_outbox(make_outbox("failed-future", at_seconds(500), true));
    commit_ok(batch);

    EXPECT_EQ(ids_of(outbox({.due_before = now})), (std::vector<std::string>{"a-overdue", "b-overdue", "exactly-now"}));
    EXPECT_EQ(ids_of(outbox({.due_before = now, .limit = 2})), (std::vector<std::string>{"a-overdue", "b-overdue"}));
    EXPECT_TRUE(outbox({.due_before = at_seconds(49)}).empty());
    // Without due_before: everything, failed records included, in the same order.
    EXPECT_EQ(ids_of(outbox()), (std::vector<std::string>{"failed-long-ago", "a-overdue", "b-overdue", "exactly-now",
                                                          "future", "failed-future"}));
    EXPECT_EQ(ids_of(outbox({.limit = 1})), std::vector<std::string>{"failed-long-ago"});
}

TEST_F(StoreAlertRecords, NextOutboxAttemptIsTheEarliestOfTheRecordsNotFailed) {
    EXPECT_EQ(m_store->next_outbox_attempt().value(), std::nullopt);

    WriteBatch only_failed;
    only_failed.put_outbox(make_outbox("dead", at_seconds(1), true));
    commit_ok(only_failed);
    EXPECT_EQ(m_store->next_outbox_attempt().value(), std::nullopt); // a failed record never waits

    WriteBatch waiting;
    waiting.put_outbox(make_outbox("later", at_micros(30, 2)));
    waiting.put_outbox(make_outbox("sooner", at_micros(20, 1)));
    commit_ok(waiting);
    EXPECT_EQ(m_store->next_outbox_attempt().value(), std::optional(at_micros(20, 1)));

    WriteBatch delivered;
    delivered.delete_outbox("sooner");
    commit_ok(delivered);
    reopen(StoreOptions{.read_only = true});
    EXPECT_EQ(m_store->next_outbox_attempt().value(), std::optional(at_micros(30, 2)));
}

// ---------------------------------------------------------------------------------------
// Alerts: lookup by id, filter by rule
// ---------------------------------------------------------------------------------------

TEST_F(StoreAlertRecords, GetAlertFindsOneByIdOrSaysUnknownAlert) {
    const AlertRecord alert{"Room1/co2-high/1", "Room1",          "co2-high",       "resolved",
                            at_micros(1, 11),   at_micros(2, 22), at_micros(3, 33), R"({"peak":1400})"};
    WriteBatch batch;
    batch.put_alert(alert);
    commit_ok(batch);
    reopen(StoreOptions{.read_only = true});
    EXPECT_EQ(m_store->get_alert(alert.id).value(), alert);

    auto missing = m_store->get_alert("Room1/co2-high/2");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::unknown_alert);
    EXPECT_EQ(missing.error().where, "Room1/co2-high/2");
}

TEST_F(StoreAlertRecords, ListAlertsFiltersByRuleAloneAndWithTheOtherFields) {
    const AlertRecord co2_room1{"c1", "Room1", "co2-high", "active", at_seconds(1), at_seconds(1), std::nullopt, "{}"};
    const AlertRecord co2_room2{"c2",          "Room2",       "co2-high",    "resolved",
                                at_seconds(2), at_seconds(4), at_seconds(4), "{}"};
    const AlertRecord slam_room1{"s1", "Room1", "slam", "active", at_seconds(3), at_seconds(3), std::nullopt, "{}"};
    const AlertRecord co2_room1_again{"c3",          "Room1",       "co2-high",   "active",
                                      at_seconds(5), at_seconds(5), std::nullopt, "{}"};
    WriteBatch batch;
    for (const auto& alert : {co2_room1_again, slam_room1, co2_room2, co2_room1}) {
        batch.put_alert(alert);
    }
    commit_ok(batch);

    auto list = [this](const AlertQuery& query) { return m_store->list_alerts(query).value(); };
    EXPECT_EQ(list({.rule = "co2-high"}), (std::vector{co2_room1, co2_room2, co2_room1_again}));
    EXPECT_EQ(list({.rule = "slam"}), std::vector{slam_room1});
    EXPECT_EQ(list({.twin = "Room1", .rule = "co2-high"}), (std::vector{co2_room1, co2_room1_again}));
    EXPECT_EQ(list({.twin = "Room1", .state = "active", .rule = "co2-high", .limit = 1}), std::vector{co2_room1});
    EXPECT_EQ(list({.state = "resolved", .rule = "slam"}), std::vector<AlertRecord>{});
    EXPECT_TRUE(list({.rule = "co2"}).empty()); // a whole rule name, not a prefix
    EXPECT_EQ(list({}).size(), 4U);             // empty rule: every alert
}

// ---------------------------------------------------------------------------------------
// All or nothing, and bad keys
// ---------------------------------------------------------------------------------------

TEST_F(StoreAlertRecords, FailingBatchLeavesNoneOfTheNewRecords) {
    const AlertAckRecord kept_ack{"kept", at_seconds(1), "alice", ""};
    const SilenceRecord kept_silence{"kept", "*", "*", at_seconds(1), at_seconds(2), at_seconds(0), ""};
    const OutboxRecord kept_outbox = make_outbox("kept", at_seconds(1));
    WriteBatch good;
    good.put_alert_ack(kept_ack);
    good.put_silence(kept_silence);
    good.put_outbox(kept_outbox);
    commit_ok(good);

    WriteBatch bad;
    bad.put_alert_ack({"new", at_seconds(2), "bob", ""});
    bad.put_silence({"new", "Room1", "*", at_seconds(3), at_seconds(4), at_seconds(0), ""});
    bad.put_outbox(make_outbox("new", at_seconds(0)));
    bad.put_outbox(make_outbox("kept", at_seconds(99), true)); // an overwrite, undone too
    bad.delete_alert_ack("kept");
    bad.delete_silence("kept");
    bad.put_outbox(make_outbox("", at_seconds(0))); // invalid, applied after all of the above
    auto result = m_store->commit(bad);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::invalid_value);

    EXPECT_EQ(acks(), std::vector{kept_ack});
    EXPECT_EQ(silences(), std::vector{kept_silence});
    EXPECT_EQ(outbox(), std::vector{kept_outbox});
    EXPECT_EQ(m_store->next_outbox_attempt().value(), std::optional(at_seconds(1)));
}

TEST_F(StoreAlertRecords, GroupCommitWithABadBatchLeavesNoneOfTheNewRecords) {
    std::vector<WriteBatch> group(2);
    group[0].put_alert_ack({"a1", at_seconds(1), "", ""});
    group[0].put_silence({"s1", "*", "*", at_seconds(1), at_seconds(2), at_seconds(0), ""});
    group[0].put_outbox(make_outbox("n1", at_seconds(1)));
    group[1].delete_silence(""); // invalid
    EXPECT_EQ(m_store->commit(std::span<const WriteBatch>(group)).error().code, ErrorCode::invalid_value);
    EXPECT_TRUE(acks().empty());
    EXPECT_TRUE(silences().empty());
    EXPECT_TRUE(outbox().empty());
}

/// One operation with an empty key, and the words its error must contain.
struct BadKeyCase {
    const char* name;
    std::function<void(WriteBatch&)> add;
    const char* says;
};

TEST_F(StoreAlertRecords, EmptyKeysAreRejectedSayingWhichRecord) {
    const std::vector<BadKeyCase> cases{
        {"ack",
         [](WriteBatch& b) {
             b.put_alert_ack({"", at_seconds(1), "alice", "why"});
         },
         "acknowledgement"},
        {"silence",
         [](WriteBatch& b) {
             b.put_silence({"", "*", "*", at_seconds(1), at_seconds(2), at_seconds(0), ""});
         },
         "silence with an empty id"},
        {"outbox", [](WriteBatch& b) { b.put_outbox(make_outbox("", at_seconds(1))); },
         "outbox record with an empty id"},
        {"delete ack", [](WriteBatch& b) { b.delete_alert_ack(""); }, "empty id"},
        {"delete silence", [](WriteBatch& b) { b.delete_silence(""); }, "empty id"},
        {"delete outbox", [](WriteBatch& b) { b.delete_outbox(""); }, "empty id"},
    };
    for (const auto& bad : cases) {
        WriteBatch batch;
        batch.put_outbox(make_outbox("innocent", at_seconds(1)));
        bad.add(batch);
        auto result = m_store->commit(batch);
        ASSERT_FALSE(result.has_value()) << bad.name;
        EXPECT_EQ(result.error().code, ErrorCode::invalid_value) << bad.name;
        EXPECT_TRUE(contains(result.error().message, bad.says)) << bad.name << ": " << result.error().message;
        EXPECT_EQ(result.error().where, m_dir.db_file().string()) << bad.name;
        EXPECT_TRUE(outbox().empty()) << bad.name;
    }
}

} // namespace
} // namespace dtwin::store::testing
