// The engine's alerts with the example's own rules (examples/door-and-two-rooms/dtwin.toml
// read by the real config loader): scenario traces whose ground truth is known produce
// exactly the expected alerts, each once, at the right event time; every notification is
// in the outbox in the commit that stores its alert; acknowledgements and silences written
// to the store are applied; a restart resumes the alerts instead of raising them again.
#include "app/config.hpp"
#include "engine_test_support.hpp"
#include "notify/outbox.hpp"

#include <boost/json/parse.hpp>
#include <cmath>
#include <string>
#include <vector>

namespace dtwin::engine::testing {
namespace {

/// What the test reads back of one stored alert.
struct StoredAlert {
    std::string id;
    std::string state;
    TimePoint raised;
    std::optional<TimePoint> resolved;
    json::object details;
};

class EngineAlerts : public EngineTest {
protected:
    /// The example's complete configuration (mappings, derived state, liveness, rules),
    /// delivering to one sink called "smtp" (the sink itself is not needed here: the
    /// outbox records are what the engine writes).
    static EngineOptions example_options() {
        app::Config config;
        config.load_file(std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml");
        EngineOptions options = config.engine_options();
        options.notification_sinks = {"smtp"};
        return options;
    }

    void SetUp() override { start_engine(example_options()); }

    /// The gateway's combined document with the door part only, received 100 ms later.
    CommitOutput door_reading(double angle, double gyro, int magnet, TimePoint t) {
        json::object local{{"door_timestamp", core::format_time(t)}, {"angle", angle}, {"gyro", gyro}, {"magnet", magnet}};
        return send("door", json::serialize(json::object{{"local_data", std::move(local)}}), t + 100ms);
    }
    /// A room node's reading; its temperature wanders by a few hundredths of a degree as a
    /// real HTU21DF's does (a constant one is a stuck sensor: temperature-stuck).
    CommitOutput co2_reading(const std::string& room, double co2, TimePoint t) {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(t - t0()).count();
        return room_reading(room, 21.5 + 0.01 * static_cast<double>(seconds % 7), co2, t);
    }
    /// A complete room node reading (the example's mapping requires every field).
    CommitOutput room_reading(const std::string& room, double temperature, double co2, TimePoint t) {
        return send("rooms/" + room,
                    room_payload({{"temperature", temperature}, {"humidity", 40.0}, {"light", 300}, {"co2", co2},
                                  {"motion", 0}},
                                 t),
                    t + 100ms);
    }

    std::vector<StoredAlert> alerts(const std::string& twin, const std::string& rule = {}) const {
        auto records = m_store->list_alerts({.twin = twin, .rule = rule});
        EXPECT_TRUE(records.has_value()) << (records ? "" : records.error().to_string());
        std::vector<StoredAlert> out;
        for (const auto& record : records.value_or(std::vector<store::AlertRecord>{})) {
            out.push_back({record.id, record.state, record.raised_time, record.resolved_time,
                           json::parse(record.details).as_object()});
        }
        return out;
    }

    /// The notifications in the outbox, as the sinks would get them.
    std::vector<notify::Notification> outbox() const {
        auto records = m_store->list_outbox({});
        EXPECT_TRUE(records.has_value()) << (records ? "" : records.error().to_string());
        std::vector<notify::Notification> out;
        for (const auto& record : records.value_or(std::vector<store::OutboxRecord>{})) {
            EXPECT_EQ(record.sink, "smtp");
            auto notification = notify::notification_from_payload(record.payload, record.id);
            EXPECT_TRUE(notification.has_value()) << record.payload;
            if (notification) {
                out.push_back(*notification);
            }
        }
        return out;
    }

    static std::size_t firing_notices(const CommitOutput& output) {
        std::size_t count = 0;
        for (const auto& alert : output.alerts) {
            count += alert.transition.to == core::alerts::AlertState::firing ? 1 : 0;
        }
        return count;
    }
};

TEST_F(EngineAlerts, SlamsInEitherSwingDirectionEachAlertOnceAtTheirEventTime) {
    door_reading(40, 3, 0, at(1s));
    EXPECT_EQ(firing_notices(door_reading(40, 80, 0, at(2s))), 1U); // opening fast
    EXPECT_EQ(firing_notices(door_reading(45, 120, 0, at(2500ms))), 0U); // still the same slam
    door_reading(50, 2, 0, at(3s));
    EXPECT_EQ(firing_notices(door_reading(20, -95, 0, at(6s))), 1U); // closing fast
    door_reading(10, -1, 0, at(7s));

    const auto stored = alerts("Door", "door-slammed");
    ASSERT_EQ(stored.size(), 2U);
    EXPECT_EQ(stored[0].id, "Door/door-slammed/1");
    EXPECT_EQ(stored[0].state, "resolved");
    EXPECT_EQ(stored[0].raised, at(2s));
    EXPECT_EQ(stored[0].resolved, std::optional(at(3s)));
    EXPECT_EQ(stored[1].id, "Door/door-slammed/2");
    EXPECT_EQ(stored[1].raised, at(6s));
    EXPECT_EQ(stored[1].details.at("message"), json::value("Door was slammed (-95 deg/s)"));
    EXPECT_EQ(property("Door", "slammedAnomaly"), "\"none\"");

    EXPECT_EQ(alerts("").size(), 2U); // nothing else fired on any twin
    const auto queued = outbox();
    ASSERT_EQ(queued.size(), 2U); // one per firing; resolves do not notify by default
    EXPECT_EQ(queued[0].id, "Door/door-slammed/1/fired");
    EXPECT_EQ(queued[0].event_time, at(2s));
    EXPECT_EQ(queued[0].rule, "door-slammed");
    EXPECT_EQ(queued[0].twin_id, "Door");
    EXPECT_NE(queued[0].subject.find("Door was slammed (80 deg/s)"), std::string::npos) << queued[0].subject;
    EXPECT_EQ(queued[1].event_time, at(6s));
    EXPECT_EQ(queued[1].values.at("gyro"), json::value(-95.0));
}

TEST_F(EngineAlerts, AStuckMagnetRaisesTheSensorConflictOnceFromTheFirstContradiction) {
    // The leaf swings open and back while the hall sensor keeps reporting "shut".
    door_reading(0, 0, 1, at(1s));
    door_reading(3, 5, 1, at(2s)); // within the 5 degrees a shut door may show
    door_reading(20, 30, 1, at(3s));
    door_reading(60, 20, 1, at(4s));
    door_reading(15, -30, 1, at(5s));
    door_reading(0, -5, 1, at(6s));

    const auto stored = alerts("Door", "door-sensor-conflict");
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].raised, at(3s));
    EXPECT_EQ(stored[0].resolved, std::optional(at(6s)));
    EXPECT_EQ(property("Door", "conflictAnomaly"), "\"none\"");
    ASSERT_EQ(outbox().size(), 1U);
    EXPECT_EQ(alerts("").size(), 1U);
}

TEST_F(EngineAlerts, ASlamInsideAnOfflinePhaseAlertsWhenTheBacklogArrivesWithItsLateness) {
    // The gateway was offline from t0+10 s to t0+5 min; its backlog holds a slam at 15 s.
    ingest::Envelope envelope{"gateway-1", {}};
    std::uint64_t sequence = 0;
    for (int second = 10; second <= 20; ++second) {
        const double gyro = second == 15 ? -140.0 : 1.0;
        json::object local{{"door_timestamp", core::format_time(at(std::chrono::seconds(second)))},
                           {"angle", 40.0},
                           {"gyro", gyro},
                           {"magnet", 0}};
        envelope.messages.push_back({++sequence, "door", json::serialize(json::object{{"local_data", local}}),
                                     at(std::chrono::seconds(second))});
    }
    const auto output = send("dtwin/gw/gateway-1/up", ingest::encode_envelope(envelope), at(5min));
    EXPECT_EQ(firing_notices(output), 1U);

    const auto stored = alerts("Door", "door-slammed");
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].raised, at(15s));
    EXPECT_EQ(stored[0].state, "resolved"); // the backlog went on: calm again at 16 s
    EXPECT_EQ(stored[0].resolved, std::optional(at(16s)));
    EXPECT_EQ(alerts("").size(), 1U);
    const auto queued = outbox();
    ASSERT_EQ(queued.size(), 1U);
    EXPECT_EQ(queued[0].event_time, at(15s));
    EXPECT_EQ(queued[0].report_time, at(5min));
    EXPECT_EQ(notify::lateness(queued[0]), std::chrono::microseconds(at(5min) - at(15s)));
    EXPECT_NE(queued[0].text_body.find("4 min 45 s"), std::string::npos) << queued[0].text_body;
}

TEST_F(EngineAlerts, CO2AboveTheLimitSetsTheAirQualityAndAlertsOnce) {
    co2_reading("Room1", 1900, at(1s));
    co2_reading("Room1", 2100, at(2s));
    co2_reading("Room1", 2300, at(3s));
    co2_reading("Room1", 1500, at(4s));
    const auto stored = alerts("Room1", "co2-too-high");
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].raised, at(2s));
    EXPECT_EQ(stored[0].resolved, std::optional(at(4s)));
    EXPECT_EQ(property("Room1", "airQualityState"), "\"normal\"");
    EXPECT_EQ(alerts("").size(), 1U);
}

TEST_F(EngineAlerts, ACO2SpikeAlertsOnceAtItsSampleAndASlowRiseDoesNot) {
    // Room1: 130 readings every 5 s around 600 ppm (a deterministic wobble of a few ppm),
    // then one reading of 1400 ppm: a spike. Room2: a steady rise of 5 ppm per reading
    // from 600 to 1245 ppm, the air getting stale: no spike, and under the 2000 ppm limit.
    const int wobble[] = {0, 3, -2, 4, -1, 2, -3, 1};
    TimePoint t = at(1s);
    for (int i = 0; i < 130; ++i, t += 5s) {
        co2_reading("Room1", 600.0 + wobble[i % 8], t);
        co2_reading("Room2", 600.0 + 5.0 * i, t);
    }
    const TimePoint spike_time = t;
    co2_reading("Room1", 1400, spike_time);
    co2_reading("Room1", 601, spike_time + 5s);

    const auto spikes = alerts("Room1", "co2-spike");
    ASSERT_EQ(spikes.size(), 1U);
    EXPECT_EQ(spikes[0].raised, spike_time);
    EXPECT_EQ(spikes[0].resolved, std::optional(spike_time + 5s));
    const auto queued = outbox();
    const auto mailed = std::find_if(queued.begin(), queued.end(), [](const auto& n) { return n.rule == "co2-spike"; });
    ASSERT_NE(mailed, queued.end());
    EXPECT_EQ(mailed->values.at("co2"), json::value(1400.0));
    EXPECT_TRUE(alerts("Room2").empty()) << alerts("Room2").front().id;
    EXPECT_TRUE(alerts("Room1", "co2-too-high").empty());
}

TEST_F(EngineAlerts, ASilentNodeAlertsOneMinuteAfterItsLastReadingAndClearsWhenItSpeaks) {
    co2_reading("Room1", 600, at(1s));
    co2_reading("Room2", 600, at(1s));
    co2_reading("Room2", 600, at(50s)); // Room2 keeps sending, Room1 falls silent
    co2_reading("Room2", 600, at(100s));
    // Silence is measured on arrival: the last reading arrived at 1.1 s.
    tick(at(61s));
    EXPECT_TRUE(alerts("Room1", "room-node-silent").empty());
    tick(at(61100ms));
    const auto silent = alerts("Room1", "room-node-silent");
    ASSERT_EQ(silent.size(), 1U);
    EXPECT_EQ(silent[0].raised, at(61100ms));
    EXPECT_EQ(silent[0].state, "firing");
    EXPECT_TRUE(alerts("Room2", "room-node-silent").empty());
    tick(at(120s)); // still silent: nothing new
    EXPECT_EQ(alerts("Room1", "room-node-silent").size(), 1U);

    co2_reading("Room1", 600, at(130s));
    EXPECT_EQ(alerts("Room1", "room-node-silent")[0].state, "resolved");
    EXPECT_EQ(outbox().size(), 1U);
}

TEST_F(EngineAlerts, AReadingOutsideTheSensorsRangeIsAFaultNotAirQuality) {
    co2_reading("Room1", 600, at(1s));
    co2_reading("Room1", 5001, at(6s));
    co2_reading("Room1", 610, at(11s));
    const auto faults = alerts("Room1", "co2-out-of-range");
    ASSERT_EQ(faults.size(), 1U);
    EXPECT_EQ(faults[0].raised, at(6s));
    EXPECT_EQ(faults[0].resolved, std::optional(at(11s)));
    EXPECT_EQ(faults[0].details.at("severity"), json::value("critical"));
}

TEST_F(EngineAlerts, ATemperatureThatStopsMovingIsAStuckSensorAtItsHundredAndTwentiethReading) {
    TimePoint t = at(1s);
    for (int i = 0; i < 10; ++i, t += 5s) {
        co2_reading("Room1", 600, t); // wandering temperature
    }
    const TimePoint stuck_from = t;
    for (int i = 0; i < 119; ++i, t += 5s) {
        room_reading("Room1", 22.37, 600, t);
    }
    EXPECT_TRUE(alerts("Room1", "temperature-stuck").empty()); // 119 equal readings: not yet
    room_reading("Room1", 22.37, 600, t);
    const auto stuck = alerts("Room1", "temperature-stuck");
    ASSERT_EQ(stuck.size(), 1U);
    EXPECT_EQ(stuck[0].raised, t);
    EXPECT_GT(t, stuck_from);
    co2_reading("Room1", 600, t + 5s); // moves again
    EXPECT_EQ(alerts("Room1", "temperature-stuck")[0].state, "resolved");
}

TEST_F(EngineAlerts, RestartResumesAFiringAlertInsteadOfRaisingItAgain) {
    door_reading(40, 90, 0, at(1s));
    ASSERT_EQ(alerts("Door", "door-slammed").size(), 1U);

    restart(at(10s), example_options());
    EXPECT_EQ(firing_notices(door_reading(40, 100, 0, at(11s))), 0U); // the same slam goes on
    door_reading(40, 0, 0, at(12s));

    const auto stored = alerts("Door", "door-slammed");
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].state, "resolved");
    EXPECT_EQ(stored[0].resolved, std::optional(at(12s)));
    EXPECT_EQ(outbox().size(), 1U);
    // And the next slam is instance 2.
    door_reading(40, -90, 0, at(13s));
    EXPECT_EQ(alerts("Door", "door-slammed").back().id, "Door/door-slammed/2");
}

TEST_F(EngineAlerts, AnAcknowledgementRequestIsAppliedOnceAndRecordedOnTheAlert) {
    door_reading(40, 90, 0, at(1s));
    store::WriteBatch request;
    request.put_alert_ack({"Door/door-slammed/1", at(2s), "alice", "door stop ordered"});
    ASSERT_TRUE(m_store->commit(request).has_value());

    m_clock.set(at(3s));
    ASSERT_TRUE(m_engine->sync_alert_requests().has_value());
    commit();

    const auto stored = alerts("Door", "door-slammed");
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].state, "firing");
    EXPECT_EQ(stored[0].details.at("acknowledgedBy"), json::value("alice"));
    EXPECT_EQ(stored[0].details.at("ackComment"), json::value("door stop ordered"));
    EXPECT_EQ(stored[0].details.at("acknowledgedAt"), json::value(core::format_time(at(3s))));
    EXPECT_TRUE(m_store->list_alert_acks()->empty());

    // Resolving keeps who acknowledged it.
    door_reading(40, 0, 0, at(4s));
    EXPECT_EQ(alerts("Door", "door-slammed")[0].details.at("acknowledgedBy"), json::value("alice"));
}

TEST_F(EngineAlerts, AnAcknowledgementThatCannotApplyIsDroppedWithARejection) {
    door_reading(40, 90, 0, at(1s));
    door_reading(40, 0, 0, at(2s)); // resolved before anyone acknowledged it
    store::WriteBatch request;
    request.put_alert_ack({"Door/door-slammed/1", at(3s), "bob", ""});
    request.put_alert_ack({"Door/no-such-rule/1", at(3s), "bob", ""});
    ASSERT_TRUE(m_store->commit(request).has_value());

    ASSERT_TRUE(m_engine->sync_alert_requests().has_value());
    commit();
    std::vector<RejectionReport> rejections;
    for (auto& rejection : m_engine->take_rejections()) {
        if (rejection.reason == "alert_ack") {
            rejections.push_back(std::move(rejection));
        }
    }
    ASSERT_EQ(rejections.size(), 2U);
    EXPECT_NE(rejections[1].message.find("no alert with this id"), std::string::npos) << rejections[1].message;
    EXPECT_NE(rejections[0].message.find("Door/door-slammed/1"), std::string::npos) << rejections[0].message;
    EXPECT_TRUE(m_store->list_alert_acks()->empty());
    EXPECT_FALSE(alerts("Door", "door-slammed")[0].details.contains("acknowledgedBy"));
}

TEST_F(EngineAlerts, ASilencedSlamIsStoredButNotSent) {
    store::WriteBatch silence;
    silence.put_silence({"s1", "Door", "*", at(0s), at(1h), at(0s), "maintenance"});
    ASSERT_TRUE(m_store->commit(silence).has_value());
    ASSERT_TRUE(m_engine->sync_alert_requests().has_value());

    EXPECT_EQ(door_reading(40, 90, 0, at(1s)).alerts.size(), 0U);
    const auto stored = alerts("Door", "door-slammed");
    ASSERT_EQ(stored.size(), 1U);
    EXPECT_EQ(stored[0].state, "firing");
    EXPECT_EQ(stored[0].details.at("reason"), json::value("silenced"));
    EXPECT_TRUE(outbox().empty());
    EXPECT_EQ(property("Door", "slammedAnomaly"), "\"slammed\""); // the twin still says so

    // Other twins are not silenced.
    co2_reading("Room1", 2500, at(2s));
    EXPECT_EQ(outbox().size(), 1U);
}

TEST_F(EngineAlerts, WithoutSinksAlertsAreStoredAndPublishedButNothingIsQueued) {
    EngineOptions options = example_options();
    options.notification_sinks.clear();
    start_engine(std::move(options));
    EXPECT_EQ(firing_notices(door_reading(40, 90, 0, at(1s))), 1U);
    EXPECT_EQ(alerts("Door").size(), 1U);
    EXPECT_TRUE(outbox().empty());
}

} // namespace
} // namespace dtwin::engine::testing
