#include "core/json_patch.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

using namespace dtwin::core;
namespace json = boost::json;

namespace {

json::value apply_ok(std::string_view doc, std::string_view patch) {
    json::value document = json::parse(doc);
    const auto result = apply_patch(document, json::parse(patch));
    EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
    return document;
}

Error apply_error(std::string_view doc, std::string_view patch) {
    json::value document = json::parse(doc);
    const json::value before = document;
    const auto result = apply_patch(document, json::parse(patch));
    EXPECT_FALSE(result);
    EXPECT_EQ(document, before) << "a failed patch must leave the document unchanged";
    return result ? Error{} : result.error();
}

} // namespace

TEST(JsonPatch, AppliesEachOperation) {
    EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"add","path":"/b","value":2}])"), json::parse(R"({"a":1,"b":2})"));
    EXPECT_EQ(apply_ok(R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])"), json::parse(R"({"b":2})"));
    EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"replace","path":"/a","value":[1]}])"), json::parse(R"({"a":[1]})"));
    EXPECT_EQ(apply_ok(R"({"a":{"x":1},"b":{}})", R"([{"op":"move","from":"/a/x","path":"/b/y"}])"),
              json::parse(R"({"a":{},"b":{"y":1}})"));
    EXPECT_EQ(apply_ok(R"({"a":[1,2]})", R"([{"op":"copy","from":"/a/0","path":"/a/-"}])"),
              json::parse(R"({"a":[1,2,1]})"));
    EXPECT_EQ(apply_ok(R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])"), json::parse(R"({"a":1})"));
}

TEST(JsonPatch, HandlesEscapesAndArrayPositions) {
    EXPECT_EQ(apply_ok(R"({"a/b":1,"m~n":2})",
                       R"([{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}])"),
              json::parse(R"({"a/b":3})"));
    EXPECT_EQ(apply_ok(R"([1,3])", R"([{"op":"add","path":"/1","value":2},{"op":"add","path":"/-","value":4}])"),
              json::parse("[1,2,3,4]"));
    EXPECT_EQ(apply_error(R"([1])", R"([{"op":"add","path":"/01","value":2}])").code, ErrorCode::invalid_patch);
    EXPECT_EQ(apply_error(R"([1])", R"([{"op":"add","path":"/5","value":2}])").code, ErrorCode::invalid_patch);
}

TEST(JsonPatch, FailingOperationLeavesDocumentUnchangedAndNamesIt) {
    const auto error = apply_error(R"({"temperature":20,"humidity":40})",
                                   R"([{"op":"replace","path":"/temperature","value":21},
                                       {"op":"remove","path":"/humidity"},
                                       {"op":"replace","path":"/light","value":100}])");
    EXPECT_EQ(error.code, ErrorCode::invalid_patch);
    EXPECT_EQ(error.to_string(), "/2 (replace /light): path not found");
}

TEST(JsonPatch, FailedTestIsReportedAsTestFailed) {
    const auto error = apply_error(R"({"a":"x"})", R"([{"op":"test","path":"/a","value":"y"}])");
    EXPECT_EQ(error.code, ErrorCode::test_failed);
    EXPECT_EQ(error.where, "/0 (test /a)");
}

TEST(JsonPatch, MalformedOperationsAreRejectedWithTheirIndex) {
    json::value document = json::parse("{}");
    const auto missing_value = apply_patch(document, json::parse(R"([{"op":"add","path":"/a","value":1},
                                                                     {"op":"add","path":"/b"}])"));
    ASSERT_FALSE(missing_value);
    EXPECT_EQ(missing_value.error().to_string(), "/1: missing \"value\"");
    EXPECT_EQ(document, json::parse("{}"));
    EXPECT_FALSE(apply_patch(document, json::parse(R"([{"op":"frobnicate","path":"/a"}])")));
    EXPECT_FALSE(apply_patch(document, json::parse(R"([{"op":"add","path":"a","value":1}])")));
    EXPECT_FALSE(apply_patch(document, json::parse(R"({"op":"add","path":"/a","value":1})")));
}

TEST(JsonPatch, MoveIntoOwnChildIsRefused) {
    EXPECT_EQ(apply_error(R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])").code,
              ErrorCode::invalid_patch);
}

TEST(JsonPatch, DiffMembersProducesAddReplaceRemove) {
    const auto before = json::parse(R"({"a":1,"b":2,"c":3})").as_object();
    const auto after = json::parse(R"({"a":1,"b":5,"d/x":4})").as_object();
    const auto patch = diff_members(before, after);
    EXPECT_EQ(json::value(patch_to_json(patch)), json::parse(R"([{"op":"replace","path":"/b","value":5},
                                                 {"op":"add","path":"/d~1x","value":4},
                                                 {"op":"remove","path":"/c"}])"));
    json::value document = before;
    ASSERT_TRUE(apply_patch(document, patch));
    EXPECT_EQ(document, json::value(after));
}

TEST(JsonPatch, RootPathAddressesTheWholeDocument) {
    EXPECT_EQ(apply_ok(R"("foo")", R"([{"op":"replace","path":"","value":"bar"}])"), json::value("bar"));
    EXPECT_EQ(apply_ok(R"({"foo":1})", R"([{"op":"test","path":"","value":{"foo":1}}])"), json::parse(R"({"foo":1})"));
    EXPECT_EQ(apply_error(R"({"foo":1})", R"([{"op":"test","path":"","value":{"foo":2}}])").code,
              ErrorCode::test_failed);
}
