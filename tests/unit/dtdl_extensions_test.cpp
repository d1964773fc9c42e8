// What the DTDL extensions and the IoT Central context give a user beyond accept/reject
// (which tests/conformance/dtdl_cases covers): the schemas twins are validated against,
// annotations of bases that are loaded earlier or not at all, and errors that say where.
#include "core/dtdl/dtdl_parser.hpp"
#include "core/twin_validation.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <string>

using namespace dtwin::core;
using namespace dtwin::core::dtdl;
namespace json = boost::json;

namespace {

ModelParseResult parse(const std::string& text, const InterfaceMap& known = {}, bool require_resolved = true) {
    const ModelDocument documents[] = {{"model.json", text}};
    ModelParseOptions options;
    options.require_resolved_references = require_resolved;
    return parse_models(documents, options, known);
}

std::string errors_of(const ModelParseResult& result) {
    std::string text;
    for (const auto& issue : result.errors) {
        text += issue.to_string() + "\n";
    }
    return text;
}

} // namespace

TEST(DtdlExtensions, IotCentralVectorAndGeopointAreObjectsOfDoubles) {
    const auto result = parse(R"({"@context": ["dtmi:dtdl:context;2", "dtmi:iotcentral:context;2"],
      "@id": "dtmi:ex:Truck;1", "@type": "Interface", "contents": [
        {"@type": ["Telemetry", "AccelerationVector"], "name": "accel", "schema": "vector", "unit": "gForce"},
        {"@type": ["Property", "Location"], "name": "home", "schema": "geopoint", "writable": true}]})");
    ASSERT_TRUE(result.ok()) << errors_of(result);
    const Interface& truck = *result.interfaces.front();
    const auto& home = truck.properties.at("home");
    const auto* object = std::get_if<ObjectSchema>(&home.schema->kind);
    ASSERT_NE(object, nullptr);
    ASSERT_EQ(object->fields.size(), 3U);
    EXPECT_EQ(object->fields[0].name, "lon");
    EXPECT_EQ(object->fields[2].name, "alt");
    EXPECT_TRUE(validate_value(*home.schema, json::parse(R"({"lon": 8.5, "lat": 47.4, "alt": 410})"), "T", "/home"));
    EXPECT_FALSE(validate_value(*home.schema, json::parse(R"({"lon": "east"})"), "T", "/home"));
    const auto* vector = std::get_if<ObjectSchema>(&truck.telemetries.at("accel").schema->kind);
    ASSERT_NE(vector, nullptr);
    EXPECT_EQ(vector->fields[1].name, "y");
}

TEST(DtdlExtensions, OverrideOfAUnitTakesTheUnitEnumAsSchema) {
    const auto result = parse(R"({"@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;1",
        "dtmi:dtdl:extension:annotation;1", "dtmi:dtdl:extension:overriding;1"],
      "@id": "dtmi:ex:Sensor;1", "@type": "Interface", "contents": [
        {"@type": ["Telemetry", "Temperature"], "name": "temp", "schema": "double", "unit": "degreeFahrenheit"},
        {"@type": ["Property", "ValueAnnotation", "Override"], "name": "tempUnit", "annotates": "temp",
         "overrides": "unit", "schema": "TemperatureUnit", "writable": true}]})");
    ASSERT_TRUE(result.ok()) << errors_of(result);
    const auto& schema = *result.interfaces.front()->properties.at("tempUnit").schema;
    const auto* units = std::get_if<EnumSchema>(&schema.kind);
    ASSERT_NE(units, nullptr);
    EXPECT_EQ(units->values.size(), 3U);
    EXPECT_TRUE(validate_value(schema, json::parse(R"("degreeCelsius")"), "T", "/tempUnit"));
    EXPECT_FALSE(validate_value(schema, json::parse(R"("metre")"), "T", "/tempUnit"));
}

TEST(DtdlExtensions, AnnotationOfAContentInheritedFromALoadedInterface) {
    const auto base = parse(R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:Base;1", "@type": "Interface",
      "contents": [{"@type": "Telemetry", "name": "co2", "schema": "double"}]})");
    ASSERT_TRUE(base.ok()) << errors_of(base);
    const InterfaceMap known{{"dtmi:ex:Base;1", base.interfaces.front()}};
    const auto derived = [&](const std::string& annotates) {
        return parse(R"({"@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:annotation;2"],
          "@id": "dtmi:ex:Room;1", "@type": "Interface", "extends": "dtmi:ex:Base;1", "contents": [
            {"@type": ["Property", "ValueAnnotation"], "name": "note", "schema": "string", "annotates": ")" +
                         annotates + R"("}]})",
                     known);
    };
    EXPECT_TRUE(derived("co2").ok()) << errors_of(derived("co2"));
    const auto wrong = derived("humidity");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.errors.front().rule, "annotates-target");
    EXPECT_EQ(wrong.errors.front().pointer, "/contents/0/annotates");
}

TEST(DtdlExtensions, AnnotationOfAnAbsentBaseIsAcceptedWhenReferencesNeedNotResolve) {
    const std::string room = R"({"@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:annotation;1"],
      "@id": "dtmi:ex:Room;1", "@type": "Interface", "extends": "dtmi:ex:NotLoaded;1", "contents": [
        {"@type": ["Telemetry", "ValueAnnotation"], "name": "co2Accuracy", "schema": "double", "annotates": "co2"}]})";
    EXPECT_TRUE(parse(room, {}, false).ok()) << errors_of(parse(room, {}, false));
    const auto strict = parse(room);
    ASSERT_FALSE(strict.ok());
    EXPECT_EQ(strict.errors.front().rule, "reference-unresolved");
}

TEST(DtdlExtensions, ErrorsNameDocumentPointerAndRule) {
    const auto result = parse(R"({"@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:mqtt;1"],
      "@id": "dtmi:ex:Node;1", "@type": ["Interface", "Mqtt"], "payloadFormat": "Json/ecma/404",
      "telemetryTopic": "rooms//{senderId}"})");
    ASSERT_EQ(result.errors.size(), 1U) << errors_of(result);
    const std::string text = result.errors.front().to_string();
    EXPECT_NE(text.find("model.json /telemetryTopic: "), std::string::npos) << text;
    EXPECT_NE(text.find("[value-pattern]"), std::string::npos) << text;
    EXPECT_NE(text.find("rooms//{senderId}"), std::string::npos) << text;
}

TEST(DtdlExtensions, QuantitativeTypesForDtdlV4AreNamedAsSuch) {
    const auto result = parse(R"({"@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;2"],
      "@id": "dtmi:ex:A;1", "@type": "Interface"})");
    ASSERT_EQ(result.errors.size(), 1U) << errors_of(result);
    EXPECT_EQ(result.errors.front().rule, "context-extension-version");
    EXPECT_EQ(result.errors.front().pointer, "/@context/1");
    EXPECT_NE(result.errors.front().message.find("DTDL v4"), std::string::npos);
}

TEST(DtdlExtensions, V2InterfaceMayNotExtendALoadedV3Interface) {
    const auto base = parse(R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:New;1", "@type": "Interface"})");
    ASSERT_TRUE(base.ok());
    const InterfaceMap known{{"dtmi:ex:New;1", base.interfaces.front()}};
    const auto result = parse(
        R"({"@context": "dtmi:dtdl:context;2", "@id": "dtmi:ex:Old;1", "@type": "Interface", "extends": "dtmi:ex:New;1"})",
        known);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.errors.front().rule, "reference-version");
    EXPECT_EQ(result.errors.front().pointer, "/extends");
}
