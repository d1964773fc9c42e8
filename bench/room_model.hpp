// The prototype's Room interface, built by hand for the core benchmarks (no DTDL parse).
#pragma once

#include "core/model.hpp"

#include <memory>
#include <string>
#include <vector>

namespace dtwin::bench {

inline constexpr const char* k_room_model = "dtmi:dtwin:example:Room;1";

inline core::InterfacePtr make_room_model() {
    using namespace dtwin::core;
    auto model = std::make_shared<Interface>();
    model->id = k_room_model;
    const auto add = [&](const std::string& name, SchemaPtr schema) {
        model->properties.emplace(name, PropertyDef{name, std::move(schema), true});
    };
    const auto primitive = [](PrimitiveSchema kind) { return std::make_shared<const Schema>(Schema{"", kind}); };
    const auto string_enum = [](std::vector<std::string> names) {
        EnumSchema schema;
        for (auto& name : names) {
            schema.values.push_back(EnumValue{name, boost::json::value(name)});
        }
        return std::make_shared<const Schema>(Schema{"", std::move(schema)});
    };
    add("temperature", primitive(PrimitiveSchema::double_number));
    add("humidity", primitive(PrimitiveSchema::double_number));
    add("light", primitive(PrimitiveSchema::double_number));
    add("co2", primitive(PrimitiveSchema::double_number));
    add("motion", primitive(PrimitiveSchema::boolean));
    add("roomTimestamp", primitive(PrimitiveSchema::string));
    add("occupancy", string_enum({"occupied", "not_occupied"}));
    add("airQualityState", string_enum({"normal", "too_high"}));
    return model;
}

/// A full Room body as a client would send it on create.
inline boost::json::value make_room_body(double seed) {
    boost::json::object body;
    body["$metadata"] = boost::json::object{{"$model", k_room_model}};
    body["temperature"] = 20.0 + seed;
    body["humidity"] = 45.0;
    body["light"] = 300.0;
    body["co2"] = 600.0 + seed;
    body["motion"] = false;
    body["roomTimestamp"] = "2026-11-24T21:26:15.123Z";
    body["occupancy"] = "not_occupied";
    body["airQualityState"] = "normal";
    return body;
}

} // namespace dtwin::bench
