// No data (core/detectors/no_data.hpp): the deadline, the half-open timeout, start-up
// grace, late samples and a backlog delivered after a silence.
#include "core/detectors/no_data.hpp"
#include "core/time.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <stdexcept>

using namespace dtwin::core;
using namespace dtwin::core::detectors;
using namespace std::chrono_literals;

namespace {

const TimePoint k_start = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};

TEST(NoData, ASourceThatNeverSendsTurnsSilentOneTimeoutAfterTheStart) {
    NoData node({.timeout = 15s}, k_start);
    EXPECT_EQ(node.deadline(), k_start + 15s);
    auto verdict = node.check(k_start + 15s - 1us);
    EXPECT_FALSE(verdict.silent);
    EXPECT_FALSE(verdict.changed);
    verdict = node.check(k_start + 15s);
    EXPECT_TRUE(verdict.silent);
    EXPECT_TRUE(verdict.changed);
    EXPECT_EQ(verdict.silent_since, k_start + 15s);
    EXPECT_FALSE(verdict.last_seen.has_value());
    EXPECT_TRUE(node.silent());
}

TEST(NoData, SamplesPushTheDeadlineAndTheFirstLateCheckFires) {
    NoData node({.timeout = 15s}, k_start);
    for (int i = 0; i < 4; ++i) { // every 5 s, as a room node
        const TimePoint t = k_start + i * 5s;
        EXPECT_EQ(node.update(t), SampleUse::used);
        EXPECT_FALSE(node.check(t).silent);
    }
    const TimePoint last = k_start + 15s;
    EXPECT_EQ(node.deadline(), last + 15s);
    EXPECT_FALSE(node.check(last + 14s).silent);

    auto verdict = node.check(last + 15s); // exactly the deadline: silent
    EXPECT_TRUE(verdict.silent);
    EXPECT_TRUE(verdict.changed);
    EXPECT_EQ(verdict.silent_since, last + 15s);
    EXPECT_EQ(verdict.last_seen, last);

    verdict = node.check(last + 60s); // still silent: no second start
    EXPECT_TRUE(verdict.silent);
    EXPECT_FALSE(verdict.changed);

    EXPECT_EQ(node.update(last + 61s), SampleUse::used);
    verdict = node.check(last + 61s);
    EXPECT_FALSE(verdict.silent);
    EXPECT_TRUE(verdict.changed);
    EXPECT_FALSE(verdict.silent_since.has_value());
}

TEST(NoData, LateAndEarlySamplesDoNotMoveTheDeadlineBack) {
    NoData node({.timeout = 10s}, k_start);
    EXPECT_EQ(node.update(k_start - 1h), SampleUse::used); // stamped before we watched
    EXPECT_EQ(node.deadline(), k_start + 10s);             // the start-up grace stands
    EXPECT_EQ(node.update(k_start + 5s), SampleUse::used);
    EXPECT_EQ(node.update(k_start + 2s), SampleUse::ignored_not_newer);
    EXPECT_EQ(node.update(k_start + 5s), SampleUse::ignored_not_newer);
    EXPECT_EQ(node.deadline(), k_start + 15s);
    EXPECT_EQ(node.last_seen(), k_start + 5s);
}

TEST(NoData, ABacklogByOldSourceTimesDoesNotEndTheSilence) {
    // Fed source times: a gateway's backlog arrives after an outage, measured long ago.
    NoData gateway({.timeout = 5s}, k_start);
    gateway.update(k_start);
    EXPECT_TRUE(gateway.check(k_start + 60s).silent);
    for (int i = 1; i <= 10; ++i) {
        gateway.update(k_start + i * 500ms); // the first 5 s of the outage, delivered now
    }
    const auto verdict = gateway.check(k_start + 60s);
    EXPECT_TRUE(verdict.silent); // newest data is still 55 s old
    EXPECT_FALSE(verdict.changed);
    EXPECT_EQ(verdict.silent_since, k_start + 10s);
}

TEST(NoData, RejectsANonPositiveTimeout) {
    EXPECT_EQ(validate(NoDataParameters{.timeout = 0s}).error().where, "timeout");
    EXPECT_FALSE(validate(NoDataParameters{.timeout = -1s}).has_value());
    EXPECT_THROW(NoData({.timeout = 0s}, k_start), std::invalid_argument);
    EXPECT_EQ(NoDataParameters{}.timeout, 15s);
}

} // namespace
