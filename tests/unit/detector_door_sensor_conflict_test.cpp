// Door sensor conflict (core/detectors/door_sensor_conflict.hpp): the prototype's rule as a
// table, both swing directions, NaN, other thresholds.
#include "core/detectors/door_sensor_conflict.hpp"

#include <gtest/gtest.h>
#include <limits>
#include <string>

using namespace dtwin::core::detectors;

namespace {

TEST(DoorSensorConflict, FollowsThePrototypeRule) {
    constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();
    const struct {
        bool magnet;
        double angle;
        DoorSensorConflict expected;
    } cases[] = {
        // Magnet at the sensor (shut): |angle| above 5 contradicts it.
        {true, 0.0, DoorSensorConflict::none},
        {true, 5.0, DoorSensorConflict::none}, // the bound itself is fine
        {true, 5.01, DoorSensorConflict::magnet_shut_angle_open},
        {true, -5.01, DoorSensorConflict::magnet_shut_angle_open},
        {true, 90.0, DoorSensorConflict::magnet_shut_angle_open},
        // Magnet away (not shut): |angle| at or below 1 contradicts it.
        {false, 0.0, DoorSensorConflict::magnet_open_angle_shut},
        {false, 1.0, DoorSensorConflict::magnet_open_angle_shut},
        {false, -1.0, DoorSensorConflict::magnet_open_angle_shut},
        {false, 1.01, DoorSensorConflict::none},
        {false, 3.0, DoorSensorConflict::none}, // resting on the frame
        {false, -45.0, DoorSensorConflict::none},
        // No angle: nothing to disagree with.
        {true, k_nan, DoorSensorConflict::none},
        {false, k_nan, DoorSensorConflict::none},
        {true, std::numeric_limits<double>::infinity(), DoorSensorConflict::magnet_shut_angle_open},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(check_door_sensor_conflict(c.magnet, c.angle), c.expected)
            << "magnet=" << c.magnet << " angle=" << c.angle;
    }
}

TEST(DoorSensorConflict, ThresholdsAreParameters) {
    const DoorSensorConflictParameters loose{.magnet_shut_max_angle = 10.0, .magnet_open_min_angle = 0.5};
    EXPECT_EQ(check_door_sensor_conflict(true, 8.0, loose), DoorSensorConflict::none);
    EXPECT_EQ(check_door_sensor_conflict(true, 10.5, loose), DoorSensorConflict::magnet_shut_angle_open);
    EXPECT_EQ(check_door_sensor_conflict(false, 0.8, loose), DoorSensorConflict::none);
    EXPECT_EQ(check_door_sensor_conflict(false, 0.5, loose), DoorSensorConflict::magnet_open_angle_shut);
    EXPECT_EQ(door_sensor_conflict_name(DoorSensorConflict::magnet_open_angle_shut), "magnet_open_angle_shut");
}

} // namespace
