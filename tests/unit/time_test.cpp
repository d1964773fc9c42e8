#include "core/time.hpp"

#include <gtest/gtest.h>

using namespace dtwin::core;

TEST(Time, ParsesIsoWithMillisecondsAndOffsets) {
    const auto a = parse_time("2026-11-24T21:26:15.123Z");
    ASSERT_TRUE(a);
    EXPECT_EQ(format_time(*a), "2026-11-24T21:26:15.1230000Z");
    const auto b = parse_time("2026-11-24T22:26:15.123+01:00");
    ASSERT_TRUE(b);
    EXPECT_EQ(*a, *b);
}

TEST(Time, RejectsTimestampsThatAreNotTimes) {
    EXPECT_FALSE(parse_time("0000-00-00T00:00:00.000Z"));
    EXPECT_FALSE(parse_time("2026-02-30T00:00:00Z"));
    EXPECT_FALSE(parse_time("2026-11-24T25:00:00Z"));
    EXPECT_FALSE(parse_time("2026-11-24T21:26:15"));
    EXPECT_FALSE(parse_time("2026-11-24T21:26:15.Z"));
    EXPECT_FALSE(parse_time(""));
}
