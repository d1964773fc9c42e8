#include "core/twin_validation.hpp"
#include "twin_test_models.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

using namespace dtwin::core;
namespace json = boost::json;

namespace {

bool accepts(PrimitiveSchema kind, std::string_view json_text) {
    const auto schema = dtwin::test::primitive(kind);
    return validate_value(*schema, json::parse(json_text), "T", "/p").has_value();
}

} // namespace

TEST(TwinValidation, IntegerIs32BitAndLongIs64Bit) {
    EXPECT_TRUE(accepts(PrimitiveSchema::integer, "2147483647"));
    EXPECT_FALSE(accepts(PrimitiveSchema::integer, "2147483648"));
    EXPECT_FALSE(accepts(PrimitiveSchema::integer, "-2147483649"));
    EXPECT_FALSE(accepts(PrimitiveSchema::integer, "1.5"));
    EXPECT_TRUE(accepts(PrimitiveSchema::integer, "3.0"));
    EXPECT_TRUE(accepts(PrimitiveSchema::long_number, "2147483648"));
    EXPECT_FALSE(accepts(PrimitiveSchema::long_number, "\"12\""));
    EXPECT_FALSE(accepts(PrimitiveSchema::unsigned_byte, "-1"));
}

TEST(TwinValidation, TimeFormatsFollowIso8601) {
    EXPECT_TRUE(accepts(PrimitiveSchema::date_time, R"("2026-11-24T21:26:15.123Z")"));
    EXPECT_FALSE(accepts(PrimitiveSchema::date_time, R"("0000-00-00T00:00:00.000Z")"));
    EXPECT_TRUE(accepts(PrimitiveSchema::date, R"("2026-02-28")"));
    EXPECT_FALSE(accepts(PrimitiveSchema::date, R"("2026-02-30")"));
    EXPECT_TRUE(accepts(PrimitiveSchema::time, R"("23:59:59.5")"));
    EXPECT_FALSE(accepts(PrimitiveSchema::time, R"("24:00:01")"));
    EXPECT_TRUE(accepts(PrimitiveSchema::duration, R"("PT5M")"));
    EXPECT_TRUE(accepts(PrimitiveSchema::duration, R"("P1DT2H30.5S")"));
    EXPECT_FALSE(accepts(PrimitiveSchema::duration, R"("P")"));
    EXPECT_FALSE(accepts(PrimitiveSchema::duration, R"("PT5M3H")"));
    EXPECT_TRUE(accepts(PrimitiveSchema::uuid, R"("123e4567-e89b-12d3-a456-426614174000")"));
    EXPECT_FALSE(accepts(PrimitiveSchema::uuid, R"("123e4567")"));
}

TEST(TwinValidation, GeospatialValuesNeedTheirGeoJsonType) {
    EXPECT_TRUE(accepts(PrimitiveSchema::point, R"({"type":"Point","coordinates":[1,2]})"));
    EXPECT_FALSE(accepts(PrimitiveSchema::point, R"({"type":"Polygon","coordinates":[]})"));
}

TEST(TwinValidation, ErrorsNameTheNestedLocation) {
    const auto office = dtwin::test::office_model();
    const auto& settings = *office->properties.at("settings").schema;
    const auto result = validate_value(settings, json::parse(R"({"level":1,"colour":"red"})"), "O1", "/settings");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().to_string(), "O1 /settings/colour: field is not declared by the object schema");
    const auto& tags = *office->properties.at("tags").schema;
    const auto map_result = validate_value(tags, json::parse(R"({"a/b":5})"), "O1", "/tags");
    ASSERT_FALSE(map_result);
    EXPECT_EQ(map_result.error().to_string(), "O1 /tags/a~1b: expected a string, got number");
}
