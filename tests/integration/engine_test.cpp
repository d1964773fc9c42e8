// The twin engine over the door-and-two-rooms prototype: a graph built from the example's
// models, a real SQLite store in a temporary directory and a manual clock, so that every
// timer is checked to the millisecond. What is asserted is what a user sees: the twins'
// derived state, history, acks, events and their timing, connectivity and rejections.
#include "engine_test_support.hpp"

#include <gtest/gtest.h>

namespace dtwin::engine::testing {
namespace {

using EngineDoor = EngineTest;
using EngineOccupancy = EngineTest;
using EngineCommit = EngineTest;
using EngineRestart = EngineTest;
using EngineClockSkew = EngineTest;
using EngineRejection = EngineTest;
using EngineRetention = EngineTest;
using EngineFailure = EngineTest;
using EngineSubscriptions = EngineTest;

// ---- door state ---------------------------------------------------------------------

TEST_F(EngineDoor, StateFollowsMagnetAndAngleInEitherSwingDirection) {
    start_engine();
    struct Case {
        double angle;
        int magnet;
        const char* state;
    };
    const Case cases[] = {{42, 0, "open"},   {10, 0, "partially_open"},  {-42, 0, "open"},
                          {20, 1, "closed"}, {-10, 0, "partially_open"}, {3, 0, "closed"}};
    auto when = at(0s);
    for (const auto& c : cases) {
        when += 1s;
        SCOPED_TRACE("angle " + std::to_string(c.angle) + " magnet " + std::to_string(c.magnet));
        const auto out = door(c.angle, c.magnet, when);
        const std::string expected = "\"" + std::string(c.state) + "\"";
        EXPECT_EQ(property("Door", "doorState"), expected);
        EXPECT_TRUE(changed(out, "Door", "/doorState"));
        EXPECT_EQ(json::serialize(stored_twin("Door").at("doorState")), expected);
    }
}

TEST_F(EngineDoor, LateAngleSampleDoesNotMoveTheDoorButIsKeptInHistory) {
    start_engine();
    door(0, 1, at(5s));
    // Read at 3 s (door wide open), delivered at 6 s, after the closed reading of 5 s.
    const auto out = send("door", door_payload(42, 0, at(3s)), at(6s));
    EXPECT_EQ(property("Door", "doorState"), "\"closed\"");
    EXPECT_FALSE(changed(out, "Door", "/doorState"));
    EXPECT_EQ(m_graph->find_twin("Door")->property("angle")->as_double(), 0.0);
    const auto angles = history("Door", "angle");
    EXPECT_EQ(sample_texts(angles), (std::vector<std::string>{"42", "0"}));
    EXPECT_TRUE(history("Door", "doorState").empty());
}

TEST_F(EngineDoor, StateChangesAreInHistoryAtTheReadingsSourceTime) {
    start_engine();
    door(42, 0, at(2s));
    door(0, 1, at(4s));
    const auto states = history("Door", "doorState");
    EXPECT_EQ(sample_texts(states), (std::vector<std::string>{"\"open\"", "\"closed\""}));
    ASSERT_EQ(states.size(), 2U);
    EXPECT_EQ(states[0].source_time, at(2s));
    EXPECT_EQ(states[1].source_time, at(4s));
}

// ---- occupancy ----------------------------------------------------------------------

TEST_F(EngineOccupancy, HallwayIsOccupiedForExactlyTenSecondsAfterMotion) {
    start_engine();
    EXPECT_TRUE(changed(motion("Room2", 1, at(1s)), "Room2", "/occupancy"));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    EXPECT_EQ(m_engine->next_deadline(), std::optional(at(11s)));
    EXPECT_FALSE(changed(tick(at(10999ms)), "Room2", "/occupancy"));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    EXPECT_TRUE(changed(tick(at(11s)), "Room2", "/occupancy"));
    EXPECT_EQ(occupancy("Room2"), "\"not_occupied\"");
    const auto states = history("Room2", "occupancy");
    EXPECT_EQ(sample_texts(states), (std::vector<std::string>{"\"occupied\"", "\"not_occupied\""}));
    ASSERT_EQ(states.size(), 2U);
    EXPECT_EQ(states[0].source_time, at(1s));
    EXPECT_EQ(states[1].source_time, at(11s));
    EXPECT_EQ(m_engine->next_deadline(), std::nullopt);
}

TEST_F(EngineOccupancy, RepeatedMotionExtendsTheTimeoutAndMotionFalseDoesNotEndIt) {
    start_engine();
    motion("Room2", 1, at(1s));
    motion("Room2", 1, at(6s));
    motion("Room2", 0, at(8s)); // the PIR's next quiet reading
    tick(at(11s));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    EXPECT_EQ(m_engine->next_deadline(), std::optional(at(16s)));
    tick(at(15999ms));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    tick(at(16s));
    EXPECT_EQ(occupancy("Room2"), "\"not_occupied\"");
}

TEST_F(EngineOccupancy, EnclosedRoomStaysOccupiedThirtySecondsWhenMotionFollowsTheDoorClosing) {
    start_engine();
    door(42, 0, at(1s));
    door(0, 1, at(2s));
    motion("Room1", 1, at(3s));
    EXPECT_EQ(m_engine->next_deadline(), std::optional(at(33s)));
    tick(at(32900ms));
    EXPECT_EQ(occupancy("Room1"), "\"occupied\"");
    tick(at(33s));
    EXPECT_EQ(occupancy("Room1"), "\"not_occupied\"");
}

TEST_F(EngineOccupancy, EnclosedRoomUsesTenSecondsWhenMotionCameBeforeTheDoorClosed) {
    start_engine();
    door(42, 0, at(1s));
    motion("Room1", 1, at(2s));
    door(0, 1, at(3s)); // closed from outside after leaving
    tick(at(11999ms));
    EXPECT_EQ(occupancy("Room1"), "\"occupied\"");
    tick(at(12s));
    EXPECT_EQ(occupancy("Room1"), "\"not_occupied\"");
}

TEST_F(EngineOccupancy, DoorOpeningWhileShutInSwitchesToTheShortTimeoutFromTheMotion) {
    start_engine();
    door(42, 0, at(1s));
    door(0, 1, at(2s));
    motion("Room1", 1, at(3s));
    door(42, 0, at(8s));
    EXPECT_EQ(occupancy("Room1"), "\"occupied\"");
    EXPECT_EQ(m_engine->next_deadline(), std::optional(at(13s)));
    tick(at(12999ms));
    EXPECT_EQ(occupancy("Room1"), "\"occupied\"");
    tick(at(13s));
    EXPECT_EQ(occupancy("Room1"), "\"not_occupied\"");
}

TEST_F(EngineOccupancy, DoorOpenedMoreThanTenSecondsAfterTheMotionEndsOccupancyAtTheOpening) {
    start_engine();
    door(42, 0, at(1s));
    door(0, 1, at(2s));
    motion("Room1", 1, at(3s));
    tick(at(17s));
    EXPECT_EQ(occupancy("Room1"), "\"occupied\"");
    EXPECT_TRUE(changed(door(42, 0, at(18s)), "Room1", "/occupancy"));
    EXPECT_EQ(occupancy("Room1"), "\"not_occupied\"");
    const auto states = history("Room1", "occupancy");
    ASSERT_FALSE(states.empty());
    EXPECT_EQ(states.back().source_time, at(18s));
}

TEST_F(EngineOccupancy, HallwayIgnoresTheClosedDoor) {
    start_engine();
    door(42, 0, at(1s));
    door(0, 1, at(2s));
    motion("Room2", 1, at(3s));
    tick(at(12999ms));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    tick(at(13s));
    EXPECT_EQ(occupancy("Room2"), "\"not_occupied\"");
}

// ---- commit: events, acks and the gateway cursor ---------------------------------------

TEST_F(EngineCommit, ChangesReachTheStoreAndSubscribersOnlyAtCommit) {
    start_engine();
    m_clock.set(at(1s));
    m_engine->on_message("rooms/Room2", room_payload({{"temperature", 21.5}}, at(1s)), at(1s));
    EXPECT_TRUE(m_engine->has_pending());
    EXPECT_EQ(m_engine->pending_messages(), 1U);
    EXPECT_FALSE(stored_twin("Room2").contains("temperature"));
    EXPECT_TRUE(history("Room2", "temperature").empty());

    const auto out = commit();
    EXPECT_TRUE(changed(out, "Room2", "/temperature"));
    EXPECT_EQ(stored_twin("Room2").at("temperature").as_double(), 21.5);
    EXPECT_EQ(sample_texts(history("Room2", "temperature")), (std::vector<std::string>{"21.5"}));
    EXPECT_FALSE(m_engine->has_pending());
    EXPECT_EQ(m_engine->pending_messages(), 0U);
    EXPECT_TRUE(commit().changes.empty()) << "events are handed out once";
}

TEST_F(EngineCommit, EnvelopeIsAckedWithItsHighestSequenceOnceTheCursorIsStored) {
    start_engine();
    m_clock.set(at(10s));
    m_engine->on_message("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(10s));
    EXPECT_EQ(m_store->cursor("gw:pi5").value(), std::nullopt);

    const auto out = commit();
    ASSERT_EQ(out.acks.size(), 1U);
    EXPECT_EQ(out.acks[0].gateway, "pi5");
    EXPECT_EQ(out.acks[0].highest_sequence, 3U);
    EXPECT_EQ(m_store->cursor(gateway_cursor_name("pi5")).value(), std::optional<std::uint64_t>(3));
    EXPECT_EQ(m_store->cursor("gw:pi5").value(), std::optional<std::uint64_t>(3));
    const auto samples = history("Room2", "temperature");
    EXPECT_EQ(sample_texts(samples), (std::vector<std::string>{"21", "22", "23"}));
    ASSERT_EQ(samples.size(), 3U);
    EXPECT_EQ(samples[2].sequence, 3U);
    EXPECT_EQ(m_engine->counters().envelopes, 1U);
    EXPECT_EQ(m_engine->counters().messages, 3U);
}

TEST_F(EngineCommit, ReplayedEnvelopeIsAckedAgainButAppliesNothing) {
    start_engine();
    send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(10s));
    const EngineCounters before = m_engine->counters();

    const auto out = send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(11s));
    ASSERT_EQ(out.acks.size(), 1U);
    EXPECT_EQ(out.acks[0].highest_sequence, 3U);
    EXPECT_TRUE(out.changes.empty());
    EXPECT_EQ(m_engine->counters().duplicates, 3U);
    EXPECT_EQ(m_engine->counters().updates_applied, before.updates_applied);
    EXPECT_EQ(m_engine->counters().samples, before.samples);
    EXPECT_EQ(history("Room2", "temperature").size(), 3U);
}

TEST_F(EngineCommit, PartlyReplayedEnvelopeAppliesOnlyTheNewSequences) {
    start_engine();
    send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(10s));
    const auto out = send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 2, 5), at(11s));
    EXPECT_EQ(m_engine->counters().duplicates, 2U);
    EXPECT_EQ(m_engine->counters().sequence_gaps, 0U);
    ASSERT_EQ(out.acks.size(), 1U);
    EXPECT_EQ(out.acks[0].highest_sequence, 5U);
    EXPECT_EQ(m_store->cursor("gw:pi5").value(), std::optional<std::uint64_t>(5));
    EXPECT_EQ(sample_texts(history("Room2", "temperature")), (std::vector<std::string>{"21", "22", "23", "24", "25"}));
}

TEST_F(EngineCommit, GatewayThatLostMessagesIsCountedAndItsNewMessagesStillApply) {
    start_engine();
    send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(10s));
    const auto out = send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 5, 6), at(11s));
    EXPECT_EQ(m_engine->counters().sequence_gaps, 1U);
    ASSERT_EQ(out.acks.size(), 1U);
    EXPECT_EQ(out.acks[0].highest_sequence, 6U);
    EXPECT_EQ(history("Room2", "temperature").size(), 5U);
}

// engine.hpp: gateway_cursor() is the "committed cursor of a gateway".
TEST_F(EngineCommit, GatewayCursorCountsOnlyCommittedSequences) {
    start_engine();
    m_clock.set(at(10s));
    m_engine->on_message("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(10s));
    EXPECT_EQ(m_engine->gateway_cursor("pi5"), 0U) << "nothing of pi5 is committed yet";
    commit();
    EXPECT_EQ(m_engine->gateway_cursor("pi5"), 3U);
}

// ---- restart ------------------------------------------------------------------------

TEST_F(EngineRestart, ContinuesTheGatewayCursorSoAReplayIsDropped) {
    start_engine();
    send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(10s));
    restart(at(20s));
    EXPECT_EQ(m_engine->gateway_cursor("pi5"), 3U);

    const auto out = send("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 3), at(21s));
    ASSERT_EQ(out.acks.size(), 1U);
    EXPECT_EQ(out.acks[0].highest_sequence, 3U);
    EXPECT_TRUE(out.changes.empty());
    EXPECT_EQ(m_engine->counters().duplicates, 3U);
    EXPECT_EQ(m_engine->counters().updates_applied, 0U);
    EXPECT_EQ(history("Room2", "temperature").size(), 3U);
}

TEST_F(EngineRestart, EndsAnOccupancyThatExpiredWhileTheServerWasDown) {
    start_engine();
    motion("Room2", 1, at(1s));
    const auto out = restart(at(60s));
    EXPECT_TRUE(changed(out, "Room2", "/occupancy"));
    EXPECT_EQ(occupancy("Room2"), "\"not_occupied\"");
    EXPECT_EQ(json::serialize(stored_twin("Room2").at("occupancy")), "\"not_occupied\"");
    const auto states = history("Room2", "occupancy");
    ASSERT_EQ(states.size(), 2U);
    EXPECT_EQ(states[1].source_time, at(11s)) << "stamped when it ended, not when the server noticed";
}

TEST_F(EngineRestart, KeepsAnOccupancyThatIsStillRunningAndItsTimer) {
    start_engine();
    motion("Room2", 1, at(1s));
    const auto out = restart(at(5s));
    EXPECT_FALSE(changed(out, "Room2", "/occupancy"));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    EXPECT_EQ(m_engine->next_deadline(), std::optional(at(11s)));
    tick(at(10999ms));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    tick(at(11s));
    EXPECT_EQ(occupancy("Room2"), "\"not_occupied\"");
}

// A room node reports motion 0 between detections (the PIR's "no motion in this
// reading"), so the stored motion is usually false while the room is still occupied, and
// the last detection is often a repeat of an earlier one.
TEST_F(EngineRestart, KeepsAnOccupancyWhenTheLastMotionReadingWasFalse) {
    start_engine();
    motion("Room2", 1, at(1s));
    motion("Room2", 1, at(4s));
    motion("Room2", 0, at(6s));
    const auto out = restart(at(12s));
    EXPECT_FALSE(changed(out, "Room2", "/occupancy"));
    EXPECT_EQ(occupancy("Room2"), "\"occupied\"");
    EXPECT_EQ(m_engine->next_deadline(), std::optional(at(14s)));
    tick(at(14s));
    EXPECT_EQ(occupancy("Room2"), "\"not_occupied\"");
}

// ---- liveness -----------------------------------------------------------------------

class EngineLiveness : public EngineTest {
protected:
    /// Room2 heard at 1 s (temperature and co2), then silent: offline at 16 s.
    CommitOutput silence_room2() {
        start_engine(liveness_options());
        send("rooms/Room2", room_payload({{"temperature", 21.5}, {"co2", 600.0}}, at(1s)), at(1s));
        EXPECT_TRUE(connectivity_of(tick(at(15999ms)), "Room2").empty());
        return tick(at(16s));
    }
    bool stale(std::string_view twin, std::string_view name) const {
        const auto* metadata = m_graph->find_twin(twin)->metadata(name);
        return metadata != nullptr && metadata->stale;
    }
};

TEST_F(EngineLiveness, EachTwinGoesOfflineWhenItsOwnSilenceLimitPasses) {
    start_engine(liveness_options());
    const auto door_out = tick(at(5s));
    const auto door_changes = connectivity_of(door_out, "Door");
    ASSERT_EQ(door_changes.size(), 1U);
    EXPECT_FALSE(door_changes[0].online);
    EXPECT_EQ(door_changes[0].reason, "silent");
    EXPECT_EQ(door_changes[0].last_seen, std::nullopt);
    EXPECT_TRUE(connectivity_of(door_out, "Room1").empty());
    EXPECT_EQ(connectivity_of(tick(at(15s)), "Room1").size(), 1U);
}

TEST_F(EngineLiveness, SilentDeviceMarksItsMeasuredPropertiesStaleButNotDerivedOnes) {
    const auto out = silence_room2();
    const auto changes = connectivity_of(out, "Room2");
    ASSERT_EQ(changes.size(), 1U);
    EXPECT_FALSE(changes[0].online);
    EXPECT_EQ(changes[0].reason, "silent");
    EXPECT_EQ(changes[0].time, at(16s));
    EXPECT_EQ(changes[0].last_seen, std::optional(at(1s)));
    EXPECT_TRUE(stale("Room2", "temperature"));
    EXPECT_TRUE(stale("Room2", "co2"));
    EXPECT_TRUE(stale("Room2", "roomTimestamp"));
    EXPECT_FALSE(stale("Room2", "occupancy"));
    const auto metadata = stored_twin("Room2").at("$metadata").as_object();
    EXPECT_EQ(metadata.at("temperature").as_object().at("stale"), json::value(true));
    EXPECT_FALSE(metadata.at("occupancy").as_object().contains("stale"));
}

TEST_F(EngineLiveness, NextMessageBringsTheTwinBackOnlineAndClearsEveryStaleMark) {
    silence_room2();
    const auto out = send("rooms/Room2", room_payload({{"temperature", 22.0}}, at(20s)), at(20s));
    const auto changes = connectivity_of(out, "Room2");
    ASSERT_EQ(changes.size(), 1U);
    EXPECT_TRUE(changes[0].online);
    EXPECT_EQ(changes[0].reason, "seen");
    EXPECT_EQ(changes[0].time, at(20s));
    EXPECT_FALSE(stale("Room2", "temperature"));
    EXPECT_FALSE(stale("Room2", "co2")) << "not in the message, but its device is back";
    const auto metadata = stored_twin("Room2").at("$metadata").as_object();
    EXPECT_FALSE(metadata.at("co2").as_object().contains("stale"));
}

TEST_F(EngineLiveness, LastWillMarksTheTwinOfflineAtOnceAndOnlineStatusAloneDoesNot) {
    start_engine(liveness_options());
    send("rooms/Room2", room_payload({{"temperature", 21.5}}, at(1s)), at(1s));
    const auto offline = connectivity_of(send("rooms/Room2/status", "offline", at(2s)), "Room2");
    ASSERT_EQ(offline.size(), 1U);
    EXPECT_FALSE(offline[0].online);
    EXPECT_EQ(offline[0].reason, "last_will");
    EXPECT_TRUE(stale("Room2", "temperature"));

    EXPECT_TRUE(connectivity_of(send("rooms/Room2/status", "online", at(3s)), "Room2").empty());
    EXPECT_TRUE(stale("Room2", "temperature"));
    EXPECT_TRUE(m_engine->take_rejections().empty()) << "status topics are not device messages";

    const auto back = connectivity_of(send("rooms/Room2", room_payload({{"co2", 500.0}}, at(4s)), at(4s)), "Room2");
    ASSERT_EQ(back.size(), 1U);
    EXPECT_TRUE(back[0].online);
    EXPECT_FALSE(stale("Room2", "temperature"));
}

TEST_F(EngineLiveness, RestartKeepsAStaleTwinOfflineUntilItSpeaks) {
    silence_room2();
    const auto restarted = restart(at(30s), liveness_options());
    EXPECT_TRUE(connectivity_of(restarted, "Room2").empty());
    EXPECT_TRUE(stale("Room2", "temperature")) << "the mark is stored with the twin";
    EXPECT_TRUE(connectivity_of(tick(at(50s)), "Room2").empty()) << "no second offline event";
    const auto back = connectivity_of(send("rooms/Room2", room_payload({{"co2", 500.0}}, at(51s)), at(51s)), "Room2");
    ASSERT_EQ(back.size(), 1U);
    EXPECT_TRUE(back[0].online);
    EXPECT_EQ(back[0].reason, "seen");
    EXPECT_FALSE(stale("Room2", "temperature"));
}

// ---- clock skew ---------------------------------------------------------------------

TEST_F(EngineClockSkew, InvalidTimestampIsReplacedAndFlaggedUntilAGoodOneArrives) {
    start_engine();
    const std::string bad = "0000-00-00T00:00:00.000Z";
    send("rooms/Room2", json::serialize(json::object{{"temperature", 21.0}, {"timestamp", bad}}), at(1s));
    send("rooms/Room2", json::serialize(json::object{{"temperature", 21.5}, {"timestamp", bad}}), at(2s));
    const core::ClockSkewFlag* flag = m_graph->find_twin("Room2")->clock_skew();
    ASSERT_NE(flag, nullptr);
    EXPECT_EQ(flag->reason, "invalid");
    EXPECT_EQ(flag->timestamp, bad);
    EXPECT_EQ(flag->count, 2U);
    EXPECT_EQ(flag->since, at(1s));
    EXPECT_EQ(flag->last, at(2s));
    EXPECT_EQ(m_engine->counters().timestamps_replaced.at("invalid"), 2U);
    EXPECT_EQ(property("Room2", "roomTimestamp"), "\"" + core::format_time(at(2s)) + "\"");
    EXPECT_TRUE(stored_twin("Room2").at("$metadata").as_object().contains("$clockSkew"));
    const auto samples = history("Room2", "temperature");
    ASSERT_EQ(samples.size(), 2U) << "each stamped with its receive time";
    EXPECT_EQ(samples[1].source_time, at(2s));

    send("rooms/Room2", room_payload({{"temperature", 22.0}}, at(3s)), at(3s));
    EXPECT_EQ(m_graph->find_twin("Room2")->clock_skew(), nullptr);
    EXPECT_FALSE(stored_twin("Room2").at("$metadata").as_object().contains("$clockSkew"));
    EXPECT_EQ(m_engine->counters().timestamps_replaced.at("invalid"), 2U);
}

// ---- rejections ---------------------------------------------------------------------

TEST_F(EngineRejection, EachRejectionNamesReasonTopicAndTwinAndIsCounted) {
    EngineOptions options = prototype_options();
    options.time_options.max_lateness = 1h;
    start_engine(options);
    m_clock.set(at(10s));
    m_engine->on_message("rooms/Room1", "{not json", at(10s));
    m_engine->on_message("rooms/Room9", room_payload({{"temperature", 20.0}}, at(10s)), at(10s));
    m_engine->on_message("rooms/Room1", room_payload({{"temperature", "warm"}}, at(10s)), at(10s));
    m_engine->on_message("rooms/Room1", room_payload({{"temperature", 20.0}}, at(10s) - 2h), at(10s));
    EXPECT_FALSE(m_engine->has_pending()) << "a rejection changes no state";

    const auto rejections = m_engine->take_rejections();
    ASSERT_EQ(rejections.size(), 4U);
    const std::pair<const char*, const char*> expected[] = {
        {"invalid_json", ""}, {"unknown_twin", "Room9"}, {"wrong_type", "Room1"}, {"too_late", "Room1"}};
    for (std::size_t i = 0; i < rejections.size(); ++i) {
        EXPECT_EQ(rejections[i].reason, expected[i].first);
        EXPECT_EQ(rejections[i].twin_id, expected[i].second);
        EXPECT_EQ(rejections[i].topic, i == 1 ? "rooms/Room9" : "rooms/Room1");
        EXPECT_EQ(rejections[i].receive_time, at(10s));
        EXPECT_FALSE(rejections[i].message.empty());
        EXPECT_EQ(m_engine->counters().rejected.at(rejections[i].reason), 1U) << rejections[i].reason;
    }
    EXPECT_EQ(rejections[2].pointer, "/temperature");
    EXPECT_EQ(rejections[3].pointer, "/timestamp");
    EXPECT_TRUE(m_engine->take_rejections().empty());
    EXPECT_EQ(property("Room1", "temperature"), "(unset)");
}

TEST_F(EngineRejection, BadPartOfACombinedDocumentDoesNotStopTheRest) {
    EngineOptions options = prototype_options();
    options.mappings.push_back(combined_device_1_rule());
    start_engine(options);
    json::object document = json::parse(door_payload(42, 0, at(1s))).as_object();
    document["remote_data"] = {
        {"device_1", {{"temperature", "warm"}, {"motion", 1}, {"timestamp", core::format_time(at(1s))}}}};
    const auto out = send("door", json::serialize(document), at(1s));
    EXPECT_EQ(property("Door", "doorState"), "\"open\"");
    EXPECT_TRUE(changed(out, "Door", "/doorState"));
    EXPECT_EQ(property("Room1", "motion"), "(unset)");
    EXPECT_EQ(occupancy("Room1"), "\"not_occupied\"");
    const auto rejections = m_engine->take_rejections();
    ASSERT_EQ(rejections.size(), 1U);
    EXPECT_EQ(rejections[0].reason, "wrong_type");
    EXPECT_EQ(rejections[0].topic, "door");
    EXPECT_EQ(rejections[0].rule, "combined-device_1");
    EXPECT_EQ(rejections[0].twin_id, "Room1");
    EXPECT_EQ(rejections[0].pointer, "/remote_data/device_1/temperature");
}

TEST_F(EngineRejection, RejectionsInsideAnEnvelopeNameGatewayAndSequenceAndAreStillAcked) {
    start_engine();
    ingest::Envelope envelope{"pi5",
                              {{1, "rooms/Room2", room_payload({{"temperature", 21.0}}, at(1s)), at(1s)},
                               {2, "rooms/Room2", "{bad", at(2s)},
                               {3, "rooms/Room2", room_payload({{"temperature", 23.0}}, at(3s)), at(3s)}}};
    const auto out = send("dtwin/gw/pi5/up", ingest::encode_envelope(envelope), at(4s));
    ASSERT_EQ(out.acks.size(), 1U);
    EXPECT_EQ(out.acks[0].highest_sequence, 3U) << "a bad message is done with, not retried forever";
    EXPECT_EQ(history("Room2", "temperature").size(), 2U);
    auto rejections = m_engine->take_rejections();
    ASSERT_EQ(rejections.size(), 1U);
    EXPECT_EQ(rejections[0].reason, "invalid_json");
    EXPECT_EQ(rejections[0].topic, "rooms/Room2");
    EXPECT_EQ(rejections[0].gateway, "pi5");
    EXPECT_EQ(rejections[0].sequence, 2U);

    const auto broken = send("dtwin/gw/pi5/up", R"({"version":)", at(5s));
    EXPECT_TRUE(broken.acks.empty());
    rejections = m_engine->take_rejections();
    ASSERT_EQ(rejections.size(), 1U);
    EXPECT_EQ(rejections[0].reason, "invalid_envelope");
    EXPECT_EQ(rejections[0].topic, "dtwin/gw/pi5/up");
    EXPECT_EQ(rejections[0].gateway, "pi5");
}

// ---- retention ----------------------------------------------------------------------

TEST_F(EngineRetention, PrunesSamplesOlderThanTheRetentionEveryHour) {
    EngineOptions options = prototype_options();
    options.history_retention = 1h;
    start_engine(options);
    send("rooms/Room2", room_payload({{"temperature", 19.0}}, t0() - 3h), t0());
    send("rooms/Room2", room_payload({{"temperature", 20.0}}, t0() - 30min), t0());
    ASSERT_EQ(history("Room2", "temperature").size(), 2U);
    EXPECT_EQ(m_engine->next_deadline(), std::optional(t0()));

    tick(t0());
    EXPECT_EQ(sample_texts(history("Room2", "temperature")), (std::vector<std::string>{"20"}));
    EXPECT_EQ(history("Room2", "roomTimestamp").size(), 1U);
    EXPECT_EQ(m_engine->counters().samples_pruned, 2U) << "temperature and roomTimestamp of 3 h ago";
    EXPECT_EQ(m_engine->next_deadline(), std::optional(t0() + 1h));

    tick(t0() + 59min);
    EXPECT_EQ(history("Room2", "temperature").size(), 1U) << "retention runs hourly";
    tick(t0() + 1h);
    EXPECT_TRUE(history("Room2", "temperature").empty());
}

// ---- failed commit ------------------------------------------------------------------

TEST_F(EngineFailure, CommitToAReadOnlyStoreFailsAndTheEngineStaysFailed) {
    auto read_only = store::testing::open_or_fail(m_dir.url(), {.read_only = true});
    ASSERT_NE(read_only, nullptr);
    Engine engine(*m_graph, *read_only, prototype_options(), m_clock);
    ASSERT_TRUE(engine.start().has_value());
    m_clock.set(at(1s));
    engine.on_message("dtwin/gw/pi5/up", temperature_envelope("pi5", "Room2", 1, 1), at(1s));
    const auto first = engine.commit();
    ASSERT_FALSE(first.has_value()) << "no ack may leave for an uncommitted message";
    EXPECT_EQ(first.error().code, core::ErrorCode::storage);
    EXPECT_TRUE(engine.failed());

    engine.on_message("rooms/Room2", room_payload({{"temperature", 22.0}}, at(2s)), at(2s));
    const auto second = engine.commit();
    ASSERT_FALSE(second.has_value());
    EXPECT_TRUE(engine.failed());
    EXPECT_EQ(m_store->cursor("gw:pi5").value(), std::nullopt);
    EXPECT_TRUE(history("Room2", "temperature").empty());
}

TEST_F(EngineSubscriptions, SubscribesToEveryMappingTheEnvelopesAndTheStatusTopics) {
    const Engine engine(*m_graph, *m_store, liveness_options(), m_clock);
    EXPECT_EQ(engine.subscriptions(), (std::vector<std::string>{"door", "dtwin/gw/+/up", "rooms/+", "rooms/+/status"}));
}

} // namespace
} // namespace dtwin::engine::testing
