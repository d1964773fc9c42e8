// The store keeps what it is given: every record kind round-trips through a real SQLite
// file, batches are all-or-nothing, and everything survives closing and reopening.
#include "store_test_support.hpp"

#include <cmath>
#include <limits>
#include <thread>

namespace dtwin::store::testing {
namespace {

using StoreRecords = StoreFixture;

TEST_F(StoreRecords, EveryRecordKindRoundTripsAcrossReopen) {
    const ModelRecord model{"dtmi:example:Room;1", R"({"@id":"dtmi:example:Room;1","@type":"Interface"})",
                            at_seconds(1), false};
    const ModelRecord old_model{"dtmi:example:Room;0", "{}", at_seconds(0), true};
    const TwinRecord twin = make_twin("room-1", 7);
    const RelationshipRecord relationship{"r1", "floor-1", "room-1", "contains", R"({"$relationshipId":"r1"})"};
    const AlertRecord open_alert{"a1",          "door-1",      "slam",       "active",
                                 at_seconds(5), at_seconds(6), std::nullopt, R"({"peak":3.2})"};
    const AlertRecord closed_alert{"a2",          "room-1",      "co2",         "resolved",
                                   at_seconds(2), at_seconds(9), at_seconds(9), "{}"};

    WriteBatch batch;
    batch.put_model(model);
    batch.put_model(old_model);
    batch.put_twin(twin);
    batch.put_twin(make_twin("floor-1"));
    batch.put_relationship(relationship);
    batch.append_sample(make_sample("room-1", "temperature", 10, 1, 21.5));
    batch.put_alert(open_alert);
    batch.put_alert(closed_alert);
    batch.set_cursor("gateway-a", 42);
    commit_ok(batch);
    reopen();

    auto snapshot = load_snapshot(*m_store);
    ASSERT_TRUE(snapshot.has_value()) << snapshot.error().to_string();
    EXPECT_EQ(snapshot->models, (std::vector{model, old_model}));
    EXPECT_EQ(snapshot->twins, (std::vector{twin, make_twin("floor-1")}));
    EXPECT_EQ(snapshot->relationships, std::vector{relationship});
    EXPECT_EQ(snapshot->cursors, (std::vector{CursorRecord{"gateway-a", 42}}));

    EXPECT_EQ(m_store->get_model(model.id).value(), model);
    EXPECT_EQ(m_store->get_twin("room-1").value(), twin);
    EXPECT_EQ(m_store->get_relationship("floor-1", "r1").value(), relationship);
    EXPECT_EQ(m_store->cursor("gateway-a").value(), std::optional<std::uint64_t>(42));
    EXPECT_EQ(m_store->list_alerts({}).value(), (std::vector{closed_alert, open_alert})); // by raised time
    EXPECT_EQ(m_store->list_alerts({.twin = "door-1"}).value(), std::vector{open_alert});
    EXPECT_EQ(m_store->list_alerts({.state = "resolved"}).value(), std::vector{closed_alert});
}

TEST_F(StoreRecords, MissingKeysAreReportedWithTheirOwnCodes) {
    EXPECT_EQ(m_store->get_twin("nope").error().code, core::ErrorCode::unknown_twin);
    EXPECT_EQ(m_store->get_model("dtmi:x;1").error().code, core::ErrorCode::unknown_model);
    EXPECT_EQ(m_store->get_relationship("a", "b").error().code, core::ErrorCode::unknown_relationship);
    EXPECT_EQ(m_store->cursor("gateway-a").value(), std::nullopt);
    EXPECT_TRUE(m_store->history({.twin = "nope", .property = "x"}).value().empty());
}

TEST_F(StoreRecords, PutsReplaceKeepingLoadOrderAndDeletesRemove) {
    WriteBatch first;
    first.put_twin(make_twin("a"));
    first.put_twin(make_twin("b"));
    first.put_relationship({"r", "a", "b", "next", "{}"});
    first.put_relationship({"r", "b", "a", "next", "{}"}); // same id, other source: a second record
    commit_ok(first);

    WriteBatch second;
    second.put_twin(make_twin("a", 2)); // replace: must stay first in load order
    second.delete_relationship("b", "r");
    second.put_twin(make_twin("c"));
    second.delete_twin("c"); // operations apply in order
    commit_ok(second);

    auto snapshot = load_snapshot(*m_store).value();
    EXPECT_EQ(snapshot.twins, (std::vector{make_twin("a", 2), make_twin("b")}));
    ASSERT_EQ(snapshot.relationships.size(), 1U);
    EXPECT_EQ(snapshot.relationships[0].source, "a");
}

TEST_F(StoreRecords, FailingBatchLeavesNothingBehind) {
    WriteBatch good;
    good.put_twin(make_twin("kept"));
    commit_ok(good);

    WriteBatch bad;
    bad.put_twin(make_twin("room-1"));
    bad.append_sample(make_sample("room-1", "temperature", 1, 1, 20.0));
    bad.set_cursor("gateway-a", 5);
    bad.delete_twin("kept");
    bad.put_twin(TwinRecord{"", "dtmi:example:Room;1", 1, "{}"}); // invalid: applied last, after the rest
    auto result = m_store->commit(bad);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, core::ErrorCode::invalid_value);
    EXPECT_NE(result.error().message.find("empty id"), std::string::npos) << result.error().message;

    EXPECT_EQ(m_store->get_twin("room-1").error().code, core::ErrorCode::unknown_twin);
    EXPECT_TRUE(m_store->get_twin("kept").has_value());
    EXPECT_EQ(m_store->cursor("gateway-a").value(), std::nullopt);
    EXPECT_TRUE(m_store->history({.twin = "room-1", .property = "temperature"}).value().empty());
    EXPECT_TRUE(m_store->history_properties("room-1").value().empty());

    // The series created inside the failed transaction is gone; the store must not reuse
    // its id from a cache.
    WriteBatch retry;
    retry.append_sample(make_sample("room-1", "temperature", 1, 1, 20.0));
    commit_ok(retry);
    reopen();
    EXPECT_EQ(m_store->history({.twin = "room-1", .property = "temperature"}).value().size(), 1U);
}

TEST_F(StoreRecords, GroupCommitIsAllOrNothingAcrossBatches) {
    std::vector<WriteBatch> group(3);
    group[0].put_twin(make_twin("t0"));
    group[1].put_twin(make_twin("t1"));
    group[2].append_sample(make_sample("", "temperature", 1, 1, 1.0)); // invalid
    EXPECT_EQ(m_store->commit(std::span<const WriteBatch>(group)).error().code, core::ErrorCode::invalid_value);
    EXPECT_TRUE(load_snapshot(*m_store).value().twins.empty());

    group[2].clear();
    group[2].set_cursor("gateway-a", 3);
    ASSERT_TRUE(m_store->commit(std::span<const WriteBatch>(group)).has_value());
    EXPECT_EQ(load_snapshot(*m_store).value().twins.size(), 2U);
    EXPECT_EQ(m_store->cursor("gateway-a").value(), std::optional<std::uint64_t>(3));
}

TEST_F(StoreRecords, CursorsPersistAcrossReopenAndKeepTheLastWrite) {
    for (std::uint64_t sequence = 1; sequence <= 10; ++sequence) {
        WriteBatch batch;
        batch.set_cursor("gateway-a", sequence);
        commit_ok(batch);
    }
    WriteBatch other;
    other.set_cursor("gateway-b", std::numeric_limits<std::uint64_t>::max() / 2);
    commit_ok(other);
    reopen();
    EXPECT_EQ(m_store->cursor("gateway-a").value(), std::optional<std::uint64_t>(10));
    EXPECT_EQ(m_store->cursors().value(),
              (std::vector{CursorRecord{"gateway-a", 10},
                           CursorRecord{"gateway-b", std::numeric_limits<std::uint64_t>::max() / 2}}));
}

TEST_F(StoreRecords, HistoryRangeIsOrderedBySourceTimeWithHalfOpenBounds) {
    WriteBatch batch;
    // Late data: written out of event-time order, as after a gateway outage.
    for (long long second : {5, 1, 4, 2, 3, 0, 6}) {
        batch.append_sample(make_sample("room-1", "temperature", second, 100 + static_cast<std::uint64_t>(second),
                                        20.0 + static_cast<double>(second)));
    }
    batch.append_sample(make_sample("room-1", "temperature", 3, 99, 99.0)); // same time, lower sequence
    batch.append_sample(make_sample("room-2", "temperature", 3, 1, -1.0));  // other twin
    batch.append_sample(make_sample("room-1", "humidity", 3, 1, 40.0));     // other property
    commit_ok(batch);

    auto range =
        m_store->history({.twin = "room-1", .property = "temperature", .from = at_seconds(1), .to = at_seconds(5)});
    ASSERT_TRUE(range.has_value()) << range.error().to_string();
    std::vector<std::pair<TimePoint, std::uint64_t>> keys;
    for (const auto& sample : *range) {
        keys.emplace_back(sample.source_time, sample.sequence);
        EXPECT_EQ(sample.twin, "room-1");
        EXPECT_EQ(sample.property, "temperature");
    }
    const std::vector<std::pair<TimePoint, std::uint64_t>> expected{
        {at_seconds(1), 101}, {at_seconds(2), 102}, {at_seconds(3), 99}, {at_seconds(3), 103}, {at_seconds(4), 104}};
    EXPECT_EQ(keys, expected);
    EXPECT_EQ(std::get<double>((*range)[2].value), 99.0);

    auto limited = m_store->history({.twin = "room-1", .property = "temperature", .limit = 2}).value();
    ASSERT_EQ(limited.size(), 2U);
    EXPECT_EQ(limited[0].source_time, at_seconds(0));
    EXPECT_EQ(m_store->history({.twin = "room-1", .property = "temperature"}).value().size(), 8U);
    EXPECT_EQ(m_store->history_properties("room-1").value(), (std::vector<std::string>{"humidity", "temperature"}));
}

TEST_F(StoreRecords, SampleValuesKeepTheirTypeAndReplaysDoNotDuplicate) {
    const std::vector<SampleValue> values{21.25,
                                          true,
                                          std::int64_t{-7},
                                          std::string("open"),
                                          JsonText{R"({"a":[1,2]})"},
                                          std::string("{\"not\":\"json\"}")};
    WriteBatch batch;
    for (std::size_t i = 0; i < values.size(); ++i) {
        batch.append_sample(make_sample("door-1", "state", static_cast<long long>(i), 1, values[i]));
    }
    batch.append_sample(make_sample("door-1", "nan", 0, 1, std::numeric_limits<double>::quiet_NaN()));
    commit_ok(batch);
    commit_ok(batch); // a replay of the same batch: same identities, no new rows

    auto stored = m_store->history({.twin = "door-1", .property = "state"}).value();
    ASSERT_EQ(stored.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ(stored[i].value, values[i]) << "sample " << i;
    }
    auto nan = m_store->history({.twin = "door-1", .property = "nan"}).value();
    ASSERT_EQ(nan.size(), 1U);
    ASSERT_TRUE(std::holds_alternative<double>(nan[0].value));
    EXPECT_TRUE(std::isnan(std::get<double>(nan[0].value)));
}

TEST_F(StoreRecords, HistoryStaysExactWhenTheLogIsFoldedIntoTheArchive) {
    // Enough samples in one batch to make the commit fold the log (100k rows) into the
    // archive; then replays of folded samples, and a replay of a replay, land in the log.
    WriteBatch bulk;
    bulk.reserve(100'000);
    for (int twin = 0; twin < 100; ++twin) {
        for (int second = 0; second < 1000; ++second) {
            bulk.append_sample(make_sample("room-" + std::to_string(twin), "temperature", second,
                                           static_cast<std::uint64_t>(second), static_cast<double>(second)));
        }
    }
    commit_ok(bulk);
    WriteBatch replay;
    for (int second = 0; second < 10; ++second) {
        replay.append_sample(make_sample("room-0", "temperature", second, static_cast<std::uint64_t>(second), -1.0));
    }
    replay.append_sample(make_sample("room-0", "temperature", 1000, 1000, 1000.0));
    commit_ok(replay);
    WriteBatch again;
    again.append_sample(make_sample("room-0", "temperature", 5, 5, -2.0));
    commit_ok(again);

    for (int round = 0; round < 2; ++round) {
        auto all = m_store->history({.twin = "room-0", .property = "temperature"}).value();
        ASSERT_EQ(all.size(), 1001U);
        for (std::size_t i = 0; i < all.size(); ++i) {
            EXPECT_EQ(all[i].source_time, at_seconds(static_cast<long long>(i)));
            const double expected = i == 5 ? -2.0 : i < 10 ? -1.0 : static_cast<double>(i);
            EXPECT_EQ(std::get<double>(all[i].value), expected) << "second " << i;
        }
        auto first = m_store->history({.twin = "room-0", .property = "temperature", .limit = 3}).value();
        ASSERT_EQ(first.size(), 3U);
        EXPECT_EQ(std::get<double>(first[2].value), -1.0);
        EXPECT_EQ(
            m_store->history({.twin = "room-99", .property = "temperature", .from = at_seconds(990)}).value().size(),
            10U);
        reopen();
    }
}

TEST_F(StoreRecords, ReopenAfterManyCommitsSeesEveryOne) {
    constexpr int k_commits = 500;
    for (int i = 0; i < k_commits; ++i) {
        WriteBatch batch;
        batch.put_twin(make_twin("twin-" + std::to_string(i % 50), static_cast<std::uint64_t>(i)));
        batch.append_sample(make_sample("twin-0", "counter", i, static_cast<std::uint64_t>(i), std::int64_t{i}));
        batch.set_cursor("gateway-a", static_cast<std::uint64_t>(i));
        commit_ok(batch);
    }
    reopen();
    reopen(StoreOptions{.read_only = true});
    auto snapshot = load_snapshot(*m_store).value();
    ASSERT_EQ(snapshot.twins.size(), 50U);
    EXPECT_EQ(snapshot.twins[0].version, 450U); // twin-0's last write
    EXPECT_EQ(snapshot.cursors, (std::vector{CursorRecord{"gateway-a", k_commits - 1}}));
    auto history = m_store->history({.twin = "twin-0", .property = "counter"}).value();
    ASSERT_EQ(history.size(), static_cast<std::size_t>(k_commits));
    EXPECT_EQ(std::get<std::int64_t>(history.back().value), k_commits - 1);
}

TEST_F(StoreRecords, OneStoreObjectServesSeveralThreads) {
    constexpr int k_commits = 100;
    std::vector<std::thread> threads;
    for (int writer = 0; writer < 2; ++writer) {
        threads.emplace_back([this, writer] {
            for (int i = 0; i < k_commits; ++i) {
                WriteBatch batch;
                const std::string twin = "w" + std::to_string(writer);
                batch.put_twin(make_twin(twin, static_cast<std::uint64_t>(i)));
                batch.append_sample(make_sample(twin, "n", i, static_cast<std::uint64_t>(i), std::int64_t{i}));
                EXPECT_TRUE(m_store->commit(batch).has_value());
            }
        });
    }
    threads.emplace_back([this] {
        for (int i = 0; i < k_commits; ++i) {
            EXPECT_TRUE(m_store->history({.twin = "w0", .property = "n"}).has_value());
            EXPECT_TRUE(load_snapshot(*m_store).has_value());
        }
    });
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(m_store->get_twin("w1").value().version, static_cast<std::uint64_t>(k_commits - 1));
    EXPECT_EQ(m_store->history({.twin = "w0", .property = "n"}).value().size(), static_cast<std::size_t>(k_commits));
}

TEST_F(StoreRecords, LoadAllStreamsOnlyTheKindsAsked) {
    WriteBatch batch;
    batch.put_model({"dtmi:m;1", "{}", at_seconds(0), false});
    batch.put_twin(make_twin("x"));
    commit_ok(batch);
    std::size_t twins = 0;
    LoadSink sink;
    sink.on_twin = [&twins](TwinRecord&&) { ++twins; };
    auto counts = m_store->load_all(sink);
    ASSERT_TRUE(counts.has_value());
    EXPECT_EQ(twins, 1U);
    EXPECT_EQ(counts->twins, 1U);
    EXPECT_EQ(counts->models, 0U); // no callback: not read
}

} // namespace
} // namespace dtwin::store::testing
