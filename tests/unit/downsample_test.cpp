#include "core/downsample.hpp"

#include <gtest/gtest.h>

using namespace dtwin::core;
using namespace std::chrono_literals;

namespace {

const TimePoint k_origin = *parse_time("2026-11-24T10:00:00Z");

NumericSample at(std::chrono::microseconds offset, double value) {
    return {k_origin + offset, value};
}

} // namespace

TEST(Downsample, SampleAtABucketStartBelongsToThatBucket) {
    const std::vector<NumericSample> samples{at(0s, 1), at(9'999'999us, 2), at(10s, 3)};
    const auto buckets = downsample(samples, k_origin, k_origin + 30s, 10s);
    ASSERT_TRUE(buckets);
    ASSERT_EQ(buckets->size(), 2u);
    EXPECT_EQ((*buckets)[0].start, k_origin);
    EXPECT_EQ((*buckets)[0].count, 2u);
    EXPECT_EQ((*buckets)[1].start, k_origin + 10s);
    EXPECT_EQ((*buckets)[1].count, 1u);
    EXPECT_EQ((*buckets)[1].last, 3);
}

TEST(Downsample, ComputesMinMaxMeanAndLast) {
    const std::vector<NumericSample> samples{at(1s, 600), at(2s, 580), at(3s, 640), at(4s, 620)};
    const auto buckets = downsample(samples, k_origin, k_origin + 1min, 1min);
    ASSERT_TRUE(buckets);
    ASSERT_EQ(buckets->size(), 1u);
    const Bucket& bucket = buckets->front();
    EXPECT_EQ(bucket.count, 4u);
    EXPECT_EQ(bucket.min, 580);
    EXPECT_EQ(bucket.max, 640);
    EXPECT_DOUBLE_EQ(bucket.mean, 610);
    EXPECT_EQ(bucket.last, 620);
    EXPECT_EQ(bucket.last_time, k_origin + 4s);
}

TEST(Downsample, EmptyBucketsAreOmittedAndOutOfRangeSamplesIgnored) {
    const std::vector<NumericSample> samples{at(-1s, 99), at(5s, 1), at(35s, 2), at(40s, 99)};
    const auto buckets = downsample(samples, k_origin, k_origin + 40s, 10s);
    ASSERT_TRUE(buckets);
    ASSERT_EQ(buckets->size(), 2u);
    EXPECT_EQ((*buckets)[0].start, k_origin);
    EXPECT_EQ((*buckets)[0].mean, 1);
    EXPECT_EQ((*buckets)[1].start, k_origin + 30s);
    EXPECT_EQ((*buckets)[1].mean, 2);
}

TEST(Downsample, StepLargerThanTheRangeGivesOneBucket) {
    const std::vector<NumericSample> samples{at(1s, 1), at(2s, 3)};
    const auto buckets = downsample(samples, k_origin, k_origin + 10s, 24h);
    ASSERT_TRUE(buckets);
    ASSERT_EQ(buckets->size(), 1u);
    EXPECT_EQ(buckets->front().start, k_origin);
    EXPECT_EQ(buckets->front().mean, 2);
}

TEST(Downsample, NoSamplesOrEmptyRangeGiveNoBuckets) {
    EXPECT_TRUE(downsample({}, k_origin, k_origin + 1h, 1min)->empty());
    const std::vector<NumericSample> samples{at(0s, 1)};
    EXPECT_TRUE(downsample(samples, k_origin, k_origin, 1min)->empty());
}

TEST(Downsample, FarPastOriginDoesNotOverflow) {
    const std::vector<NumericSample> samples{at(0s, 1)};
    const auto buckets = downsample(samples, TimePoint::min(), TimePoint::max(), 1h);
    ASSERT_TRUE(buckets);
    ASSERT_EQ(buckets->size(), 1u);
    EXPECT_LE(buckets->front().start, k_origin);
    EXPECT_GT(buckets->front().start + 1h, k_origin);
}

TEST(Downsample, ZeroOrNegativeStepIsAnError) {
    const std::vector<NumericSample> samples{at(0s, 1)};
    for (const auto step : {0us, -1us, std::chrono::microseconds{-10s}}) {
        const auto buckets = downsample(samples, k_origin, k_origin + 1h, step);
        ASSERT_FALSE(buckets);
        EXPECT_EQ(buckets.error().code, ErrorCode::invalid_value);
        EXPECT_EQ(buckets.error().where, "step");
    }
}

TEST(Downsample, ParsesDurationsWithUnits) {
    EXPECT_EQ(parse_duration("500ms").value(), 500ms);
    EXPECT_EQ(parse_duration("10s").value(), 10s);
    EXPECT_EQ(parse_duration("5m").value(), 5min);
    EXPECT_EQ(parse_duration("1h").value(), 1h);
    EXPECT_EQ(parse_duration("1d").value(), 24h);
    for (const char* bad : {"", "10", "s", "0s", "-5s", "1.5h", "10 s", "3w", "99999999999999999d"}) {
        EXPECT_FALSE(parse_duration(bad)) << bad;
    }
}
