// Language rules of DTDL that dtwin users meet most: extensions and semantic types,
// undefined extensions, name rules per version, complex schemas and commands.
#include "core/dtdl/dtdl_parser.hpp"

#include <gtest/gtest.h>
#include <string>

using namespace dtwin::core;
using namespace dtwin::core::dtdl;

namespace {

// One v3 Interface "dtmi:ex:A;1" with `contents` (JSON text) and extra @context entries.
std::string interface_v3(const std::string& contents, const std::string& extra_context = {}) {
    return R"({"@context": ["dtmi:dtdl:context;3")" + extra_context + R"(], "@id": "dtmi:ex:A;1",
      "@type": "Interface", "contents": )" +
           contents + "}";
}

ModelParseResult parse_one(const std::string& text, bool allow_undefined = false) {
    const ModelDocument documents[] = {{"a.json", text}};
    ModelParseOptions options;
    options.allow_undefined_extensions = allow_undefined;
    return parse_models(documents, options);
}

std::string first_rule(const ModelParseResult& result) {
    return result.errors.empty() ? std::string() : result.errors.front().rule;
}

} // namespace

TEST(DtdlRules, SemanticTypesNeedTheQuantitativeTypesExtensionInV3) {
    const std::string telemetry =
        R"([{"@type": ["Telemetry", "Temperature"], "name": "t", "schema": "double", "unit": "degreeCelsius"}])";
    const auto with_extension = parse_one(interface_v3(telemetry, R"(, "dtmi:dtdl:extension:quantitativeTypes;1")"));
    EXPECT_TRUE(with_extension.ok()) << first_rule(with_extension);
    EXPECT_FALSE(parse_one(interface_v3(telemetry)).ok());
}

TEST(DtdlRules, UnitMustFitTheSemanticTypeAndSchemaMustBeNumeric) {
    const std::string extension = R"(, "dtmi:dtdl:extension:quantitativeTypes;1")";
    const auto wrong_unit = parse_one(interface_v3(
        R"([{"@type": ["Telemetry", "Temperature"], "name": "t", "schema": "double", "unit": "metre"}])", extension));
    EXPECT_EQ(first_rule(wrong_unit), "unit-mismatch");
    const auto wrong_schema = parse_one(interface_v3(
        R"([{"@type": ["Property", "Temperature"], "name": "t", "schema": "string", "unit": "kelvin"}])", extension));
    EXPECT_EQ(first_rule(wrong_schema), "semantic-type-schema");
}

TEST(DtdlRules, HistorizationExtensionAddsHistorizedCotype) {
    const std::string contents = R"([{"@type": ["Property", "Historized"], "name": "p", "schema": "double"}])";
    EXPECT_TRUE(parse_one(interface_v3(contents, R"(, "dtmi:dtdl:extension:historization;1")")).ok());
    EXPECT_FALSE(parse_one(interface_v3(contents)).ok());
}

TEST(DtdlRules, UndefinedExtensionsFollowTheOption) {
    const std::string text = interface_v3(R"([{"@type": ["Property", "Vendor"], "name": "p", "schema": "double",
      "vendorNote": "x"}])",
                                          R"(, "dtmi:vendor:context;1")");
    EXPECT_EQ(first_rule(parse_one(text, false)), "context-undefined-extension");
    EXPECT_TRUE(parse_one(text, true).ok());
}

TEST(DtdlRules, NameRulesDifferBetweenVersions) {
    const std::string long_name(100, 'a');
    const std::string property = R"([{"@type": "Property", "name": ")" + long_name + R"(", "schema": "double"}])";
    EXPECT_TRUE(parse_one(interface_v3(property)).ok());
    std::string v2 = interface_v3(property);
    v2.replace(v2.find("context;3"), 9, "context;2");
    EXPECT_EQ(first_rule(parse_one(v2)), "string-length");
    EXPECT_EQ(first_rule(parse_one(interface_v3(R"([{"@type": "Property", "name": "1st", "schema": "double"}])"))),
              "name-pattern");
    EXPECT_EQ(first_rule(parse_one(interface_v3(R"([{"@type": "Property", "name": "a", "schema": "double"},
      {"@type": "Telemetry", "name": "a", "schema": "double"}])"))),
              "name-duplicate");
}

TEST(DtdlRules, ResolvesMapObjectArrayAndCommandSchemas) {
    const auto result = parse_one(interface_v3(R"([
      {"@type": "Property", "name": "tags", "schema": {"@type": "Map",
        "mapKey": {"name": "key", "schema": "string"}, "mapValue": {"name": "value", "schema": "string"}}},
      {"@type": "Telemetry", "name": "position", "schema": {"@type": "Object", "fields": [
        {"name": "x", "schema": "double"}, {"name": "path", "schema": {"@type": "Array", "elementSchema": "point"}}]}},
      {"@type": "Command", "name": "reboot",
        "request": {"name": "delay", "schema": "duration"},
        "response": {"name": "accepted", "schema": "boolean"}}])"));
    ASSERT_TRUE(result.ok()) << result.errors.front().to_string();
    const Interface& a = *result.interfaces.front();
    const auto& map = std::get<MapSchema>(a.properties.at("tags").schema->kind);
    EXPECT_EQ(map.key_name, "key");
    EXPECT_EQ(std::get<PrimitiveSchema>(map.value_schema->kind), PrimitiveSchema::string);
    const auto& object = std::get<ObjectSchema>(a.telemetries.at("position").schema->kind);
    ASSERT_EQ(object.fields.size(), 2U);
    const auto& array = std::get<ArraySchema>(object.fields[1].schema->kind);
    EXPECT_EQ(std::get<PrimitiveSchema>(array.element_schema->kind), PrimitiveSchema::point);
    const auto& reboot = a.commands.at("reboot");
    EXPECT_EQ(reboot.request_name, "delay");
    EXPECT_EQ(std::get<PrimitiveSchema>(reboot.request_schema->kind), PrimitiveSchema::duration);
    EXPECT_EQ(reboot.response_name, "accepted");
}

TEST(DtdlRules, RejectsNameClashWithKnownBase) {
    const ModelDocument base[] = {{"base.json", interface_v3(R"([{"@type": "Property", "name": "p",
      "schema": "double"}])")}};
    const auto loaded = parse_models(base, {});
    ASSERT_TRUE(loaded.ok());
    InterfaceMap known{{"dtmi:ex:A;1", loaded.interfaces.front()}};
    const ModelDocument child[] = {{"child.json", R"({"@context": "dtmi:dtdl:context;3", "@id": "dtmi:ex:B;1",
      "@type": "Interface", "extends": "dtmi:ex:A;1",
      "contents": [{"@type": "Telemetry", "name": "p", "schema": "double"}]})"}};
    const auto result = parse_models(child, {}, known);
    EXPECT_EQ(first_rule(result), "name-duplicate");
}

TEST(DtdlRules, QuantitativeTypesV1AddsConcentrationForCo2) {
    const std::string co2 =
        R"([{"@type": ["Telemetry", "Concentration"], "name": "co2", "schema": "double", "unit": "partsPerMillion"}])";
    const auto v3 = parse_one(interface_v3(co2, R"(, "dtmi:dtdl:extension:quantitativeTypes;1")"));
    EXPECT_TRUE(v3.ok()) << first_rule(v3);
    std::string kelvin = co2;
    kelvin.replace(kelvin.find("partsPerMillion"), 15, "kelvin");
    EXPECT_EQ(first_rule(parse_one(interface_v3(kelvin, R"(, "dtmi:dtdl:extension:quantitativeTypes;1")"))),
              "unit-mismatch");
}
