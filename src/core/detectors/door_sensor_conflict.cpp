#include "core/detectors/door_sensor_conflict.hpp"

#include <cmath>

namespace dtwin::core::detectors {

std::string_view door_sensor_conflict_name(DoorSensorConflict conflict) noexcept {
    switch (conflict) {
    case DoorSensorConflict::none:
        return "none";
    case DoorSensorConflict::magnet_shut_angle_open:
        return "magnet_shut_angle_open";
    case DoorSensorConflict::magnet_open_angle_shut:
        return "magnet_open_angle_shut";
    }
    return "none"; // unreachable for valid enumerators
}

DoorSensorConflict check_door_sensor_conflict(bool magnet, double angle_degrees,
                                              const DoorSensorConflictParameters& parameters) noexcept {
    const double magnitude = std::fabs(angle_degrees);
    // Every comparison with NaN is false: a NaN angle falls through to none.
    if (magnet && magnitude > parameters.magnet_shut_max_angle) {
        return DoorSensorConflict::magnet_shut_angle_open;
    }
    if (!magnet && magnitude <= parameters.magnet_open_min_angle) {
        return DoorSensorConflict::magnet_open_angle_shut;
    }
    return DoorSensorConflict::none;
}

} // namespace dtwin::core::detectors
