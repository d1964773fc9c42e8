// Rate of change (core/detectors/rate_of_change.hpp): rates between consecutive samples by
// source time, the strict limit, out-of-order and non-finite samples.
#include "core/detectors/rate_of_change.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>

using namespace dtwin::core;
using namespace dtwin::core::detectors;
using namespace std::chrono_literals;

namespace {

const TimePoint k_start = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};

TEST(RateOfChange, DoorAngleSwingingFasterThan65DegreesPerSecond) {
    RateOfChange detector; // |d angle / dt| > 65 deg/s
    struct Case {
        double seconds;
        double angle;
        double rate; // expected, deg/s (hand: difference / interval)
        bool anomaly;
    };
    const Case cases[] = {
        {0.5, 10.0, 20.0, false}, {1.0, 45.0, 70.0, true},  {1.5, 80.0, 70.0, true},
        {2.0, 90.0, 20.0, false}, {2.5, 50.0, -80.0, true}, {3.0, 17.5, -65.0, false}, // exactly the limit
        {5.0, 0.0, -8.75, false}, // 2 s apart: the rate is per second of source time
    };
    const auto first = detector.update(0.0, k_start);
    EXPECT_EQ(first.use, SampleUse::used);
    EXPECT_FALSE(first.rate_per_second.has_value());
    EXPECT_FALSE(first.is_anomaly);
    for (const auto& c : cases) {
        const auto at =
            k_start + std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::duration<double>(c.seconds));
        const auto verdict = detector.update(c.angle, at);
        ASSERT_TRUE(verdict.rate_per_second.has_value()) << c.seconds;
        EXPECT_DOUBLE_EQ(*verdict.rate_per_second, c.rate) << c.seconds;
        EXPECT_EQ(verdict.is_anomaly, c.anomaly) << c.seconds;
    }
}

TEST(RateOfChange, OlderAndSameInstantSamplesAreIgnoredAndDoNotBecomeTheReference) {
    RateOfChange detector({.max_rate_per_second = 10.0});
    detector.update(100.0, k_start + 10s);
    auto verdict = detector.update(0.0, k_start + 9s); // late: would be a huge rate
    EXPECT_EQ(verdict.use, SampleUse::ignored_not_newer);
    EXPECT_FALSE(verdict.rate_per_second.has_value());
    EXPECT_FALSE(verdict.is_anomaly);
    EXPECT_EQ(detector.update(500.0, k_start + 10s).use, SampleUse::ignored_not_newer); // no rate over 0 s
    verdict = detector.update(105.0, k_start + 11s); // against 100 at 10 s, not the ignored ones
    ASSERT_TRUE(verdict.rate_per_second.has_value());
    EXPECT_DOUBLE_EQ(*verdict.rate_per_second, 5.0);
    EXPECT_FALSE(verdict.is_anomaly);
}

TEST(RateOfChange, NonFiniteSamplesAreIgnored) {
    RateOfChange detector({.max_rate_per_second = 10.0});
    detector.update(1.0, k_start);
    auto verdict = detector.update(std::numeric_limits<double>::quiet_NaN(), k_start + 1s);
    EXPECT_EQ(verdict.use, SampleUse::ignored_not_finite);
    EXPECT_FALSE(verdict.is_anomaly);
    EXPECT_EQ(detector.update(std::numeric_limits<double>::infinity(), k_start + 2s).use,
              SampleUse::ignored_not_finite);
    verdict = detector.update(31.0, k_start + 3s); // 30 over 3 s since the sample at 0 s
    EXPECT_DOUBLE_EQ(*verdict.rate_per_second, 10.0);
    EXPECT_FALSE(verdict.is_anomaly); // the limit itself is allowed
}

TEST(RateOfChange, OverflowingRateIsStillTooFast) {
    RateOfChange detector;
    detector.update(-1e308, k_start);
    const auto verdict = detector.update(1e308, k_start + 1us);
    ASSERT_TRUE(verdict.rate_per_second.has_value());
    EXPECT_TRUE(std::isinf(*verdict.rate_per_second));
    EXPECT_TRUE(verdict.is_anomaly);
}

TEST(RateOfChange, ResetForgetsThePreviousSample) {
    RateOfChange detector;
    detector.update(0.0, k_start + 10s);
    detector.reset();
    const auto verdict = detector.update(1000.0, k_start);
    EXPECT_EQ(verdict.use, SampleUse::used);
    EXPECT_FALSE(verdict.rate_per_second.has_value());
}

TEST(RateOfChange, RejectsANegativeOrNonFiniteLimit) {
    for (const double limit :
         {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        const auto result = validate(RateOfChangeParameters{.max_rate_per_second = limit});
        ASSERT_FALSE(result.has_value()) << limit;
        EXPECT_EQ(result.error().where, "max_rate_per_second");
        EXPECT_THROW(RateOfChange({.max_rate_per_second = limit}), std::invalid_argument);
    }
    EXPECT_TRUE(validate(RateOfChangeParameters{.max_rate_per_second = 0.0}).has_value());
}

} // namespace
