// Silences (core/alerts/silence.hpp): patterns, the half-open window, validation, expiry.
#include "core/alerts/silence.hpp"
#include "core/time.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <string>

using namespace dtwin::core;
using namespace dtwin::core::alerts;
using namespace std::chrono_literals;

namespace {

const TimePoint k_from = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1} + 8h;
const TimePoint k_until = k_from + 2h;

TEST(Silence, MatchesByPatternAndHalfOpenWindow) {
    struct Case {
        std::string twin_pattern, rule_pattern, twin, rule;
        TimePoint at;
        bool silenced;
    };
    const Case cases[] = {
        {"door", "slam", "door", "slam", k_from, true},           // first instant
        {"door", "slam", "door", "slam", k_until - 1us, true},    // last instant
        {"door", "slam", "door", "slam", k_until, false},         // until is excluded
        {"door", "slam", "door", "slam", k_from - 1us, false},    // before
        {"door", "slam", "door", "conflict", k_from + 1h, false}, // other rule
        {"door", "slam", "Door", "slam", k_from + 1h, false},     // ids are case-sensitive
        {"door", "slam", "door2", "slam", k_from + 1h, false},    // exact, not prefix
        {"*", "slam", "room1", "slam", k_from + 1h, true},        // any twin
        {"room1", "*", "room1", "co2-high", k_from + 1h, true},   // any rule
        {"*", "*", "anything", "at-all", k_from + 1h, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.twin_pattern + "/" + c.rule_pattern + " vs " + c.twin + "/" + c.rule + " at " +
                     format_time(c.at));
        const Silence silence{c.twin_pattern, c.rule_pattern, k_from, k_until};
        EXPECT_EQ(silence.matches(c.twin, c.rule, c.at), c.silenced);
        Silences list;
        ASSERT_TRUE(list.add(silence).has_value());
        EXPECT_EQ(list.is_silenced(c.twin, c.rule, c.at), c.silenced);
    }
}

TEST(Silence, InvalidSilencesAreRejectedNamingTheField) {
    struct Case {
        Silence silence;
        std::string field;
    };
    const Case cases[] = {
        {{"", "slam", k_from, k_until}, "twin_pattern"},
        {{"door", "", k_from, k_until}, "rule_pattern"},
        {{"door", "slam", k_from, k_from}, "until"},
        {{"door", "slam", k_until, k_from}, "until"},
    };
    for (const auto& c : cases) {
        Silences list;
        const auto added = list.add(c.silence);
        ASSERT_FALSE(added.has_value());
        EXPECT_EQ(added.error().code, ErrorCode::invalid_value);
        EXPECT_EQ(added.error().where, c.field);
        EXPECT_TRUE(list.all().empty());
    }
}

TEST(Silence, ExpiredSilencesAreRemoved) {
    Silences list;
    ASSERT_TRUE(list.add({"door", "slam", k_from, k_until}).has_value());
    ASSERT_TRUE(list.add({"*", "*", k_from, k_until + 1h}).has_value());
    EXPECT_EQ(list.remove_expired(k_until - 1us), 0U);
    EXPECT_EQ(list.remove_expired(k_until), 1U);
    ASSERT_EQ(list.all().size(), 1U);
    EXPECT_EQ(list.all()[0].twin_pattern, "*");
    EXPECT_FALSE(Silences::none().is_silenced("door", "slam", k_from));
}

} // namespace
