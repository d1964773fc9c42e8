// dtwin serve end to end: a real mosquitto, the real dtwin binary, the example's models
// and twins. Each test publishes what devices and gateways publish and checks what a user
// sees: twin state, derived state, history, events, acks and diagnostics.
#include "child_process.hpp"
#include "ingest/envelope.hpp"
#include "serve_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <csignal>
#include <gtest/gtest.h>
#include <string>

namespace dtwin::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string room_reading(double co2, bool motion, const std::string& timestamp, double temperature = 21.5) {
    json::object reading{{"temperature", temperature}, {"humidity", 40.1}, {"light", 310},
                         {"co2", co2},                 {"motion", motion ? 1 : 0}, {"timestamp", timestamp}};
    return json::serialize(reading);
}

/// True when a change event's patch sets `path` to `value`.
bool patch_sets(const json::value& event, const std::string& path, const json::value& value) {
    const auto* patch = event.as_object().if_contains("patch");
    if (patch == nullptr || !patch->is_array()) {
        return false;
    }
    for (const auto& operation : patch->get_array()) {
        const auto& object = operation.as_object();
        if (object.at("path") == json::value(path) && object.contains("value") && object.at("value") == value) {
            return true;
        }
    }
    return false;
}

double number(const json::value& twin, const char* property) {
    return twin.at(property).to_number<double>();
}

class ServeIngestTest : public ServeTest {};

TEST_F(ServeIngestTest, PrototypePayloadsEndInTwinsDerivedStateAndHistory) {
    start_server(write_config(example_config()));

    // (a) one message per room node, as the ESP32s sent.
    m_client->publish("rooms/Room1", room_reading(612, true, iso_now(-2s)));
    // (b) the original gateway's combined document on `door`.
    json::object combined{
        {"local_data", {{"door_timestamp", iso_now()}, {"angle", 42.5}, {"gyro", -3.25}, {"magnet", 0}}},
        {"remote_data",
         {{"device_1", json::parse(room_reading(700, false, iso_now(-1s)))},
          {"device_2", json::parse(room_reading(455, true, iso_now(-1s), 19.0))}}}};
    m_client->publish("door", json::serialize(combined));

    EXPECT_TRUE(m_client->wait_json("dtwin/events/twins/Door",
                                    [](const json::value& e) { return patch_sets(e, "/doorState", "open"); }))
        << m_server->output();
    EXPECT_TRUE(m_client->wait_json("dtwin/events/twins/Room2",
                                    [](const json::value& e) { return patch_sets(e, "/occupancy", "occupied"); }));
    EXPECT_TRUE(m_client->wait_json("dtwin/events/twins/Room1",
                                    [](const json::value& e) { return patch_sets(e, "/co2", 700.0); }));
    ASSERT_EQ(stop_server(), 0) << m_server->output();

    const auto door = twin_json("Door");
    EXPECT_EQ(door.at("doorState"), json::value("open"));
    EXPECT_DOUBLE_EQ(number(door, "angle"), 42.5);
    EXPECT_EQ(door.at("magnet"), json::value(false));
    const auto room1 = twin_json("Room1");
    EXPECT_DOUBLE_EQ(number(room1, "co2"), 700);
    EXPECT_EQ(room1.at("motion"), json::value(false));
    EXPECT_EQ(room1.at("occupancy"), json::value("occupied")); // motion 2 s ago, door open: 10 s
    const auto room2 = twin_json("Room2");
    EXPECT_DOUBLE_EQ(number(room2, "temperature"), 19.0);

    const auto co2 = history("Room1", "co2");
    ASSERT_EQ(co2.size(), 2U);
    EXPECT_EQ(std::get<double>(co2[0].value), 612);
    EXPECT_EQ(std::get<double>(co2[1].value), 700);
    const auto door_state = history("Door", "doorState");
    ASSERT_EQ(door_state.size(), 1U);
    EXPECT_EQ(std::get<std::string>(door_state[0].value), "open");
}

TEST_F(ServeIngestTest, LateSamplesGoToHistoryWithoutMovingCurrentState) {
    start_server(write_config(example_config()));
    m_client->publish("rooms/Room2", room_reading(500, false, iso_now()));
    m_client->publish("rooms/Room2", room_reading(400, false, iso_now(-60s)));
    m_client->publish("rooms/Room2", room_reading(300, false, iso_now(-24h)));
    // Older than ingest.max_lateness_ms (7 days): rejected with its reason.
    m_client->publish("rooms/Room2", room_reading(200, false, iso_now(-8 * 24h)));
    EXPECT_TRUE(m_client->wait_json("dtwin/diagnostics/rejections", [](const json::value& r) {
        return r.at("reason") == json::value("too_late") && r.at("twinId") == json::value("Room2");
    }));
    ASSERT_EQ(stop_server(), 0) << m_server->output();

    EXPECT_DOUBLE_EQ(number(twin_json("Room2"), "co2"), 500);
    const auto co2 = history("Room2", "co2");
    ASSERT_EQ(co2.size(), 3U);
    EXPECT_EQ(std::get<double>(co2[0].value), 300);
    EXPECT_EQ(std::get<double>(co2[1].value), 400);
    EXPECT_EQ(std::get<double>(co2[2].value), 500);
}

TEST_F(ServeIngestTest, BadInputIsRejectedWithItsReasonAndTheStreamGoesOn) {
    start_server(write_config(example_config()));
    const std::string good = room_reading(640, false, iso_now());
    m_client->publish("rooms/Room1", "{\"co2\": 5");                                    // invalid_json
    m_client->publish("rooms/Room1", R"({"co2": NaN, "timestamp": "x"})");               // invalid_json
    m_client->publish("rooms/Room1", R"({"co2": "high", "temperature": 1, "humidity": 1, "light": 1, "motion": 1})");
    m_client->publish("rooms/Room9", good);                                              // unknown_twin
    m_client->publish("rooms/Room1", std::string("{\"co2\": \"\xff\"}"));               // invalid_utf8
    m_client->publish("rooms/Room1", std::string(300 * 1024, ' ') + good);              // payload_too_large
    // A topic no mapping matches can only arrive inside an envelope (the server subscribes
    // to the mapped topics only).
    ingest::Envelope stray{"gw-1", {{1, "nowhere/at-all", good, core::TimePoint{}}}};
    stray.messages[0].receive_time =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    m_client->publish("dtwin/gw/gw-1/up", ingest::encode_envelope(stray));
    m_client->publish("rooms/Room1", good);

    for (const char* reason :
         {"invalid_json", "wrong_type", "unknown_twin", "invalid_utf8", "payload_too_large", "no_matching_rule"}) {
        EXPECT_TRUE(m_client->wait_json("dtwin/diagnostics/rejections",
                                        [&](const json::value& r) { return r.at("reason") == json::value(reason); }))
            << reason;
    }
    // Counters are published every 500 ms here; they count per reason.
    const auto counters = m_client->wait_json("dtwin/diagnostics/counters", [](const json::value& c) {
        const auto& rejected = c.at("rejected").as_object();
        return rejected.contains("invalid_json") && rejected.at("invalid_json").to_number<int>() == 2;
    });
    ASSERT_TRUE(counters) << m_server->output();
    EXPECT_EQ(counters->at("rejected").at("payload_too_large").to_number<int>(), 1);
    EXPECT_TRUE(m_server->running());
    ASSERT_EQ(stop_server(), 0) << m_server->output();
    EXPECT_DOUBLE_EQ(number(twin_json("Room1"), "co2"), 640);
    // The server's log names the reason of what it rejected.
    EXPECT_NE(m_server->stderr_text().find("rejected (unknown_twin)"), std::string::npos);
}

TEST_F(ServeIngestTest, InvalidDeviceTimestampIsReplacedAndFlaggedOnTheTwin) {
    start_server(write_config(example_config()));
    m_client->publish("rooms/Room1", room_reading(900, false, "0000-00-00T00:00:00.000Z"));
    EXPECT_TRUE(m_client->wait_json("dtwin/events/twins/Room1",
                                    [](const json::value& e) { return patch_sets(e, "/co2", 900.0); }));
    ASSERT_EQ(stop_server(), 0) << m_server->output();
    const auto room1 = twin_json("Room1");
    const auto& flag = room1.at("$metadata").at("$clockSkew");
    EXPECT_EQ(flag.at("reason"), json::value("invalid"));
    EXPECT_EQ(flag.at("timestamp"), json::value("0000-00-00T00:00:00.000Z"));
    const auto co2 = history("Room1", "co2");
    ASSERT_EQ(co2.size(), 1U);
    // Stamped with the receive time: within the last minute.
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    EXPECT_LT(now - co2[0].source_time, 60s);
}

std::string envelope(const std::string& gateway, std::uint64_t first, std::uint64_t last,
                     const std::function<std::string(std::uint64_t)>& payload) {
    ingest::Envelope envelope{gateway, {}};
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    for (std::uint64_t sequence = first; sequence <= last; ++sequence) {
        envelope.messages.push_back({sequence, "rooms/Room1", payload(sequence), now});
    }
    return ingest::encode_envelope(envelope);
}

TEST_F(ServeIngestTest, EnvelopesAreAckedAfterCommitAndReplaysAreDropped) {
    start_server(write_config(example_config()));
    const auto base = std::chrono::system_clock::now() - 1h;
    const auto payload = [&](std::uint64_t sequence) {
        const auto t = std::chrono::time_point_cast<std::chrono::microseconds>(base + sequence * 1s);
        return room_reading(static_cast<double>(400 + sequence), false, core::format_time(t));
    };
    m_client->publish("dtwin/gw/pi5-door/up", envelope("pi5-door", 1, 3, payload));
    const auto ack_is = [](std::uint64_t n) {
        return [n](const json::value& a) { return a.at("highest_sequence").to_number<std::uint64_t>() == n; };
    };
    ASSERT_TRUE(m_client->wait_json("dtwin/gw/pi5-door/ack", ack_is(3))) << m_server->output();
    // The gateway did not see the ack and sends the same batch again, plus one new message.
    m_client->forget();
    m_client->publish("dtwin/gw/pi5-door/up", envelope("pi5-door", 1, 4, payload));
    ASSERT_TRUE(m_client->wait_json("dtwin/gw/pi5-door/ack", ack_is(4)));
    // A malformed envelope: rejected, never acked.
    m_client->publish("dtwin/gw/pi5-door/up", R"({"version":1,"gateway":"pi5-door","messages":[{"sequence":-1}]})");
    EXPECT_TRUE(m_client->wait_json("dtwin/diagnostics/rejections", [](const json::value& r) {
        return r.at("reason") == json::value("invalid_envelope");
    }));
    const auto counters = m_client->wait_json("dtwin/diagnostics/counters", [](const json::value& c) {
        return c.at("duplicates").to_number<int>() == 3;
    });
    EXPECT_TRUE(counters);
    ASSERT_EQ(stop_server(), 0) << m_server->output();

    const auto co2 = history("Room1", "co2");
    ASSERT_EQ(co2.size(), 4U);
    for (std::size_t i = 0; i < co2.size(); ++i) {
        EXPECT_EQ(std::get<double>(co2[i].value), 401.0 + static_cast<double>(i));
        EXPECT_EQ(co2[i].sequence, i + 1);
    }
    auto cursor = open_store()->cursor("gw:pi5-door");
    ASSERT_TRUE(cursor && *cursor);
    EXPECT_EQ(**cursor, 4U);
}

/// A config with short timers, so that the test watches them fire.
std::string timer_config() {
    return R"(
[[mapping]]
name = "room-node"
topic = "rooms/{room}"
twin = "{room}"
timestamp = { field = "/timestamp", format = "iso8601", property = "roomTimestamp" }
fields = [
  { property = "co2", field = "/co2", type = "double" },
  { property = "motion", field = "/motion", type = "boolean_from_number" },
]

[[derive]]
kind = "occupancy"
model = "dtmi:dtwin:example:Room;1"
short_timeout_ms = 400
shut_in_timeout_ms = 800

[[liveness]]
model = "dtmi:dtwin:example:Room;1"
silent_after_ms = 1500
status_topic = "rooms/{twin}/status"
)";
}

TEST_F(ServeIngestTest, OccupancyAndSilenceTimersFireWithoutFurtherMessages) {
    start_server(write_config(timer_config()));
    // A device's last will takes Room1 offline at once (before its 1.5 s of silence).
    m_client->publish("rooms/Room1/status", "offline");
    EXPECT_TRUE(m_client->wait_json("dtwin/events/connectivity/Room1", [](const json::value& e) {
        return e.at("online") == json::value(false) && e.at("reason") == json::value("last_will");
    })) << m_server->output();
    m_client->publish("rooms/Room2", room_reading(500, true, iso_now()));
    const auto occupied = m_client->wait_json(
        "dtwin/events/twins/Room2", [](const json::value& e) { return patch_sets(e, "/occupancy", "occupied"); });
    ASSERT_TRUE(occupied) << m_server->output();
    // No further message: the hallway's 400 ms run out by themselves.
    const auto freed = m_client->wait_json(
        "dtwin/events/twins/Room2", [](const json::value& e) { return patch_sets(e, "/occupancy", "not_occupied"); },
        5s);
    ASSERT_TRUE(freed) << m_server->output();
    // And after 1.5 s of silence the twin goes offline, its readings stale.
    const auto silent = m_client->wait_json(
        "dtwin/events/connectivity/Room2",
        [](const json::value& e) { return e.at("online") == json::value(false) && e.at("reason") == json::value("silent"); },
        5s);
    ASSERT_TRUE(silent) << m_server->output();
    const auto stale_room2 = twin_json("Room2");
    EXPECT_EQ(stale_room2.at("$metadata").at("co2").at("stale"), json::value(true));
    // The device speaks again: online, no longer stale.
    m_client->publish("rooms/Room2", room_reading(510, false, iso_now()));
    EXPECT_TRUE(m_client->wait_json("dtwin/events/connectivity/Room2", [](const json::value& e) {
        return e.at("online") == json::value(true) && e.at("reason") == json::value("seen");
    }));
    ASSERT_EQ(stop_server(), 0) << m_server->output();
    const auto room2 = twin_json("Room2");
    EXPECT_EQ(room2.at("occupancy"), json::value("not_occupied"));
    EXPECT_FALSE(room2.at("$metadata").at("co2").as_object().contains("stale"));
}

TEST_F(ServeIngestTest, ASlamRaisesOneAlertSetsTheAnomalyAndResolves) {
    start_server(write_config(example_config()));
    const auto door = [&](double gyro) {
        json::object combined{
            {"local_data", {{"door_timestamp", iso_now()}, {"angle", 40.0}, {"gyro", gyro}, {"magnet", 0}}},
            {"remote_data",
             {{"device_1", json::parse(room_reading(600, false, iso_now()))},
              {"device_2", json::parse(room_reading(500, false, iso_now()))}}}};
        m_client->publish("door", json::serialize(combined));
    };
    door(-80.0); // a slam in the other swing direction
    const auto alert = m_client->wait_json("dtwin/alerts/Door", [](const json::value& a) {
        return a.at("rule") == json::value("door-slammed") && a.at("state") == json::value("firing");
    });
    ASSERT_TRUE(alert) << m_server->output();
    EXPECT_EQ(alert->at("instance").to_number<int>(), 1);
    door(-90.0); // still slamming: no second alert
    door(1.0);   // calm again: resolved, property reset
    EXPECT_TRUE(m_client->wait_json("dtwin/events/twins/Door",
                                    [](const json::value& e) { return patch_sets(e, "/slammedAnomaly", "none"); }));
    ASSERT_EQ(stop_server(), 0) << m_server->output();
    std::size_t firing = 0;
    for (const auto& received : m_client->received("dtwin/alerts/Door")) {
        firing += json::parse(received.payload).at("state") == json::value("firing") ? 1 : 0;
    }
    EXPECT_EQ(firing, 1U);
    EXPECT_EQ(twin_json("Door").at("slammedAnomaly"), json::value("none"));
    auto alerts = open_store()->list_alerts({.twin = "Door"});
    ASSERT_TRUE(alerts);
    ASSERT_EQ(alerts->size(), 1U);
    EXPECT_EQ(alerts->front().rule, "door-slammed");
    EXPECT_EQ(alerts->front().state, "resolved");
}

TEST_F(ServeIngestTest, ASecondServerOnTheSameStoreIsRefusedAtOnce) {
    const auto config = write_config(example_config());
    start_server(config);
    ChildProcess second(ChildProcessOptions{
        .argv = {DTWIN_BIN, "--config", config.string(), "--data", m_data.string(), "--set",
                 "mqtt.url=" + m_broker->url(), "--set", "mqtt.client_id=second", "--set", "api.listen=off", "serve"},
        .output_directory = m_dir,
        .output_name = "second-serve"});
    const auto status = second.wait_for_exit(20s);
    ASSERT_TRUE(status) << second.output();
    EXPECT_EQ(*status, 1);
    EXPECT_NE(second.stderr_text().find("another dtwin serve is running"), std::string::npos) << second.output();
    EXPECT_TRUE(m_server->running());
    EXPECT_EQ(stop_server(), 0);
}

} // namespace
} // namespace dtwin::testing
