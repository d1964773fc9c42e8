// Threshold with hysteresis (core/detectors/threshold_hysteresis.hpp): the prototype's slam
// rule in both swing directions, hysteresis bands, ignored samples, parameters.
#include "core/detectors/threshold_hysteresis.hpp"
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
    bool active;
    bool changed;
};

// Feeds the steps every 0.5 s (the gateway's rate) and checks each verdict.
void expect_steps(ThresholdHysteresis& detector, const std::vector<Step>& steps) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const auto verdict = detector.update(steps[i].value, k_start + static_cast<long>(i) * 500ms);
        EXPECT_EQ(verdict.use, SampleUse::used) << "step " << i;
        EXPECT_EQ(verdict.active, steps[i].active) << "step " << i << " value " << steps[i].value;
        EXPECT_EQ(verdict.changed, steps[i].changed) << "step " << i << " value " << steps[i].value;
        EXPECT_EQ(detector.active(), steps[i].active) << "step " << i;
    }
}

TEST(ThresholdHysteresis, DefaultsAreThePrototypesSlamInEitherSwingDirection) {
    ThresholdHysteresis slam; // |gyro| > 65 deg/s
    expect_steps(slam, {
                           {0.0, false, false},
                           {30.0, false, false},
                           {66.0, true, true}, // slammed shut one way
                           {80.0, true, false},
                           {64.0, false, true}, // below 65: over
                           {0.0, false, false},
                           {-70.0, true, true}, // slammed the other way: caught too
                           {-90.0, true, false},
                           {-10.0, false, true},
                           {65.0, false, false}, // exactly the threshold is not above it
                           {65.5, true, true},
                           {-65.0, true, false}, // exactly the threshold does not clear either
                           {-64.9, false, true},
                       });
}

TEST(ThresholdHysteresis, AboveMissesTheOtherSwingDirectionAsOneOriginalBuildDid) {
    ThresholdHysteresis above({.direction = ThresholdDirection::above, .high = 65.0, .low = 65.0});
    expect_steps(above, {
                            {66.0, true, true},
                            {0.0, false, true},
                            {-70.0, false, false}, // gyro > 65 never sees this slam
                            {-90.0, false, false},
                        });
}

TEST(ThresholdHysteresis, BandKeepsTheStateBetweenLowAndHigh) {
    // CO2: starts above 2000 ppm, ends only below 1800 ppm.
    ThresholdHysteresis co2({.direction = ThresholdDirection::above, .high = 2000.0, .low = 1800.0});
    expect_steps(co2, {
                          {1500.0, false, false},
                          {2001.0, true, true},
                          {1900.0, true, false}, // inside the band: still high
                          {1800.0, true, false}, // low is exclusive
                          {2100.0, true, false},
                          {1799.0, false, true},
                          {1900.0, false, false}, // inside the band: still normal
                          {2000.0, false, false}, // high is exclusive
                          {2000.5, true, true},
                      });
}

TEST(ThresholdHysteresis, BelowStartsUnderLowAndEndsOverHigh) {
    ThresholdHysteresis cold({.direction = ThresholdDirection::below, .high = 15.0, .low = 10.0});
    expect_steps(cold, {
                           {20.0, false, false},
                           {9.9, true, true},
                           {12.0, true, false},
                           {15.0, true, false}, // high is exclusive
                           {15.1, false, true},
                           {10.0, false, false}, // low is exclusive
                           {9.0, true, true},
                       });
}

TEST(ThresholdHysteresis, IgnoresLateRepeatedAndNonFiniteSamples) {
    ThresholdHysteresis slam;
    const TimePoint t = k_start + 10s;
    EXPECT_TRUE(slam.update(100.0, t).active);

    // A late sample from before the slam must not clear it, nor a repeat of the instant.
    auto verdict = slam.update(0.0, t - 500ms);
    EXPECT_EQ(verdict.use, SampleUse::ignored_not_newer);
    EXPECT_TRUE(verdict.active);
    EXPECT_FALSE(verdict.changed);
    EXPECT_EQ(slam.update(0.0, t).use, SampleUse::ignored_not_newer);

    verdict = slam.update(std::numeric_limits<double>::quiet_NaN(), t + 500ms);
    EXPECT_EQ(verdict.use, SampleUse::ignored_not_finite);
    EXPECT_TRUE(verdict.active);
    EXPECT_EQ(slam.update(-std::numeric_limits<double>::infinity(), t + 600ms).use, SampleUse::ignored_not_finite);
    EXPECT_TRUE(slam.active());

    verdict = slam.update(0.0, t + 500ms); // the ignored samples did not move the clock
    EXPECT_EQ(verdict.use, SampleUse::used);
    EXPECT_FALSE(verdict.active);
    EXPECT_TRUE(verdict.changed);

    slam.reset();
    EXPECT_FALSE(slam.active());
    EXPECT_EQ(slam.update(100.0, k_start).use, SampleUse::used); // any time after reset
}

TEST(ThresholdHysteresis, RejectsInconsistentThresholds) {
    const auto rejects = [](ThresholdHysteresisParameters parameters, const char* field) {
        const auto result = validate(parameters);
        ASSERT_FALSE(result.has_value()) << field;
        EXPECT_EQ(result.error().code, ErrorCode::invalid_value);
        EXPECT_EQ(result.error().where, field);
        EXPECT_THROW(ThresholdHysteresis{parameters}, std::invalid_argument);
    };
    EXPECT_TRUE(validate(ThresholdHysteresisParameters{}).has_value());
    rejects({.direction = ThresholdDirection::above, .high = 10.0, .low = 11.0}, "low");
    rejects({.direction = ThresholdDirection::absolute, .high = 10.0, .low = -1.0}, "low");
    rejects({.high = std::numeric_limits<double>::quiet_NaN()}, "high");
    rejects({.high = 10.0, .low = -std::numeric_limits<double>::infinity()}, "low");
    EXPECT_TRUE(validate({.direction = ThresholdDirection::below, .high = 0.0, .low = -5.0}).has_value());
}

TEST(ThresholdHysteresis, DirectionNames) {
    EXPECT_EQ(parse_threshold_direction("above"), ThresholdDirection::above);
    EXPECT_EQ(parse_threshold_direction("below"), ThresholdDirection::below);
    EXPECT_EQ(parse_threshold_direction("abs"), ThresholdDirection::absolute);
    EXPECT_EQ(parse_threshold_direction("absolute"), ThresholdDirection::absolute);
    EXPECT_EQ(parse_threshold_direction("Above"), std::nullopt);
    EXPECT_EQ(threshold_direction_name(ThresholdDirection::absolute), "abs");
}

} // namespace
