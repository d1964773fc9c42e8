#include "core/door_state.hpp"

#include <cmath>

namespace dtwin::core {

std::string_view door_state_name(DoorState state) noexcept {
    switch (state) {
    case DoorState::closed:
        return "closed";
    case DoorState::partially_open:
        return "partially_open";
    case DoorState::open:
        return "open";
    }
    return "closed"; // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

DoorState derive_door_state(double angle_degrees, bool magnet, const DoorStateParameters& parameters) noexcept {
    if (magnet) {
        return DoorState::closed;
    }
    const double magnitude = std::fabs(angle_degrees);
    // Every comparison with NaN is false, so a NaN angle falls through both tests to
    // partially_open, which is the documented answer; no special case needed.
    if (magnitude <= parameters.closed_max_angle) {
        return DoorState::closed;
    }
    if (magnitude > parameters.open_min_angle) {
        return DoorState::open;
    }
    return DoorState::partially_open;
}

} // namespace dtwin::core
