// Derived state: the door rule and the occupancy state machine, to the millisecond.
#include "core/door_state.hpp"
#include "core/occupancy.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <string>

using namespace dtwin::core;
using namespace std::chrono_literals;

namespace {

// --- door state ----------------------------------------------------------------------

struct DoorCase {
    double angle;
    bool magnet;
    DoorState expected;
};

std::string describe(const DoorCase& c) {
    return "angle=" + std::to_string(c.angle) + " magnet=" + (c.magnet ? "true" : "false");
}

TEST(DoorState, FollowsThePrototypeThresholds) {
    const DoorCase cases[] = {
        {0.0, false, DoorState::closed},
        {5.0, false, DoorState::closed}, // the closed bound is inclusive
        {5.001, false, DoorState::partially_open},
        {17.0, false, DoorState::partially_open},
        {30.0, false, DoorState::partially_open}, // the open bound is exclusive
        {30.001, false, DoorState::open},
        {90.0, false, DoorState::open},
        // The other swing direction behaves the same.
        {-5.0, false, DoorState::closed},
        {-5.001, false, DoorState::partially_open},
        {-30.0, false, DoorState::partially_open},
        {-30.001, false, DoorState::open},
        {-120.0, false, DoorState::open},
        // The magnet overrides any angle (a drifting gyro must not open a shut door).
        {0.0, true, DoorState::closed},
        {17.0, true, DoorState::closed},
        {90.0, true, DoorState::closed},
        {-90.0, true, DoorState::closed},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(derive_door_state(c.angle, c.magnet), c.expected) << describe(c);
    }
}

TEST(DoorState, NonFiniteAnglesNeverCrashAndFollowTheDocumentedRule) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(derive_door_state(nan, true), DoorState::closed);
    EXPECT_EQ(derive_door_state(nan, false), DoorState::partially_open);
    EXPECT_EQ(derive_door_state(-nan, false), DoorState::partially_open);
    EXPECT_EQ(derive_door_state(inf, false), DoorState::open);
    EXPECT_EQ(derive_door_state(-inf, false), DoorState::open);
    EXPECT_EQ(derive_door_state(inf, true), DoorState::closed);
}

TEST(DoorState, ThresholdsAreParameters) {
    const DoorStateParameters strict{.closed_max_angle = 2.0, .open_min_angle = 45.0};
    EXPECT_EQ(derive_door_state(2.0, false, strict), DoorState::closed);
    EXPECT_EQ(derive_door_state(3.0, false, strict), DoorState::partially_open);
    EXPECT_EQ(derive_door_state(45.0, false, strict), DoorState::partially_open);
    EXPECT_EQ(derive_door_state(45.001, false, strict), DoorState::open);
    // An empty partially-open band is allowed: a two-state door.
    const DoorStateParameters two_state{.closed_max_angle = 10.0, .open_min_angle = 10.0};
    EXPECT_EQ(derive_door_state(10.0, false, two_state), DoorState::closed);
    EXPECT_EQ(derive_door_state(10.001, false, two_state), DoorState::open);
}

TEST(DoorState, NamesMatchTheDoorModelEnum) {
    EXPECT_EQ(door_state_name(DoorState::closed), "closed");
    EXPECT_EQ(door_state_name(DoorState::open), "open");
    EXPECT_EQ(door_state_name(DoorState::partially_open), "partially_open");
}

// --- occupancy -----------------------------------------------------------------------

// A fixed origin; every test counts in milliseconds from it.
const TimePoint k_t0 = *parse_time("2026-11-24T23:00:00Z");

TimePoint at(std::chrono::milliseconds offset) {
    return k_t0 + offset;
}

const OccupancyParameters k_hallway{.enclosed = false};
const OccupancyParameters k_room{.enclosed = true};

TEST(Occupancy, NamesMatchTheRoomModelEnum) {
    EXPECT_EQ(occupancy_name(Occupancy::occupied), "occupied");
    EXPECT_EQ(occupancy_name(Occupancy::not_occupied), "not_occupied");
}

TEST(Occupancy, NothingSeenMeansNotOccupiedAndNoTimer) {
    const OccupancyTracker room(k_room);
    EXPECT_EQ(room.state_at(at(0ms)), Occupancy::not_occupied);
    EXPECT_FALSE(room.next_change_after(at(0ms)));
    EXPECT_FALSE(room.occupied_until());
}

TEST(Occupancy, HallwayExpiresExactlyTenSecondsAfterTheLastMotion) {
    OccupancyTracker hall(k_hallway);
    hall.on_motion(at(1'000ms), true);
    EXPECT_EQ(hall.state_at(at(1'000ms)), Occupancy::occupied);
    EXPECT_EQ(hall.state_at(at(10'999ms)), Occupancy::occupied);
    EXPECT_EQ(hall.state_at(at(11'000ms)), Occupancy::not_occupied); // exclusive boundary
    // A closed door does not matter in a hallway.
    hall.on_door(at(500ms), DoorState::closed);
    EXPECT_EQ(hall.state_at(at(11'000ms)), Occupancy::not_occupied);
}

TEST(Occupancy, MotionFalseIsNotActivity) {
    OccupancyTracker hall(k_hallway);
    hall.on_motion(at(0ms), false);
    EXPECT_EQ(hall.state_at(at(0ms)), Occupancy::not_occupied);
    hall.on_motion(at(1'000ms), true);
    hall.on_motion(at(5'000ms), false); // neither extends nor ends occupancy
    EXPECT_EQ(hall.occupied_until(), at(11'000ms));
}

TEST(Occupancy, NewMotionRestartsTheTimeout) {
    OccupancyTracker hall(k_hallway);
    hall.on_motion(at(0ms), true);
    hall.on_motion(at(9'000ms), true);
    EXPECT_EQ(hall.state_at(at(18'999ms)), Occupancy::occupied);
    EXPECT_EQ(hall.state_at(at(19'000ms)), Occupancy::not_occupied);
}

// Each case: door events (if any) and one motion, then the expected end of occupancy,
// all in ms from k_t0.
struct RoomCase {
    const char* name;
    bool enclosed;
    std::optional<long> closed_at;
    std::optional<long> opened_at; // applied after closed_at
    long motion_at;
    long expected_until;
};

TEST(Occupancy, TimeoutDependsOnTheDoorAndWhenItClosed) {
    const RoomCase cases[] = {
        {"enclosed, door never reported", true, std::nullopt, std::nullopt, 1'000, 11'000},
        {"enclosed, motion after the door closed: shut in", true, 1'000, std::nullopt, 2'000, 32'000},
        {"enclosed, motion 1 ms after the door closed", true, 1'000, std::nullopt, 1'001, 31'001},
        {"enclosed, motion at the instant the door closed", true, 1'000, std::nullopt, 1'000, 11'000},
        {"enclosed, motion before the door closed", true, 5'000, std::nullopt, 2'000, 12'000},
        {"enclosed, door open", true, std::nullopt, 0, 2'000, 12'000},
        {"enclosed, motion after the door reopened", true, 0, 1'000, 2'000, 12'000},
        {"hallway, motion after the door closed", false, 1'000, std::nullopt, 2'000, 12'000},
        // Shut in, then the door opens: short timeout from the motion, cut at the opening.
        {"shut in, door opens within 10 s of the motion", true, 0, 6'000, 1'000, 11'000},
        {"shut in, door opens 10-30 s after the motion", true, 0, 20'000, 1'000, 20'000},
        {"shut in, door opens after the 30 s ran out", true, 0, 40'000, 1'000, 31'000},
    };
    for (const auto& c : cases) {
        OccupancyTracker room({.enclosed = c.enclosed});
        if (c.closed_at) {
            room.on_door(at(std::chrono::milliseconds{*c.closed_at}), DoorState::closed);
        }
        if (c.opened_at) {
            room.on_door(at(std::chrono::milliseconds{*c.opened_at}), DoorState::open);
        }
        room.on_motion(at(std::chrono::milliseconds{c.motion_at}), true);
        const TimePoint until = at(std::chrono::milliseconds{c.expected_until});
        EXPECT_EQ(room.occupied_until(), until) << c.name;
        EXPECT_EQ(room.state_at(until - 1ms), Occupancy::occupied) << c.name;
        EXPECT_EQ(room.state_at(until), Occupancy::not_occupied) << c.name;
    }
}

TEST(Occupancy, ShutInStaysOccupiedForThirtySeconds) {
    OccupancyTracker room(k_room);
    room.on_door(at(0ms), DoorState::closed);
    room.on_motion(at(2'000ms), true);
    EXPECT_EQ(room.state_at(at(12'000ms)), Occupancy::occupied); // a hallway would have expired
    EXPECT_EQ(room.state_at(at(31'999ms)), Occupancy::occupied);
    EXPECT_EQ(room.state_at(at(32'000ms)), Occupancy::not_occupied);
}

TEST(Occupancy, RepeatedClosedReportsDoNotMoveTheClosingInstant) {
    OccupancyTracker room(k_room);
    room.on_door(at(0ms), DoorState::closed);
    room.on_motion(at(2'000ms), true);
    room.on_door(at(3'000ms), DoorState::closed); // periodic report, door still shut
    EXPECT_EQ(room.occupied_until(), at(32'000ms));
}

TEST(Occupancy, OpeningWhileShutInEndsOccupancyAtTheOpeningWhenTenSecondsArePast) {
    OccupancyTracker room(k_room);
    room.on_door(at(0ms), DoorState::closed);
    room.on_motion(at(1'000ms), true);
    EXPECT_EQ(room.next_change_after(at(15'000ms)), at(31'000ms));
    room.on_door(at(15'000ms), DoorState::partially_open); // partially open counts as open
    EXPECT_EQ(room.state_at(at(14'999ms)), Occupancy::occupied);
    EXPECT_EQ(room.state_at(at(15'000ms)), Occupancy::not_occupied);
    EXPECT_FALSE(room.next_change_after(at(15'000ms)));
    // Swinging further open is not a new opening.
    room.on_door(at(16'000ms), DoorState::open);
    EXPECT_EQ(room.occupied_until(), at(15'000ms));
    // Closing again with nobody moving since: motion before this closing, short timeout.
    room.on_door(at(17'000ms), DoorState::closed);
    EXPECT_EQ(room.state_at(at(17'000ms)), Occupancy::not_occupied);
}

TEST(Occupancy, NextChangeIsTheExactExpirySoATimerFiresOnTime) {
    OccupancyTracker room(k_room);
    room.on_door(at(0ms), DoorState::closed);
    room.on_motion(at(4'321ms), true);
    // A server checks after the message and arms a timer; no further message arrives.
    const auto timer = room.next_change_after(at(4'321ms));
    ASSERT_TRUE(timer);
    EXPECT_EQ(*timer, at(34'321ms));
    EXPECT_EQ(room.state_at(*timer - 1ms), Occupancy::occupied);
    EXPECT_EQ(room.state_at(*timer), Occupancy::not_occupied);
    EXPECT_FALSE(room.next_change_after(*timer)); // nothing left to wait for
    // The answer does not depend on when the server asks, as long as it is before expiry.
    EXPECT_EQ(room.next_change_after(at(34'320ms)), *timer);
    // A new motion moves the timer.
    room.on_motion(at(20'000ms), true);
    EXPECT_EQ(room.next_change_after(at(20'000ms)), at(50'000ms));
}

TEST(Occupancy, LateOlderMotionDoesNotShortenOccupancy) {
    OccupancyTracker hall(k_hallway);
    hall.on_motion(at(8'000ms), true);
    hall.on_motion(at(3'000ms), true); // arrives late, older than the latest motion
    EXPECT_EQ(hall.last_motion(), at(8'000ms));
    EXPECT_EQ(hall.state_at(at(17'999ms)), Occupancy::occupied);
    EXPECT_EQ(hall.next_change_after(at(9'000ms)), at(18'000ms));
}

TEST(Occupancy, LateOlderDoorEventIsIgnored) {
    OccupancyTracker room(k_room);
    room.on_door(at(0ms), DoorState::closed);
    room.on_motion(at(2'000ms), true);
    room.on_door(at(5'000ms), DoorState::closed);
    // An "open" stamped before the latest door event arrives late: the newer report wins.
    room.on_door(at(4'000ms), DoorState::open);
    EXPECT_EQ(room.occupied_until(), at(32'000ms));
}

TEST(Occupancy, MotionStampedAheadOfTheCallerCountsAsOccupied) {
    OccupancyTracker hall(k_hallway);
    hall.on_motion(at(1'050ms), true); // device clock 50 ms ahead of the server's
    EXPECT_EQ(hall.state_at(at(1'000ms)), Occupancy::occupied);
    EXPECT_EQ(hall.next_change_after(at(1'000ms)), at(11'050ms));
}

TEST(Occupancy, TimeoutsAreParameters) {
    OccupancyTracker room({.enclosed = true, .short_timeout = 2s, .shut_in_timeout = 60s});
    room.on_motion(at(0ms), true);
    EXPECT_EQ(room.occupied_until(), at(2'000ms));
    room.on_door(at(1'000ms), DoorState::closed);
    room.on_motion(at(1'500ms), true);
    EXPECT_EQ(room.occupied_until(), at(61'500ms));
}

} // namespace
