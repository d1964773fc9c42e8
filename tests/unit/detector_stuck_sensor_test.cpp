// Stuck sensor (core/detectors/stuck_sensor.hpp): runs of equal values, the epsilon band
// around the run's first value, repeats and late samples.
#include "core/detectors/stuck_sensor.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cstddef>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>
#include <vector>

using namespace dtwin::core;
using namespace dtwin::core::detectors;
using namespace std::chrono_literals;

namespace {

const TimePoint k_start = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};

struct Step {
    double value;
    std::size_t run_length;
    bool active;
    bool changed;
};

void expect_steps(StuckSensor& detector, const std::vector<Step>& steps) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto verdict = detector.update(steps[i].value, k_start + static_cast<long>(i) * 5s);
        EXPECT_EQ(verdict.use, SampleUse::used) << "step " << i;
        EXPECT_EQ(verdict.run_length, steps[i].run_length) << "step " << i;
        EXPECT_EQ(verdict.active, steps[i].active) << "step " << i;
        EXPECT_EQ(verdict.changed, steps[i].changed) << "step " << i;
    }
}

TEST(StuckSensor, FiresAtTheNthEqualSampleAndClearsAtTheFirstChange) {
    StuckSensor detector({.min_samples = 5, .epsilon = 0.0});
    expect_steps(detector, {
                               {1.0, 1, false, false},
                               {2.0, 1, false, false},
                               {3.0, 1, false, false},
                               {3.0, 2, false, false},
                               {3.0, 3, false, false},
                               {3.0, 4, false, false},
                               {3.0, 5, true, true}, // the fifth 3.0
                               {3.0, 6, true, false},
                               {4.0, 1, false, true},
                           });
    EXPECT_EQ(detector.run_started_at(), k_start + 40s);
}

TEST(StuckSensor, EpsilonIsMeasuredFromTheRunsFirstValueSoADriftIsNotFlat) {
    StuckSensor detector({.min_samples = 4, .epsilon = 0.5});
    expect_steps(detector, {
                               {10.0, 1, false, false},
                               {10.4, 2, false, false},
                               {9.6, 3, false, false},
                               {10.5, 4, true, true}, // |10.5 - 10| = 0.5: still in the band
                               {10.2, 5, true, false},
                               {11.0, 1, false, true},
                           });
    // A drift of 0.3 per sample: every step is within 0.5 of the previous one, but every
    // other one leaves the band of its run's first value, so no run gets past 2.
    StuckSensor drifting({.min_samples = 4, .epsilon = 0.5});
    expect_steps(drifting, {
                               {10.0, 1, false, false},
                               {10.3, 2, false, false},
                               {10.6, 1, false, false},
                               {10.9, 2, false, false},
                               {11.2, 1, false, false},
                               {11.5, 2, false, false},
                           });
}

TEST(StuckSensor, DefaultsNeedSixtyEqualSamples) {
    StuckSensor detector; // 60 samples, epsilon 0
    for (int i = 0; i < 59; ++i) {
        EXPECT_FALSE(detector.update(612.0, k_start + i * 5s).active) << i;
    }
    const auto verdict = detector.update(612.0, k_start + 59 * 5s);
    EXPECT_TRUE(verdict.active);
    EXPECT_TRUE(verdict.changed);
    EXPECT_EQ(verdict.run_length, 60U);
    EXPECT_EQ(detector.run_started_at(), k_start);
}

TEST(StuckSensor, RepeatsLateAndNonFiniteSamplesDoNotLengthenTheRun) {
    StuckSensor detector({.min_samples = 3});
    detector.update(7.0, k_start + 10s);
    auto verdict = detector.update(7.0, k_start + 10s); // redelivered: same instant
    EXPECT_EQ(verdict.use, SampleUse::ignored_not_newer);
    EXPECT_EQ(verdict.run_length, 1U);
    EXPECT_EQ(detector.update(7.0, k_start + 5s).use, SampleUse::ignored_not_newer);
    EXPECT_EQ(detector.update(std::numeric_limits<double>::quiet_NaN(), k_start + 11s).use,
              SampleUse::ignored_not_finite);
    verdict = detector.update(7.0, k_start + 15s);
    EXPECT_EQ(verdict.run_length, 2U);
    EXPECT_FALSE(verdict.active);
    verdict = detector.update(7.0, k_start + 20s);
    EXPECT_TRUE(verdict.active);
    // An ignored sample reports the state as it stands.
    verdict = detector.update(8.0, k_start + 20s);
    EXPECT_EQ(verdict.use, SampleUse::ignored_not_newer);
    EXPECT_TRUE(verdict.active);
    EXPECT_FALSE(verdict.changed);

    detector.reset();
    EXPECT_FALSE(detector.active());
    EXPECT_FALSE(detector.run_started_at().has_value());
}

TEST(StuckSensor, RejectsARunOfOneAndABadEpsilon) {
    const auto rejects = [](StuckSensorParameters parameters, const char* field) {
        const auto result = validate(parameters);
        ASSERT_FALSE(result.has_value()) << field;
        EXPECT_EQ(result.error().where, field);
        EXPECT_THROW(StuckSensor{parameters}, std::invalid_argument);
    };
    rejects({.min_samples = 1}, "min_samples");
    rejects({.min_samples = 0}, "min_samples");
    rejects({.epsilon = -0.1}, "epsilon");
    rejects({.epsilon = std::numeric_limits<double>::quiet_NaN()}, "epsilon");
    EXPECT_TRUE(validate(StuckSensorParameters{.min_samples = 2, .epsilon = 1.0}).has_value());
}

} // namespace
