// Topic filters with MQTT wildcards and named captures; twin id templates.
#include "ingest/topic_filter.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <string>

using namespace dtwin::ingest;

namespace {

struct MatchCase {
    const char* filter;
    const char* topic;
    std::optional<Captures> expected; // nullopt: must not match
};

} // namespace

TEST(IngestTopicFilter, MatchesLikeMqttAndCapturesNamedLevels) {
    const MatchCase cases[] = {
        // exact topics
        {"door", "door", Captures{}},
        {"door", "doors", std::nullopt},
        {"door", "door/", std::nullopt},
        {"a/b", "a", std::nullopt},
        // named captures: one level, captured
        {"rooms/{room}", "rooms/Room1", Captures{{"room", "Room1"}}},
        {"rooms/{room}/telemetry", "rooms/Room2/telemetry", Captures{{"room", "Room2"}}},
        {"{site}/rooms/{room}", "lab/rooms/R1", Captures{{"site", "lab"}, {"room", "R1"}}},
        {"rooms/{room}", "rooms/Room1/extra", std::nullopt},
        {"rooms/{room}", "rooms", std::nullopt},
        {"rooms/{room}", "rooms/", std::nullopt}, // a twin id cannot be empty
        {"rooms/{room}/telemetry", "rooms/Room1/status", std::nullopt},
        // '+': one level, possibly empty, not captured
        {"sensors/+/door", "sensors/pi5/door", Captures{}},
        {"sensors/+", "sensors/", Captures{}},
        {"sensors/+", "sensors/a/b", std::nullopt},
        {"+/{room}", "x/Room1", Captures{{"room", "Room1"}}},
        // '#': the parent and any depth below
        {"site/#", "site", Captures{}},
        {"site/#", "site/a/b/c", Captures{}},
        {"{site}/#", "lab/x/y", Captures{{"site", "lab"}}},
        {"#", "anything/at/all", Captures{}},
        {"site/#", "other/a", std::nullopt},
        // '$' topics are not matched by a leading wildcard
        {"#", "$SYS/broker/uptime", std::nullopt},
        {"+/broker", "$SYS/broker", std::nullopt},
        {"$SYS/#", "$SYS/broker/uptime", Captures{}},
        // an invalid filter matches nothing
        {"rooms/{room", "rooms/{room", std::nullopt},
        {"a/#/b", "a/x/b", std::nullopt},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(match_topic(c.filter, c.topic), c.expected) << c.filter << " vs " << c.topic;
    }
}

TEST(IngestTopicFilter, RejectsMalformedFiltersWithTheReason) {
    for (const char* filter :
         {"", "a/#/b", "a/b#", "a+/b", "rooms/{room", "rooms/x{room}", "rooms/{}", "rooms/{a-b}", "{r}/{r}"}) {
        const auto checked = validate_topic_filter(filter);
        ASSERT_FALSE(checked) << filter;
        EXPECT_EQ(checked.error().where, filter);
        EXPECT_FALSE(checked.error().message.empty());
    }
    for (const char* filter : {"door", "rooms/{room}", "+/{room}/#", "#", "a//b", "$SYS/#"}) {
        EXPECT_TRUE(validate_topic_filter(filter)) << filter;
    }
}

TEST(IngestTopicFilter, ListsCaptureNamesInOrder) {
    EXPECT_EQ(capture_names("{site}/rooms/{room}/#"), (std::vector<std::string>{"site", "room"}));
    EXPECT_TRUE(capture_names("door").empty());
}

TEST(IngestTopicFilter, ExpandsTwinIdTemplates) {
    const Captures captures{{"site", "lab"}, {"room", "Room1"}};
    EXPECT_EQ(expand_twin_id("{room}", captures).value(), "Room1");
    EXPECT_EQ(expand_twin_id("Door", captures).value(), "Door");
    EXPECT_EQ(expand_twin_id("{site}-{room}", captures).value(), "lab-Room1");

    const auto unknown = expand_twin_id("{floor}", captures);
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("floor"), std::string::npos);
    EXPECT_FALSE(expand_twin_id("{room", captures));
    EXPECT_FALSE(expand_twin_id("", captures));
}
