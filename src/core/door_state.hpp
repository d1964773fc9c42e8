// Door state derived from the door's two sensors: the gyro-integrated opening angle and
// the hall sensor that sees the magnet when the leaf is shut.
//
// The rule is the prototype's ("Derived state" in PROTOTYPE.md), with every threshold a
// parameter so a deployment can tune it without code changes:
//
//   closed          magnet at the sensor, or |angle| <= closed_max_angle  (5 deg)
//   open            otherwise, if |angle| > open_min_angle                (30 deg)
//   partially_open  otherwise
//
// The magnet wins over the angle: the integrated gyro drifts, the hall sensor does not.
// The sign of the angle only says which way the leaf swings, so both directions are
// treated alike.
//
// Pure functions; any thread.
#pragma once

#include <string_view>

namespace dtwin::core {

/// The three door states, named as the Door model's enum values
/// (examples/door-and-two-rooms/models/Door.json).
enum class DoorState {
    closed,
    partially_open,
    open,
};

/// "closed", "partially_open" or "open": the enumValue the Door model uses.
[[nodiscard]] std::string_view door_state_name(DoorState state) noexcept;

/// Thresholds of the door rule, in degrees, compared against |angle|.
///
/// Both bounds are inclusive on the "more closed" side: exactly closed_max_angle is still
/// closed and exactly open_min_angle is still partially open. With
/// closed_max_angle >= open_min_angle the partially_open band is empty; that is allowed
/// (a two-state door) and never fails.
struct DoorStateParameters {
    double closed_max_angle = 5.0; ///< |angle| at or below this is closed
    double open_min_angle = 30.0;  ///< |angle| above this is open
};

/// Derives the door state from one reading.
///
/// @param angle_degrees  opening angle in degrees; either sign (swing direction).
/// @param magnet         true when the magnet is at the hall sensor, i.e. the door is shut.
/// @param parameters     thresholds; the defaults are the prototype's.
/// @returns closed when the magnet is present regardless of the angle; otherwise the
///          state the angle falls into.
///
/// A NaN angle (no usable gyro reading) with the magnet present is closed, as always.
/// With the magnet absent a NaN angle yields partially_open: the hall sensor says the
/// leaf is not shut, and without an angle we cannot claim it is fully open, so we report
/// the weakest state that is still "not closed". An infinite angle is treated as a very
/// large one (open unless the magnet is present). Never throws.
[[nodiscard]] DoorState derive_door_state(double angle_degrees, bool magnet,
                                          const DoorStateParameters& parameters = {}) noexcept;

} // namespace dtwin::core
