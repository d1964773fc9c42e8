// Range check (core/detectors/range_check.hpp): the MH-Z19's 0..5000 ppm, inclusive
// bounds, NaN and infinities, one-sided ranges, late samples.
#include "core/detectors/range_check.hpp"
#include "core/time.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>

using namespace dtwin::core;
using namespace dtwin::core::detectors;
using namespace std::chrono_literals;

namespace {

const TimePoint k_start = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};
constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double k_inf = std::numeric_limits<double>::infinity();

TEST(RangeCheck, DefaultsAreTheMhZ19Range) {
    const RangeCheck co2;
    const struct {
        double value;
        RangeViolation expected;
    } cases[] = {
        {-1.0, RangeViolation::below},        {-0.0, RangeViolation::none},        {0.0, RangeViolation::none},
        {412.0, RangeViolation::none},        {5000.0, RangeViolation::none},      {5000.1, RangeViolation::above},
        {65535.0, RangeViolation::above},     {k_nan, RangeViolation::not_finite}, {k_inf, RangeViolation::not_finite},
        {-k_inf, RangeViolation::not_finite},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(co2.classify(c.value), c.expected) << c.value;
    }
}

TEST(RangeCheck, UpdateJudgesTheNewestReadingOnly) {
    RangeCheck humidity({.min = 0.0, .max = 100.0});
    auto verdict = humidity.update(101.0, k_start + 10s);
    EXPECT_EQ(verdict.use, SampleUse::used);
    EXPECT_EQ(verdict.violation, RangeViolation::above);
    EXPECT_TRUE(verdict.is_anomaly());

    verdict = humidity.update(50.0, k_start + 5s); // late: cannot clear the newer reading's verdict
    EXPECT_EQ(verdict.use, SampleUse::ignored_not_newer);
    EXPECT_FALSE(verdict.is_anomaly());

    verdict = humidity.update(k_nan, k_start + 15s); // NaN is judged, not ignored
    EXPECT_EQ(verdict.use, SampleUse::used);
    EXPECT_EQ(verdict.violation, RangeViolation::not_finite);

    verdict = humidity.update(45.0, k_start + 20s);
    EXPECT_FALSE(verdict.is_anomaly());
    humidity.reset();
    EXPECT_EQ(humidity.update(45.0, k_start).use, SampleUse::used);
}

TEST(RangeCheck, OneSidedRangesUseInfiniteBounds) {
    const RangeCheck light({.min = 0.0, .max = k_inf});
    EXPECT_EQ(light.classify(1e300), RangeViolation::none);
    EXPECT_EQ(light.classify(-0.5), RangeViolation::below);
    EXPECT_EQ(light.classify(k_inf), RangeViolation::not_finite); // still not a measurement
}

TEST(RangeCheck, RejectsAnEmptyOrNanRange) {
    EXPECT_EQ(validate(RangeCheckParameters{.min = 10.0, .max = 5.0}).error().where, "min");
    EXPECT_EQ(validate(RangeCheckParameters{.min = k_nan}).error().where, "min");
    EXPECT_EQ(validate(RangeCheckParameters{.max = k_nan}).error().where, "max");
    EXPECT_THROW(RangeCheck({.min = 10.0, .max = 5.0}), std::invalid_argument);
    EXPECT_TRUE(validate(RangeCheckParameters{.min = 5.0, .max = 5.0}).has_value());
    EXPECT_EQ(range_violation_name(RangeViolation::not_finite), "not_finite");
}

} // namespace
