// History retention: prune_history deletes old samples from the folded archive and from the
// not-yet-folded log alike, counts each sample once, and leaves history reads, later folds
// and reopens consistent.
#include "store_test_support.hpp"

#include <string>

namespace dtwin::store::testing {
namespace {

constexpr int k_twins = 100;
constexpr int k_seconds = 1000; // k_twins * k_seconds = 100k samples: one commit folds them

class StoreRetention : public StoreFixture {
protected:
    std::uint64_t prune_ok(TimePoint before) {
        auto pruned = m_store->prune_history(before);
        EXPECT_TRUE(pruned.has_value()) << pruned.error().to_string();
        return pruned.value_or(0);
    }
    /// k_seconds seconds of "temperature" from `first_second` on, for room-0..room-99, each
    /// valued its second: big enough that its commit folds the log into the archive.
    void commit_bulk(long long first_second) {
        WriteBatch bulk;
        bulk.reserve(static_cast<std::size_t>(k_twins) * k_seconds);
        for (int twin = 0; twin < k_twins; ++twin) {
            for (long long second = first_second; second < first_second + k_seconds; ++second) {
                bulk.append_sample(make_sample("room-" + std::to_string(twin), "temperature", second,
                                               static_cast<std::uint64_t>(second), static_cast<double>(second)));
            }
        }
        commit_ok(bulk);
    }
    std::vector<HistorySample> history_of(const std::string& twin, const std::string& property) {
        auto samples = m_store->history({.twin = twin, .property = property});
        EXPECT_TRUE(samples.has_value()) << samples.error().to_string();
        return samples.value_or(std::vector<HistorySample>{});
    }

};

/// The seconds of `samples`, in order.
std::vector<long long> seconds_of(const std::vector<HistorySample>& samples) {
    std::vector<long long> seconds;
    for (const auto& sample : samples) {
        seconds.push_back((sample.source_time - at_seconds(0)) / std::chrono::seconds(1));
    }
    return seconds;
}

std::vector<long long> range(long long first, long long end) {
    std::vector<long long> seconds;
    for (long long second = first; second < end; ++second) {
        seconds.push_back(second);
    }
    return seconds;
}

TEST_F(StoreRetention, PrunesTheArchiveAndTheLogAndCountsEachSampleOnce) {
    commit_bulk(0);    // seconds 0..999 of every room, folded into the archive
    WriteBatch recent; // stays in the log
    // A replay of a folded sample: its identity is in the archive AND in the log.
    recent.append_sample(make_sample("room-0", "temperature", 5, 5, -5.0));
    // A log-only old sample, written twice (a replay before the fold): one sample.
    recent.append_sample(make_sample("room-0", "humidity", 10, 10, 40.0));
    recent.append_sample(make_sample("room-0", "humidity", 10, 10, 41.0));
    // Log-only samples after the cut, one of them exactly at it.
    for (long long second = 500; second < 510; ++second) {
        recent.append_sample(make_sample("room-0", "humidity", second, static_cast<std::uint64_t>(second), 50.0));
    }
    recent.append_sample(make_sample("room-0", "temperature", 1000, 1000, 1000.0));
    commit_ok(recent);

    // Archive: 100 rooms * seconds 0..499; log: the humidity sample at second 10.
    EXPECT_EQ(prune_ok(at_seconds(500)), static_cast<std::uint64_t>(k_twins) * 500 + 1);

    EXPECT_EQ(seconds_of(history_of("room-0", "temperature")), range(500, 1001));
    EXPECT_EQ(seconds_of(history_of("room-0", "humidity")), range(500, 510));
    EXPECT_EQ(seconds_of(history_of("room-99", "temperature")), range(500, 1000));
    auto before_cut = m_store->history({.twin = "room-1", .property = "temperature", .to = at_seconds(500)});
    ASSERT_TRUE(before_cut.has_value());
    EXPECT_TRUE(before_cut->empty());
    // The sample at the cut keeps its value (the archive's, not a pruned replay's).
    EXPECT_EQ(std::get<double>(history_of("room-0", "temperature").front().value), 500.0);
}

TEST_F(StoreRetention, PruningAgainDeletesNothing) {
    commit_bulk(0);
    WriteBatch recent;
    recent.append_sample(make_sample("room-0", "humidity", 1, 1, 40.0));
    commit_ok(recent);

    EXPECT_EQ(prune_ok(at_seconds(100)), static_cast<std::uint64_t>(k_twins) * 100 + 1);
    EXPECT_EQ(prune_ok(at_seconds(100)), 0U);
    EXPECT_EQ(prune_ok(at_seconds(50)), 0U);
    EXPECT_EQ(history_of("room-7", "temperature").size(), static_cast<std::size_t>(k_seconds - 100));
}

TEST_F(StoreRetention, PrunedSamplesStayGoneThroughTheNextFoldAndReopen) {
    // Samples in the log that are older than the cut must not come back when the log is
    // folded later.
    WriteBatch logged;
    for (long long second = 0; second < 20; ++second) {
        logged.append_sample(make_sample("room-0", "temperature", second, static_cast<std::uint64_t>(second), 1.0));
    }
    commit_ok(logged);
    EXPECT_EQ(prune_ok(at_seconds(10)), 10U);

    commit_bulk(2000); // folds the log, including what the prune left of it
    EXPECT_EQ(seconds_of(history_of("room-0", "temperature")).front(), 10);
    EXPECT_EQ(history_of("room-0", "temperature").size(), static_cast<std::size_t>(10 + k_seconds));
    reopen();
    EXPECT_EQ(history_of("room-0", "temperature").size(), static_cast<std::size_t>(10 + k_seconds));
    // Everything is folded now: the second prune meets the archive only.
    EXPECT_EQ(prune_ok(at_seconds(2000)), 10U);
    EXPECT_EQ(seconds_of(history_of("room-0", "temperature")), range(2000, 2000 + k_seconds));
}

TEST_F(StoreRetention, SamplesCommittedAfterThePruneAreKeptEvenIfOld) {
    WriteBatch batch;
    batch.append_sample(make_sample("door-1", "open", 1, 1, true));
    commit_ok(batch);
    EXPECT_EQ(prune_ok(at_seconds(100)), 1U);
    EXPECT_TRUE(history_of("door-1", "open").empty());

    WriteBatch late;
    late.append_sample(make_sample("door-1", "open", 2, 2, false));
    commit_ok(late);
    ASSERT_EQ(history_of("door-1", "open").size(), 1U);
    EXPECT_EQ(history_of("door-1", "open").front().value, SampleValue(false));
}

TEST_F(StoreRetention, PropertiesWithoutSamplesLeftAreNoLongerListed) {
    WriteBatch batch;
    batch.append_sample(make_sample("room-1", "temperature", 1, 1, 20.0));
    batch.append_sample(make_sample("room-1", "humidity", 1, 1, 40.0));
    batch.append_sample(make_sample("room-1", "humidity", 200, 2, 41.0));
    commit_ok(batch);
    EXPECT_EQ(prune_ok(at_seconds(100)), 2U);
    EXPECT_EQ(m_store->history_properties("room-1").value(), std::vector<std::string>{"humidity"});

    // The property comes back with its next sample (its series was kept).
    WriteBatch again;
    again.append_sample(make_sample("room-1", "temperature", 300, 3, 22.0));
    commit_ok(again);
    EXPECT_EQ(m_store->history_properties("room-1").value(), (std::vector<std::string>{"humidity", "temperature"}));
    EXPECT_EQ(seconds_of(history_of("room-1", "temperature")), std::vector<long long>{300});
}

TEST_F(StoreRetention, AnEmptyStorePrunesNothing) {
    EXPECT_EQ(prune_ok(at_seconds(0)), 0U);
    EXPECT_EQ(prune_ok(TimePoint::max()), 0U);
}

TEST_F(StoreRetention, AReadOnlyStoreRefusesAndKeepsItsHistory) {
    WriteBatch batch;
    batch.append_sample(make_sample("room-1", "temperature", 1, 1, 20.0));
    commit_ok(batch);
    reopen(StoreOptions{.read_only = true});

    auto refused = m_store->prune_history(at_seconds(100));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, core::ErrorCode::storage);
    EXPECT_NE(refused.error().message.find("read-only"), std::string::npos) << refused.error().message;
    EXPECT_EQ(refused.error().where, m_dir.db_file().string());
    EXPECT_EQ(history_of("room-1", "temperature").size(), 1U);
}

TEST_F(StoreRetention, AReaderOpenedBeforeThePruneSeesItsResult) {
    WriteBatch batch;
    batch.append_sample(make_sample("room-1", "temperature", 1, 1, 20.0));
    batch.append_sample(make_sample("room-1", "temperature", 200, 2, 21.0));
    commit_ok(batch);
    auto reader = open_or_fail(m_dir.url(), StoreOptions{.read_only = true});
    ASSERT_NE(reader, nullptr);
    ASSERT_EQ(reader->history({.twin = "room-1", .property = "temperature"}).value().size(), 2U);

    EXPECT_EQ(prune_ok(at_seconds(100)), 1U);
    auto seen = reader->history({.twin = "room-1", .property = "temperature"}).value();
    ASSERT_EQ(seen.size(), 1U);
    EXPECT_EQ(seen.front().source_time, at_seconds(200));
}

} // namespace
} // namespace dtwin::store::testing
