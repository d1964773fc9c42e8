// Alert lifecycle (core/alerts/alert_tracker.hpp): pending/firing/resolved, the for_duration
// boundary, repeats and acknowledgement, new instances, late and out-of-order samples,
// silences, persistence snapshots.
#include "core/alerts/alert_tracker.hpp"
#include "core/time.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <stdexcept>
#include <vector>

using namespace dtwin::core;
using namespace dtwin::core::alerts;
using namespace std::chrono_literals;

namespace {

const TimePoint k_t0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1} + 12h;

AlertTracker door_slam(AlertPolicy policy = {}) {
    return AlertTracker({"door", "slam"}, policy);
}

int notifications(const std::vector<AlertTransition>& transitions) {
    int count = 0;
    for (const auto& transition : transitions) {
        count += transition.notify ? 1 : 0;
    }
    return count;
}

void append(std::vector<AlertTransition>& all, std::vector<AlertTransition> more) {
    for (auto& transition : more) {
        all.push_back(std::move(transition));
    }
}

TEST(AlertState, NamesRoundTrip) {
    for (auto state : {AlertState::inactive, AlertState::pending, AlertState::firing, AlertState::resolved}) {
        EXPECT_EQ(parse_alert_state(alert_state_name(state)), state);
    }
    EXPECT_EQ(alert_state_name(AlertState::firing), "firing");
    EXPECT_FALSE(parse_alert_state("active").has_value());
    EXPECT_EQ(transition_reason_name(TransitionReason::silenced), "silenced");
}

TEST(AlertPolicy, RejectsNegativeForAndNonPositiveRepeat) {
    EXPECT_TRUE(validate(AlertPolicy{}).has_value());
    const auto negative = validate(AlertPolicy{.for_duration = -1us});
    ASSERT_FALSE(negative.has_value());
    EXPECT_EQ(negative.error().where, "for_duration");
    const auto zero_repeat = validate(AlertPolicy{.repeat_interval = 0s});
    ASSERT_FALSE(zero_repeat.has_value());
    EXPECT_EQ(zero_repeat.error().where, "repeat_interval");
    EXPECT_THROW(door_slam({.repeat_interval = -5s}), std::invalid_argument);
}

// A slam is one sample over the threshold, then one under it.
TEST(AlertTracker, ASlamFiresOnceAndResolvesOnce) {
    struct Case {
        bool notify_resolved;
        bool resolve_notifies;
    };
    for (const Case c : {Case{false, false}, Case{true, true}}) {
        SCOPED_TRACE(c.notify_resolved);
        auto tracker = door_slam({.notify_resolved = c.notify_resolved});
        const auto fired = tracker.on_condition(true, k_t0, k_t0 + 5ms, {{"angularSpeed", -80.2}});
        ASSERT_EQ(fired.size(), 1U);
        EXPECT_EQ(fired[0].from, AlertState::inactive);
        EXPECT_EQ(fired[0].to, AlertState::firing);
        EXPECT_EQ(fired[0].reason, TransitionReason::fired);
        EXPECT_TRUE(fired[0].notify);
        EXPECT_EQ(fired[0].instance, 1U);
        EXPECT_EQ(fired[0].started_at, k_t0);
        EXPECT_EQ(fired[0].fired_at, k_t0);
        EXPECT_EQ(fired[0].lateness, 5ms);
        EXPECT_EQ(fired[0].values.at("angularSpeed").as_double(), -80.2);

        const auto resolved = tracker.on_condition(false, k_t0 + 50ms, k_t0 + 55ms);
        ASSERT_EQ(resolved.size(), 1U);
        EXPECT_EQ(resolved[0].from, AlertState::firing);
        EXPECT_EQ(resolved[0].to, AlertState::resolved);
        EXPECT_EQ(resolved[0].reason, TransitionReason::resolved);
        EXPECT_EQ(resolved[0].notify, c.resolve_notifies);
        EXPECT_EQ(resolved[0].resolved_at, k_t0 + 50ms);
        EXPECT_EQ(resolved[0].instance, 1U);
        EXPECT_EQ(tracker.state(), AlertState::resolved);
        EXPECT_FALSE(tracker.next_deadline().has_value());
    }
}

TEST(AlertTracker, NoRepeatWhileItPersists) {
    auto tracker = door_slam();
    std::vector<AlertTransition> all;
    for (int i = 0; i < 100; ++i) {
        append(all, tracker.on_condition(true, k_t0 + i * 100ms, k_t0 + i * 100ms));
        append(all, tracker.on_timer(k_t0 + i * 100ms + 50ms));
    }
    EXPECT_EQ(all.size(), 1U);
    EXPECT_EQ(notifications(all), 1);
    EXPECT_FALSE(tracker.next_deadline().has_value());
}

TEST(AlertTracker, AConditionFlappingWithinForDurationNeverFires) {
    auto tracker = door_slam({.for_duration = 10s});
    // (offset, holds): each run of true is shorter than 10 s; the timer runs in between.
    const std::vector<std::pair<std::chrono::microseconds, bool>> trace = {
        {0s, true}, {5s, false}, {6s, true}, {15s, false}, {16s, true}, {26s - 1us, false}, {27s, false}};
    std::vector<AlertTransition> all;
    for (const auto& [offset, holds] : trace) {
        append(all, tracker.on_condition(holds, k_t0 + offset, k_t0 + offset));
        append(all, tracker.on_timer(k_t0 + offset + 1ms));
    }
    EXPECT_EQ(notifications(all), 0);
    for (const auto& transition : all) {
        EXPECT_NE(transition.to, AlertState::firing);
        EXPECT_FALSE(transition.notify);
    }
    ASSERT_EQ(all.size(), 6U); // three started, three cleared
    EXPECT_EQ(all[1].reason, TransitionReason::cleared);
    EXPECT_EQ(all[1].to, AlertState::inactive);
    EXPECT_EQ(all[5].instance, 3U);
    EXPECT_EQ(tracker.state(), AlertState::inactive);
    EXPECT_FALSE(tracker.next_deadline().has_value());
}

TEST(AlertTracker, HoldingExactlyForDurationFiresAtThatInstantByTimer) {
    auto tracker = door_slam({.for_duration = 10s});
    const auto started = tracker.on_condition(true, k_t0, k_t0);
    ASSERT_EQ(started.size(), 1U);
    EXPECT_EQ(started[0].to, AlertState::pending);
    EXPECT_FALSE(started[0].notify);
    EXPECT_EQ(tracker.next_deadline(), k_t0 + 10s);

    EXPECT_TRUE(tracker.on_timer(k_t0 + 10s - 1us).empty());
    const auto fired = tracker.on_timer(k_t0 + 10s);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].from, AlertState::pending);
    EXPECT_EQ(fired[0].to, AlertState::firing);
    EXPECT_TRUE(fired[0].notify);
    EXPECT_EQ(fired[0].started_at, k_t0);
    EXPECT_EQ(fired[0].fired_at, k_t0 + 10s);
    EXPECT_EQ(fired[0].event_time, k_t0 + 10s);
    EXPECT_EQ(fired[0].lateness, 0us);
    EXPECT_TRUE(tracker.on_timer(k_t0 + 20s).empty()); // fired once
}

TEST(AlertTracker, ASampleAtOrAfterTheDeadlineFiresBeforeItIsApplied) {
    struct Case {
        std::chrono::microseconds false_at;
        std::vector<TransitionReason> expected;
    };
    const std::vector<Case> cases = {
        {10s - 1us, {TransitionReason::cleared}},
        {10s, {TransitionReason::fired, TransitionReason::resolved}},
        {30s, {TransitionReason::fired, TransitionReason::resolved}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.false_at.count());
        auto tracker = door_slam({.for_duration = 10s});
        tracker.on_condition(true, k_t0, k_t0, {{"co2", 2500}});
        const auto out = tracker.on_condition(false, k_t0 + c.false_at, k_t0 + c.false_at, {{"co2", 900}});
        ASSERT_EQ(out.size(), c.expected.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            EXPECT_EQ(out[i].reason, c.expected[i]);
        }
        if (out.size() == 2) {
            EXPECT_EQ(out[0].fired_at, k_t0 + 10s);
            EXPECT_EQ(out[0].values.at("co2").as_int64(), 2500); // the values that held
            EXPECT_EQ(out[1].resolved_at, k_t0 + c.false_at);
            EXPECT_EQ(out[1].values.at("co2").as_int64(), 900);
        }
    }
}

TEST(AlertTracker, RepeatIntervalRenotifiesWhileFiringButNotAfterAck) {
    auto tracker = door_slam({.repeat_interval = 60s});
    ASSERT_EQ(notifications(tracker.on_condition(true, k_t0, k_t0)), 1);
    EXPECT_EQ(tracker.next_deadline(), k_t0 + 60s);
    EXPECT_TRUE(tracker.on_timer(k_t0 + 59s).empty());

    const auto first = tracker.on_timer(k_t0 + 60s);
    ASSERT_EQ(first.size(), 1U);
    EXPECT_EQ(first[0].reason, TransitionReason::repeated);
    EXPECT_EQ(first[0].from, AlertState::firing);
    EXPECT_EQ(first[0].to, AlertState::firing);
    EXPECT_TRUE(first[0].notify);
    EXPECT_EQ(first[0].fired_at, k_t0);
    EXPECT_EQ(tracker.next_deadline(), k_t0 + 120s);

    // A sample that still holds after the interval repeats as well (timer not yet run).
    const auto by_sample = tracker.on_condition(true, k_t0 + 125s, k_t0 + 125s);
    ASSERT_EQ(by_sample.size(), 1U);
    EXPECT_EQ(by_sample[0].reason, TransitionReason::repeated);

    const auto ack = tracker.acknowledge(1, k_t0 + 130s);
    ASSERT_TRUE(ack.has_value()) << ack.error().to_string();
    EXPECT_EQ(ack->reason, TransitionReason::acknowledged);
    EXPECT_EQ(ack->to, AlertState::firing);
    EXPECT_FALSE(ack->notify);
    EXPECT_TRUE(ack->acknowledged);
    EXPECT_TRUE(tracker.acknowledged());
    EXPECT_FALSE(tracker.next_deadline().has_value());
    EXPECT_TRUE(tracker.on_timer(k_t0 + 1h).empty());
    EXPECT_TRUE(tracker.on_condition(true, k_t0 + 2h, k_t0 + 2h).empty());
    EXPECT_EQ(tracker.state(), AlertState::firing);
}

TEST(AlertTracker, ALateTimerRepeatsOnceNotOncePerMissedInterval) {
    auto tracker = door_slam({.repeat_interval = 10s});
    tracker.on_condition(true, k_t0, k_t0);
    EXPECT_EQ(tracker.on_timer(k_t0 + 95s).size(), 1U);
    EXPECT_EQ(tracker.next_deadline(), k_t0 + 105s);
}

TEST(AlertTracker, AcknowledgeNeedsTheCurrentFiringInstanceOnce) {
    auto tracker = door_slam({.for_duration = 1s});
    tracker.on_condition(true, k_t0, k_t0);
    const auto pending = tracker.acknowledge(1, k_t0);
    ASSERT_FALSE(pending.has_value());
    EXPECT_EQ(pending.error().code, ErrorCode::precondition_failed);
    EXPECT_EQ(pending.error().where, "door/slam/1");

    tracker.on_timer(k_t0 + 1s);
    EXPECT_FALSE(tracker.acknowledge(2, k_t0 + 2s).has_value()); // no such instance yet
    EXPECT_TRUE(tracker.acknowledge(1, k_t0 + 2s).has_value());
    const auto twice = tracker.acknowledge(1, k_t0 + 3s);
    ASSERT_FALSE(twice.has_value());
    EXPECT_NE(twice.error().message.find("already acknowledged"), std::string::npos);
}

TEST(AlertTracker, AfterResolveANewTrueStartsANewInstanceThatFiresAgain) {
    auto tracker = door_slam({.repeat_interval = 60s});
    tracker.on_condition(true, k_t0, k_t0);
    ASSERT_TRUE(tracker.acknowledge(1, k_t0 + 1s).has_value());
    tracker.on_condition(false, k_t0 + 2s, k_t0 + 2s);
    EXPECT_EQ(tracker.state(), AlertState::resolved);

    const auto again = tracker.on_condition(true, k_t0 + 10s, k_t0 + 10s);
    ASSERT_EQ(again.size(), 1U);
    EXPECT_EQ(again[0].from, AlertState::resolved);
    EXPECT_EQ(again[0].to, AlertState::firing);
    EXPECT_TRUE(again[0].notify);
    EXPECT_EQ(again[0].instance, 2U);
    EXPECT_EQ(again[0].started_at, k_t0 + 10s);
    EXPECT_FALSE(again[0].resolved_at.has_value());
    EXPECT_FALSE(again[0].acknowledged); // the ack was for instance 1
    EXPECT_EQ(tracker.next_deadline(), k_t0 + 70s);
}

// A slam during a gateway outage arrives with the backlog an hour later.
TEST(AlertTracker, ABacklogSampleFiresWithItsEventTimeAndLateness) {
    auto slam = door_slam();
    const auto fired = slam.on_condition(true, k_t0, k_t0 + 1h);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].event_time, k_t0);
    EXPECT_EQ(fired[0].fired_at, k_t0);
    EXPECT_EQ(fired[0].report_time, k_t0 + 1h);
    EXPECT_EQ(fired[0].lateness, 1h);

    // With a for duration, the backlog's samples decide: it held from 0 s to 3 s.
    auto co2 = AlertTracker({"room1", "co2-high"}, {.for_duration = 2s, .repeat_interval = 10min});
    const TimePoint arrival = k_t0 + 1h;
    std::vector<AlertTransition> all;
    for (const auto& [offset, holds] :
         std::vector<std::pair<std::chrono::microseconds, bool>>{{0s, true}, {1s, true}, {3s, true}, {4s, false}}) {
        append(all, co2.on_condition(holds, k_t0 + offset, arrival));
    }
    ASSERT_EQ(all.size(), 3U); // started, fired, resolved
    EXPECT_EQ(all[1].reason, TransitionReason::fired);
    EXPECT_EQ(all[1].fired_at, k_t0 + 2s);
    EXPECT_EQ(all[1].lateness, 1h - 2s);
    EXPECT_EQ(notifications(all), 1);
    EXPECT_EQ(all[2].resolved_at, k_t0 + 4s);
}

TEST(AlertTracker, ABacklogFireRepeatsAfterTheIntervalFromWhenItWasReported) {
    auto tracker = door_slam({.repeat_interval = 10min});
    tracker.on_condition(true, k_t0, k_t0 + 1h);
    EXPECT_EQ(tracker.next_deadline(), k_t0 + 1h + 10min);
    EXPECT_TRUE(tracker.on_timer(k_t0 + 1h + 1s).empty());
}

TEST(AlertTracker, AnOlderSampleIsIgnoredAndOneAtTheSameInstantApplies) {
    auto tracker = door_slam();
    tracker.on_condition(true, k_t0 + 10s, k_t0 + 10s);
    EXPECT_TRUE(tracker.on_condition(false, k_t0 + 5s, k_t0 + 11s).empty());
    EXPECT_EQ(tracker.ignored_samples(), 1U);
    EXPECT_EQ(tracker.state(), AlertState::firing);

    const auto same = tracker.on_condition(false, k_t0 + 10s, k_t0 + 12s);
    ASSERT_EQ(same.size(), 1U);
    EXPECT_EQ(same[0].to, AlertState::resolved);
    EXPECT_EQ(tracker.ignored_samples(), 1U);
}

TEST(AlertTracker, AnOlderSampleCannotReopenAResolvedAlert) {
    auto tracker = door_slam();
    tracker.on_condition(true, k_t0, k_t0);
    tracker.on_condition(false, k_t0 + 1s, k_t0 + 1s);
    EXPECT_TRUE(tracker.on_condition(true, k_t0 + 500ms, k_t0 + 2s).empty());
    EXPECT_EQ(tracker.state(), AlertState::resolved);
    EXPECT_EQ(tracker.instance(), 1U);
}

TEST(AlertTracker, ASampleStampedBeforeATimerFireResolvesNoEarlierThanItFired) {
    auto tracker = door_slam({.for_duration = 10s});
    tracker.on_condition(true, k_t0, k_t0);
    tracker.on_timer(k_t0 + 10s);
    const auto out = tracker.on_condition(false, k_t0 + 9s, k_t0 + 10s + 200ms); // source clock lags
    ASSERT_EQ(out.size(), 1U);
    EXPECT_EQ(out[0].resolved_at, k_t0 + 10s);
    EXPECT_EQ(out[0].fired_at, k_t0 + 10s);
}

TEST(AlertTracker, ASilenceSuppressesNotificationsButNotStateChanges) {
    Silences silences;
    ASSERT_TRUE(
        silences.add({.twin_pattern = "door", .rule_pattern = "*", .from = k_t0, .until = k_t0 + 1h}).has_value());
    auto tracker = door_slam({.repeat_interval = 20min, .notify_resolved = true});

    auto fired = tracker.on_condition(true, k_t0 + 10s, k_t0 + 10s, {}, silences);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].to, AlertState::firing);
    EXPECT_FALSE(fired[0].notify);
    EXPECT_EQ(fired[0].reason, TransitionReason::silenced);
    EXPECT_EQ(tracker.state(), AlertState::firing);

    auto repeat_in_window = tracker.on_timer(k_t0 + 20min + 10s, silences);
    ASSERT_EQ(repeat_in_window.size(), 1U);
    EXPECT_EQ(repeat_in_window[0].reason, TransitionReason::silenced);
    EXPECT_FALSE(repeat_in_window[0].notify);

    auto repeat_after = tracker.on_timer(k_t0 + 1h + 1min, silences); // window over
    ASSERT_EQ(repeat_after.size(), 1U);
    EXPECT_EQ(repeat_after[0].reason, TransitionReason::repeated);
    EXPECT_TRUE(repeat_after[0].notify);

    auto resolved = tracker.on_condition(false, k_t0 + 1h + 2min, k_t0 + 1h + 2min, {}, silences);
    ASSERT_EQ(resolved.size(), 1U);
    EXPECT_TRUE(resolved[0].notify);
    EXPECT_EQ(resolved[0].reason, TransitionReason::resolved);

    // Another twin, the same window: not silenced.
    auto other = AlertTracker({"door2", "slam"}, {});
    EXPECT_TRUE(other.on_condition(true, k_t0 + 10s, k_t0 + 10s, {}, silences)[0].notify);
}

TEST(AlertTracker, ASilenceAppliesByEventTimeToBacklogs) {
    Silences silences;
    ASSERT_TRUE(
        silences.add({.twin_pattern = "*", .rule_pattern = "slam", .from = k_t0, .until = k_t0 + 1h}).has_value());
    auto during = door_slam();
    const auto late = during.on_condition(true, k_t0 + 30min, k_t0 + 2h, {}, silences); // reported after
    ASSERT_EQ(late.size(), 1U);
    EXPECT_FALSE(late[0].notify);
    EXPECT_EQ(late[0].lateness, 90min);

    auto before = door_slam();
    EXPECT_TRUE(before.on_condition(true, k_t0 - 1s, k_t0 + 30min, {}, silences)[0].notify);
}

TEST(AlertTracker, ARestoredTrackerContinuesTheInstance) {
    auto original = door_slam({.for_duration = 5s});
    original.on_condition(true, k_t0, k_t0, {{"angle", 12}});
    const AlertSnapshot saved = original.snapshot();
    EXPECT_EQ(saved.state, AlertState::pending);
    EXPECT_EQ(saved.instance, 1U);

    AlertTracker restored({"door", "slam"}, {.for_duration = 5s}, saved);
    EXPECT_EQ(restored.next_deadline(), k_t0 + 5s);
    EXPECT_TRUE(restored.on_condition(true, k_t0 - 1s, k_t0 + 1s).empty()); // order survives
    const auto fired = restored.on_timer(k_t0 + 6s);
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired[0].instance, 1U);
    EXPECT_EQ(fired[0].fired_at, k_t0 + 5s);
    EXPECT_EQ(fired[0].lateness, 1s);
    EXPECT_EQ(fired[0].values.at("angle").as_int64(), 12);
}

} // namespace
