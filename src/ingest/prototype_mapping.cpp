// The prototype's rules, written as data exactly as a config file would give them.
#include "ingest/prototype_mapping.hpp"

#include <string>

namespace dtwin::ingest {
namespace {

/// The fields of one room node reading, relative to the reading's object.
std::vector<FieldMapping> room_node_fields() {
    return {
        {.pointer = "/temperature", .property = "temperature", .type = ValueType::number, .required = true},
        {.pointer = "/humidity", .property = "humidity", .type = ValueType::number, .required = true},
        {.pointer = "/light", .property = "light", .type = ValueType::number, .required = true},
        {.pointer = "/co2", .property = "co2", .type = ValueType::number, .required = true},
        {.pointer = "/motion", .property = "motion", .type = ValueType::boolean_from_number, .required = true},
    };
}

TimestampMapping room_node_timestamp() {
    return {.pointer = "/timestamp", .format = TimeFormat::iso8601, .property = "roomTimestamp"};
}

/// A room node's reading forwarded inside the gateway's combined document.
MappingRule combined_room_rule(const std::string& device, const std::string& twin_id) {
    return {.name = "combined-" + device,
            .topic_filter = "door",
            .twin_id = twin_id,
            .base_pointer = "/remote_data/" + device,
            .fields = room_node_fields(),
            .timestamp = room_node_timestamp()};
}

} // namespace

std::vector<MappingRule> prototype_rules() {
    std::vector<MappingRule> rules;
    rules.push_back({.name = "room-node",
                     .topic_filter = "rooms/{room}",
                     .twin_id = "{room}",
                     .base_pointer = "",
                     .fields = room_node_fields(),
                     .timestamp = room_node_timestamp()});
    rules.push_back(
        {.name = "combined-door",
         .topic_filter = "door",
         .twin_id = "Door",
         .base_pointer = "/local_data",
         .fields =
             {
                 {.pointer = "/angle", .property = "angle", .type = ValueType::number, .required = true},
                 {.pointer = "/gyro", .property = "gyro", .type = ValueType::number, .required = true},
                 {.pointer = "/magnet", .property = "magnet", .type = ValueType::boolean_from_number, .required = true},
             },
         .timestamp = TimestampMapping{
             .pointer = "/door_timestamp", .format = TimeFormat::iso8601, .property = "doorTimestamp"}});
    rules.push_back(combined_room_rule("device_1", "Room1"));
    rules.push_back(combined_room_rule("device_2", "Room2"));
    return rules;
}

} // namespace dtwin::ingest
