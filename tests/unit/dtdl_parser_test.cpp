// Main behaviours of the DTDL parser: resolved interfaces, inheritance, references
// across documents and to already loaded interfaces, and errors that say where.
#include "core/dtdl/dtdl_parser.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace dtwin::core;
using namespace dtwin::core::dtdl;

namespace {

ModelParseResult parse(std::vector<ModelDocument> documents, const InterfaceMap& known = {}) {
    return parse_models(documents, {}, known);
}

const Interface* find_interface(const ModelParseResult& result, std::string_view id) {
    for (const auto& interface : result.interfaces) {
        if (interface->id == id) {
            return interface.get();
        }
    }
    return nullptr;
}

bool has_rule(const ModelParseResult& result, std::string_view rule) {
    for (const auto& issue : result.errors) {
        if (issue.rule == rule) {
            return true;
        }
    }
    return false;
}

const std::string k_room = R"({
  "@context": "dtmi:dtdl:context;3",
  "@id": "dtmi:dtwin:example:Room;1",
  "@type": "Interface",
  "displayName": {"en": "Room", "de": "Raum"},
  "contents": [
    {"@type": "Property", "name": "temperature", "schema": "double", "writable": true},
    {"@type": "Property", "name": "mode", "schema": {
        "@type": "Enum", "valueSchema": "string",
        "enumValues": [{"name": "heating", "enumValue": "heat"}, {"name": "cooling", "enumValue": "cool"}]}},
    {"@type": "Telemetry", "name": "co2", "schema": "integer"},
    {"@type": "Relationship", "name": "hasDoor", "target": "dtmi:dtwin:example:Door;1", "maxMultiplicity": 4}
  ]
})";

} // namespace

TEST(DtdlParser, ParsesRoomWithPropertiesAndEnumSchema) {
    const auto result = parse({{"room.json", k_room}});
    ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
    const Interface* room = find_interface(result, "dtmi:dtwin:example:Room;1");
    ASSERT_NE(room, nullptr);
    EXPECT_EQ(room->dtdl_version, 3);
    EXPECT_EQ(room->display_name, "Room");
    EXPECT_EQ(room->source, "room.json");

    const auto& temperature = room->properties.at("temperature");
    EXPECT_TRUE(temperature.writable);
    ASSERT_NE(temperature.schema, nullptr);
    EXPECT_EQ(std::get<PrimitiveSchema>(temperature.schema->kind), PrimitiveSchema::double_number);

    const auto& mode = room->properties.at("mode");
    ASSERT_NE(mode.schema, nullptr);
    // Schemas without @id get an identifier derived from where they are defined.
    EXPECT_EQ(mode.schema->id, "dtmi:dtwin:example:Room:_contents:__1:_schema:__0;1");
    const auto& enumeration = std::get<EnumSchema>(mode.schema->kind);
    EXPECT_EQ(enumeration.value_schema, PrimitiveSchema::string);
    ASSERT_EQ(enumeration.values.size(), 2U);
    EXPECT_EQ(enumeration.values[1].name, "cooling");
    EXPECT_EQ(enumeration.values[1].value.as_string(), "cool");

    EXPECT_EQ(std::get<PrimitiveSchema>(room->telemetries.at("co2").schema->kind), PrimitiveSchema::integer);
    const auto& door = room->relationships.at("hasDoor");
    EXPECT_EQ(door.target, "dtmi:dtwin:example:Door;1");
    EXPECT_EQ(door.max_multiplicity, 4);
}

TEST(DtdlParser, FlattensExtendsChains) {
    const std::string text = R"([
      {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Space;1", "@type": "Interface",
       "contents": [{"@type": "Property", "name": "area", "schema": "double"}]},
      {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Room;1", "@type": "Interface",
       "extends": "dtmi:ex:Space;1",
       "contents": [{"@type": "Telemetry", "name": "co2", "schema": "double"}]},
      {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:MeetingRoom;1", "@type": "Interface",
       "extends": ["dtmi:ex:Room;1"],
       "contents": [{"@type": "Property", "name": "seats", "schema": "integer"}]}
    ])";
    const auto result = parse({{"spaces.json", text}});
    ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
    const Interface* meeting = find_interface(result, "dtmi:ex:MeetingRoom;1");
    ASSERT_NE(meeting, nullptr);
    EXPECT_EQ(meeting->extends, std::vector<std::string>{"dtmi:ex:Room;1"});
    EXPECT_EQ(meeting->ancestors, (std::vector<std::string>{"dtmi:ex:Room;1", "dtmi:ex:Space;1"}));
    EXPECT_TRUE(meeting->properties.contains("area"));
    EXPECT_TRUE(meeting->properties.contains("seats"));
    EXPECT_TRUE(meeting->telemetries.contains("co2"));
    EXPECT_TRUE(meeting->is_a("dtmi:ex:Space;1"));
}

TEST(DtdlParser, RejectsInheritedNameClash) {
    const std::string text = R"([
      {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Base;1", "@type": "Interface",
       "contents": [{"@type": "Property", "name": "area", "schema": "double"}]},
      {"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Child;1", "@type": "Interface", "extends": "dtmi:ex:Base;1",
       "contents": [{"@type": "Telemetry", "name": "area", "schema": "double"}]}
    ])";
    const auto result = parse({{"clash.json", text}});
    EXPECT_FALSE(result.ok());
    EXPECT_TRUE(has_rule(result, "name-duplicate"));
    EXPECT_TRUE(result.interfaces.empty());
}

TEST(DtdlParser, RejectsInvalidDtmiWithPointerAndRule) {
    const std::string text = R"({"@context": "dtmi:dtdl:context;2", "@id": "dtmi:ex:Room;1", "@type": "Interface",
      "contents": [{"@type": "Property", "name": "a", "schema": "double"},
                   {"@type": "Relationship", "name": "b", "target": "dtmi:ex:Door;1.5"}]})";
    const auto result = parse({{"room.json", text}});
    ASSERT_EQ(result.errors.size(), 1U);
    const auto& issue = result.errors.front();
    EXPECT_EQ(issue.document, "room.json");
    EXPECT_EQ(issue.pointer, "/contents/1/target");
    EXPECT_EQ(issue.rule, "dtmi-syntax");
    EXPECT_NE(issue.to_string().find("room.json /contents/1/target"), std::string::npos);
}

TEST(DtdlParser, ReportsMalformedJsonWithPosition) {
    const auto result = parse({{"broken.json", "{\n  \"@id\": \"dtmi:ex:A;1\",\n  \"@type\": }"}});
    ASSERT_EQ(result.errors.size(), 1U);
    EXPECT_EQ(result.errors.front().rule, "json-syntax");
    EXPECT_EQ(result.errors.front().pointer, "3:12");
}

TEST(DtdlParser, ResolvesReferencesAcrossDocuments) {
    const std::string room = R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Room;1", "@type": "Interface",
      "extends": "dtmi:ex:Space;1",
      "contents": [{"@type": "Component", "name": "thermostat", "schema": "dtmi:ex:Thermostat;1"}]})";
    const std::string space = R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Space;1", "@type": "Interface",
      "contents": [{"@type": "Property", "name": "area", "schema": "double"}]})";
    const std::string thermostat = R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Thermostat;1",
      "@type": "Interface", "contents": [{"@type": "Property", "name": "setpoint", "schema": "double"}]})";
    const auto result = parse({{"room.json", room}, {"space.json", space}, {"thermostat.json", thermostat}});
    ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
    EXPECT_EQ(result.interfaces.size(), 3U);
    const Interface* parsed = find_interface(result, "dtmi:ex:Room;1");
    ASSERT_NE(parsed, nullptr);
    EXPECT_TRUE(parsed->properties.contains("area"));
    EXPECT_EQ(parsed->components.at("thermostat").schema, "dtmi:ex:Thermostat;1");

    const auto missing = parse({{"room.json", room}});
    EXPECT_TRUE(has_rule(missing, "reference-unresolved"));
}

TEST(DtdlParser, ResolvesReferencesToKnownInterfaces) {
    const auto first = parse({{"space.json", R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Space;1",
      "@type": "Interface", "contents": [{"@type": "Property", "name": "area", "schema": "double"}]})"}});
    ASSERT_TRUE(first.ok());
    InterfaceMap known;
    known.emplace(first.interfaces.front()->id, first.interfaces.front());

    const auto second = parse({{"room.json", R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Room;1",
      "@type": "Interface", "extends": "dtmi:ex:Space;1"})"}},
                              known);
    ASSERT_TRUE(second.ok()) << second.errors.front().to_string();
    ASSERT_EQ(second.interfaces.size(), 1U); // the known one is not returned again
    EXPECT_TRUE(second.interfaces.front()->properties.contains("area"));
    EXPECT_EQ(second.interfaces.front()->ancestors, std::vector<std::string>{"dtmi:ex:Space;1"});

    // Redefining a loaded interface is an error.
    const auto again = parse({{"space.json", R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Space;1",
      "@type": "Interface"})"}},
                             known);
    EXPECT_TRUE(has_rule(again, "id-duplicate"));
}

TEST(DtdlParser, SurvivesHostileInput) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_FALSE(parse({{"deep.json", deep}}).ok());

    std::string nested = R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:A;1", "@type": "Interface",
      "contents": [{"@type": "Property", "name": "p", "schema": )";
    for (int i = 0; i < 100; ++i) {
        nested += R"({"@type": "Array", "elementSchema": )";
    }
    nested += "\"double\"" + std::string(100, '}') + "}]}";
    EXPECT_FALSE(parse({{"nested.json", nested}}).ok());

    const auto huge = parse({{"huge.json", R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:A;1",
      "@type": "Interface", "contents": [{"@type": "Relationship", "name": "r",
      "maxMultiplicity": 123456789012345678901234567890}]})"}});
    EXPECT_FALSE(huge.ok());

    for (const char* text : {"", "null", "42", "\"x\"", "[1, 2]", "{}", "\xEF\xBB\xBF{", "{\"@context\": {}}"}) {
        EXPECT_FALSE(parse({{"odd.json", text}}).ok()) << text;
    }
}
