// Twins and relationships as Azure Digital Twins JSON, both ways.
//
// Twin:
//   {
//     "$dtId": "Room1",
//     "$etag": "W/\"42\"",
//     "$metadata": {
//       "$model": "dtmi:dtwin:example:Room;1",
//       "$lastUpdateTime": "2026-11-24T21:26:15.1234560Z",
//       "$clockSkew": {"reason": "ahead_of_receive_time", "timestamp": "2031-01-01T00:00:00Z",
//                      "since": "...", "last": "...", "count": 3},
//       "temperature": {"lastUpdateTime": "...", "sourceTime": "...", "sequence": 17, "stale": true}
//     },
//     "temperature": 21.5,
//     "thermostat": {                              // a component
//       "$metadata": {"target": {"lastUpdateTime": "...", "sourceTime": "..."}},
//       "target": 21
//     }
//   }
// dtwin additions (Azure Digital Twins clients ignore unknown metadata members):
//   - "sequence" inside a property's metadata, written only when non-zero;
//   - "stale": true inside a property's metadata, written only when the property is
//     marked stale (PropertyMetadata::stale); read back as a JSON boolean;
//   - "$clockSkew" in the twin's root "$metadata", written only when the twin has a
//     clock-skew flag (Twin::clock_skew()). On reading, "reason", "since", "last" and
//     "count" are required, "timestamp" may be absent (empty); times are ISO-8601, count a
//     non-negative integer. A malformed one is an invalid_json error whose `where` is the
//     twin id and the pointer ("Room1 /$metadata/$clockSkew/since").
//
// Relationship:
//   {"$relationshipId", "$etag", "$sourceId", "$targetId", "$relationshipName", <properties>}
//   plus "$lastUpdateTime" (a dtwin addition, for the store's round trip).
//
// The store keeps exactly these documents; twin_from_json / relationship_from_json read
// them back at start (TwinGraph::restore_twin / restore_relationship).
//
// Pure functions; callable from any thread on distinct objects.
#pragma once

#include "core/error.hpp"
#include "core/model_registry.hpp"
#include "core/twin.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>

namespace dtwin::core {

/// A twin as read from its JSON form, before it is checked against its model.
struct ParsedTwin {
    std::string id;
    std::string model_id;
    std::uint64_t version = 0;    ///< from "$etag" (W/"<version>"); 0 when absent or foreign
    TimePoint last_update_time{}; ///< "$metadata.$lastUpdateTime"
    /// Properties and components, without any "$..." member (components keep their object
    /// form, minus their "$metadata").
    boost::json::object properties;
    /// Metadata by property pointer ("/temperature", "/thermostat/target").
    std::map<std::string, PropertyMetadata, std::less<>> metadata;
    /// "$metadata.$clockSkew", when present.
    std::optional<ClockSkewFlag> clock_skew = std::nullopt;
};

/// The twin as Azure Digital Twins returns it (see above).
[[nodiscard]] boost::json::object twin_to_json(const Twin& twin);

/// Reads the form twin_to_json writes. Errors (invalid_json) name the member at fault:
/// missing "$dtId" or "$metadata.$model", times that are not ISO-8601, a component's
/// "$metadata" that is not an object, a "stale" that is not a boolean, a malformed
/// "$clockSkew".
[[nodiscard]] Result<ParsedTwin> twin_from_json(const boost::json::value& json);

/// Reads a stored twin straight into its compact form, checked against its model (its
/// layout found in `models`). The fast way to load at start: no ParsedTwin in between;
/// hand the result to TwinGraph::restore_twin(Twin). Only reads `models`, so loader
/// threads may call it concurrently while the registry is not being changed.
/// Errors: invalid_json (shape, times, "stale", "$clockSkew"), unknown_model, invalid_value (a value that does
/// not fit, an undeclared property, a missing component; with the twin id and pointer).
[[nodiscard]] Result<Twin> twin_from_json(const boost::json::value& json, const ModelRegistry& models);

/// The relationship as Azure Digital Twins returns it.
[[nodiscard]] boost::json::object relationship_to_json(const Relationship& relationship);

/// Reads the form relationship_to_json writes. Error invalid_json when one of
/// "$relationshipId", "$sourceId", "$targetId", "$relationshipName" is missing.
[[nodiscard]] Result<Relationship> relationship_from_json(const boost::json::value& json);

} // namespace dtwin::core
