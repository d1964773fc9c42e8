// Hand-built DTDL interfaces for the twin tests (the DTDL parser is tested on its own).
//
//   Room    : the prototype's room (doubles, a bool, a string, two string enums) + a telemetry
//   Office  : extends Room; a "thermostat" component, an Object, a Map, an Array, an integer
//   Thermostat: the component's interface
//   Door    : angle, doorState; relationship "connects" -> Room (with a "side" property),
//             relationship "near" with no target constraint, at most one "near"
#pragma once

#include "core/model.hpp"

#include <memory>
#include <string>
#include <vector>

namespace dtwin::test {

using namespace dtwin::core;

inline constexpr const char* k_room = "dtmi:dtwin:example:Room;1";
inline constexpr const char* k_office = "dtmi:dtwin:test:Office;1";
inline constexpr const char* k_thermostat = "dtmi:dtwin:test:Thermostat;1";
inline constexpr const char* k_door = "dtmi:dtwin:example:Door;1";

inline SchemaPtr primitive(PrimitiveSchema kind) {
    return std::make_shared<const Schema>(Schema{"", kind});
}

inline SchemaPtr string_enum(std::vector<std::string> names) {
    EnumSchema schema;
    for (auto& name : names) {
        schema.values.push_back(EnumValue{name, boost::json::value(name)});
    }
    return std::make_shared<const Schema>(Schema{"", std::move(schema)});
}

inline void add_property(Interface& model, const std::string& name, SchemaPtr schema) {
    model.properties.emplace(name, PropertyDef{name, std::move(schema), true});
}

inline void add_room_contents(Interface& model) {
    add_property(model, "temperature", primitive(PrimitiveSchema::double_number));
    add_property(model, "humidity", primitive(PrimitiveSchema::double_number));
    add_property(model, "light", primitive(PrimitiveSchema::double_number));
    add_property(model, "co2", primitive(PrimitiveSchema::double_number));
    add_property(model, "motion", primitive(PrimitiveSchema::boolean));
    add_property(model, "roomTimestamp", primitive(PrimitiveSchema::string));
    add_property(model, "occupancy", string_enum({"occupied", "not_occupied"}));
    add_property(model, "airQualityState", string_enum({"normal", "too_high"}));
    model.telemetries.emplace("rawCo2", TelemetryDef{"rawCo2", primitive(PrimitiveSchema::double_number)});
}

inline InterfacePtr room_model() {
    auto model = std::make_shared<Interface>();
    model->id = k_room;
    add_room_contents(*model);
    return model;
}

inline InterfacePtr thermostat_model() {
    auto model = std::make_shared<Interface>();
    model->id = k_thermostat;
    add_property(*model, "target", primitive(PrimitiveSchema::double_number));
    add_property(*model, "mode", primitive(PrimitiveSchema::string));
    return model;
}

inline InterfacePtr office_model() {
    auto model = std::make_shared<Interface>();
    model->id = k_office;
    model->extends = {k_room};
    model->ancestors = {k_room};
    add_room_contents(*model);
    add_property(*model, "desks", primitive(PrimitiveSchema::integer));
    add_property(*model, "opened", primitive(PrimitiveSchema::date));
    ObjectSchema settings;
    settings.fields.push_back(Field{"level", primitive(PrimitiveSchema::integer)});
    settings.fields.push_back(Field{"label", primitive(PrimitiveSchema::string)});
    add_property(*model, "settings", std::make_shared<const Schema>(Schema{"", settings}));
    add_property(
        *model, "tags",
        std::make_shared<const Schema>(Schema{"", MapSchema{"key", "value", primitive(PrimitiveSchema::string)}}));
    add_property(*model, "readings",
                 std::make_shared<const Schema>(Schema{"", ArraySchema{primitive(PrimitiveSchema::double_number)}}));
    model->components.emplace("thermostat", ComponentDef{"thermostat", k_thermostat});
    return model;
}

inline InterfacePtr door_model() {
    auto model = std::make_shared<Interface>();
    model->id = k_door;
    add_property(*model, "angle", primitive(PrimitiveSchema::double_number));
    add_property(*model, "doorState", string_enum({"open", "closed", "partially_open"}));
    RelationshipDef connects;
    connects.name = "connects";
    connects.target = k_room;
    connects.properties.push_back(PropertyDef{"side", primitive(PrimitiveSchema::string), true});
    model->relationships.emplace("connects", connects);
    RelationshipDef near;
    near.name = "near";
    near.max_multiplicity = 1;
    model->relationships.emplace("near", near);
    return model;
}

} // namespace dtwin::test
