// The prototype's built-in rules on the payloads of PROTOTYPE.md.
#include "ingest/mapping.hpp"
#include "ingest/prototype_mapping.hpp"

#include <boost/json/value.hpp>
#include <gtest/gtest.h>
#include <string>

using namespace dtwin;
using namespace dtwin::ingest;
using namespace std::chrono_literals;

namespace {

core::TimePoint at(const char* iso) {
    return core::parse_time(iso).value();
}

const boost::json::value* property(const TwinUpdate& update, std::string_view name) {
    for (const auto& p : update.properties) {
        if (p.name == name) {
            return &p.value;
        }
    }
    return nullptr;
}

constexpr const char* k_combined = R"({
  "local_data": {"door_timestamp": "2026-11-24T21:26:15.500Z", "angle": 42.5, "gyro": -3.25, "magnet": 0},
  "remote_data": {
    "device_1": {"temperature": 21.5, "humidity": 40.1, "light": 310, "motion": true, "co2": 612,
                 "timestamp": "2026-11-24T21:26:13.120Z"},
    "device_2": {"temperature": 19.0, "humidity": 45.0, "light": 80.5, "motion": false, "co2": 480,
                 "timestamp": "2026-11-24T21:26:11.000Z"}
  }
})";

} // namespace

TEST(IngestPrototype, EveryBuiltInRuleIsValid) {
    for (const auto& rule : prototype_rules()) {
        EXPECT_TRUE(validate_rule(rule)) << rule.name;
    }
}

TEST(IngestPrototype, CombinedGatewayDocumentGivesDoorAndBothRooms) {
    const auto rules = prototype_rules();
    const auto result = map_message(rules, "door", k_combined, at("2026-11-24T21:26:16Z"));

    EXPECT_TRUE(result.rejections.empty());
    ASSERT_EQ(result.updates.size(), 3U);
    const TwinUpdate& door = result.updates[0];
    const TwinUpdate& room1 = result.updates[1];
    const TwinUpdate& room2 = result.updates[2];

    EXPECT_EQ(door.twin_id, "Door");
    EXPECT_EQ(door.source_time, at("2026-11-24T21:26:15.500Z"));
    EXPECT_EQ(door.timestamp_replaced, TimestampReplacement::none);
    EXPECT_EQ(*property(door, "angle"), boost::json::value(42.5));
    EXPECT_EQ(*property(door, "gyro"), boost::json::value(-3.25));
    EXPECT_EQ(*property(door, "magnet"), boost::json::value(false));
    EXPECT_EQ(*property(door, "doorTimestamp"), boost::json::value("2026-11-24T21:26:15.5000000Z"));

    EXPECT_EQ(room1.twin_id, "Room1");
    EXPECT_EQ(room1.source_time, at("2026-11-24T21:26:13.120Z"));
    EXPECT_EQ(*property(room1, "temperature"), boost::json::value(21.5));
    EXPECT_EQ(*property(room1, "light"), boost::json::value(310.0));
    EXPECT_EQ(*property(room1, "co2"), boost::json::value(612.0));
    EXPECT_EQ(*property(room1, "motion"), boost::json::value(true));

    EXPECT_EQ(room2.twin_id, "Room2");
    EXPECT_EQ(room2.source_time, at("2026-11-24T21:26:11Z"));
    EXPECT_EQ(*property(room2, "humidity"), boost::json::value(45.0));
    EXPECT_EQ(*property(room2, "motion"), boost::json::value(false));
    EXPECT_EQ(*property(room2, "roomTimestamp"), boost::json::value("2026-11-24T21:26:11.0000000Z"));
}

TEST(IngestPrototype, RoomNodeMessageUpdatesTheRoomNamedInTheTopic) {
    const auto rules = prototype_rules();
    const auto result = map_message(rules, "rooms/Room2",
                                    R"({"temperature": 22, "humidity": 38.5, "light": 120, "co2": 950, "motion": 1,
            "timestamp": "2026-11-24T21:26:14.250Z"})",
                                    at("2026-11-24T21:26:15Z"));

    EXPECT_TRUE(result.rejections.empty());
    ASSERT_EQ(result.updates.size(), 1U);
    const TwinUpdate& room = result.updates[0];
    EXPECT_EQ(room.twin_id, "Room2");
    EXPECT_EQ(room.rule, "room-node");
    EXPECT_EQ(room.source_time, at("2026-11-24T21:26:14.250Z"));
    const auto patch = to_patch(room);
    ASSERT_EQ(patch.size(), 6U);
    EXPECT_EQ(patch[0].path, "/temperature");
    EXPECT_EQ(patch[0].value, boost::json::value(22.0));
    EXPECT_EQ(patch[4].path, "/motion");
    EXPECT_EQ(patch[4].value, boost::json::value(true));
    EXPECT_EQ(patch[5].path, "/roomTimestamp");
    EXPECT_EQ(patch[5].op, core::PatchOp::add);
}

TEST(IngestPrototype, NtpFailedTimestampIsReplacedByReceiveTimeAndFlagged) {
    const auto rules = prototype_rules();
    const auto receive = at("2026-11-24T21:26:15Z");
    const auto result = map_message(rules, "rooms/Room1",
                                    R"({"temperature": 20, "humidity": 40, "light": 5, "co2": 500, "motion": false,
                                        "timestamp": "0000-00-00T00:00:00.000Z"})",
                                    receive);

    EXPECT_TRUE(result.rejections.empty());
    ASSERT_EQ(result.updates.size(), 1U);
    const TwinUpdate& room = result.updates[0];
    EXPECT_EQ(room.source_time, receive);
    EXPECT_EQ(room.timestamp_replaced, TimestampReplacement::invalid);
    EXPECT_EQ(room.original_timestamp, "0000-00-00T00:00:00.000Z");
    // The twin's timestamp property stays a valid dateTime.
    EXPECT_EQ(*property(room, "roomTimestamp"), boost::json::value("2026-11-24T21:26:15.0000000Z"));
}

TEST(IngestPrototype, OneBadDeviceInTheCombinedDocumentLeavesTheOthersIntact) {
    const auto rules = prototype_rules();
    std::string payload = k_combined;
    payload.replace(payload.find("\"co2\": 480"), 10, "\"co2\": \"NaN\"");

    const auto result = map_message(rules, "door", payload, at("2026-11-24T21:26:16Z"));

    ASSERT_EQ(result.updates.size(), 2U);
    EXPECT_EQ(result.updates[0].twin_id, "Door");
    EXPECT_EQ(result.updates[1].twin_id, "Room1");
    ASSERT_EQ(result.rejections.size(), 1U);
    EXPECT_EQ(result.rejections[0].reason, RejectReason::wrong_type);
    EXPECT_EQ(result.rejections[0].twin_id, "Room2");
    EXPECT_EQ(result.rejections[0].pointer, "/remote_data/device_2/co2");
    EXPECT_NE(result.rejections[0].message.find("'door'"), std::string::npos);
    EXPECT_NE(result.rejections[0].message.find("/remote_data/device_2/co2"), std::string::npos);
}
