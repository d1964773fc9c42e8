// Door sensor conflict: the hall sensor and the gyro-integrated angle disagree about the
// door (the prototype's "sensor conflict" anomaly, which sets the Door twin's
// conflictAnomaly):
//
//   magnet at the sensor (door shut)  but |angle| >  magnet_shut_max_angle (5 deg)
//   magnet away (door not shut)       but |angle| <= magnet_open_min_angle (1 deg)
//
// Either the magnet or the angle is wrong: a misplaced magnet, a drifting integration, a
// gyro calibrated while the door moved. The sign of the angle is the swing direction, so
// only |angle| counts. The band between 1 and 5 deg is where the leaf can rest on the
// frame without the magnet reaching the sensor; it is no conflict either way.
//
// A NaN angle is no conflict (nothing to disagree with); an infinite one is a very large
// angle.
//
// Pure function; any thread.
#pragma once

#include <string_view>

namespace dtwin::core::detectors {

/// Which disagreement, if any.
enum class DoorSensorConflict {
    none,
    magnet_shut_angle_open, ///< magnet at the sensor, |angle| > magnet_shut_max_angle
    magnet_open_angle_shut  ///< magnet away, |angle| <= magnet_open_min_angle
};

/// "none", "magnet_shut_angle_open" or "magnet_open_angle_shut".
[[nodiscard]] std::string_view door_sensor_conflict_name(DoorSensorConflict conflict) noexcept;

/// Thresholds in degrees, compared with |angle|; the defaults are the prototype's.
/// Any values are accepted (never fails); magnet_open_min_angle < magnet_shut_max_angle
/// is the meaningful case.
struct DoorSensorConflictParameters {
    double magnet_shut_max_angle = 5.0; ///< with the magnet at the sensor, |angle| above this conflicts
    double magnet_open_min_angle = 1.0; ///< with the magnet away, |angle| at or below this conflicts
};

/// Checks one door reading: @p magnet true = magnet at the sensor (door shut),
/// @p angle_degrees the opening angle, either sign.
[[nodiscard]] DoorSensorConflict
check_door_sensor_conflict(bool magnet, double angle_degrees,
                           const DoorSensorConflictParameters& parameters = {}) noexcept;

} // namespace dtwin::core::detectors
