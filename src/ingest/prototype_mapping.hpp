// The built-in mapping rules of the reference prototype (PROTOTYPE.md): what dtwin uses
// when the config names no rules, and the model for rules written in the config.
#pragma once

#include "ingest/mapping_rule.hpp"

#include <vector>

namespace dtwin::ingest {

/// Rules for the door-and-two-rooms prototype (examples/door-and-two-rooms):
///
/// - `rooms/{room}`: one message per ESP32 room node, e.g. topic `rooms/Room1` with
///   {"temperature", "humidity", "light", "co2", "motion", "timestamp"} updates twin
///   `Room1` (properties temperature, humidity, light, co2, motion, roomTimestamp).
/// - `door`: the original gateway's combined document
///   {"local_data": {"door_timestamp", "angle", "gyro", "magnet"},
///    "remote_data": {"device_1": {...room node...}, "device_2": {...}}}
///   gives three updates: `Door` (angle, gyro, magnet, doorTimestamp) from /local_data,
///   `Room1` from /remote_data/device_1 and `Room2` from /remote_data/device_2.
///
/// All measured fields are required; timestamps are ISO-8601 and also written to the
/// roomTimestamp / doorTimestamp property (the source time actually used). `motion` and
/// `magnet` accept true/false as well as 0/1. Every rule passes validate_rule().
[[nodiscard]] std::vector<MappingRule> prototype_rules();

} // namespace dtwin::ingest
