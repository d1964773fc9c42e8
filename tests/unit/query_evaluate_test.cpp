// Evaluation of the expression language: every operator and function, undefined and
// type-mismatch semantics, aliases, PREVIOUS, IS_OF_MODEL, run-time errors with their
// position, and the prototype's three conditions on the samples that matter.
#include "core/query/evaluator.hpp"
#include "core/query/parser.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <string_view>
#include <vector>

using namespace dtwin::core;
using namespace dtwin::core::query;
namespace json = boost::json;

namespace {

// A twin as plain JSON: unqualified paths read `twin`, paths starting with a bound alias
// read that twin, PREVIOUS reads `before`.
class JsonContext : public EvaluationContext {
public:
    json::object twin;
    json::object before;
    std::map<std::string, json::object, std::less<>> aliases;
    std::map<std::string, std::vector<std::string>, std::less<>> models; ///< "" = the twin; own model first
    std::string failing_alias;                                           ///< resolving a path through this alias fails

    Result<std::optional<json::value>> resolve(std::span<const std::string> path) const override {
        if (path.front() == failing_alias) {
            return fail(ErrorCode::unknown_twin, "alias '" + failing_alias + "' names 2 twins");
        }
        if (const auto alias = aliases.find(path.front()); alias != aliases.end()) {
            return walk(alias->second, path.subspan(1));
        }
        return walk(twin, path);
    }

    Result<std::optional<json::value>> previous(std::span<const std::string> path) const override {
        return walk(before, path);
    }

    Result<bool> is_of_model(std::string_view alias, std::string_view model_id, bool exact) const override {
        const auto found = models.find(alias);
        if (found == models.end()) {
            return false;
        }
        const auto& chain = found->second;
        if (exact) {
            return !chain.empty() && chain.front() == model_id;
        }
        return std::find(chain.begin(), chain.end(), model_id) != chain.end();
    }

private:
    static std::optional<json::value> walk(const json::object& root, std::span<const std::string> path) {
        const json::value* at = root.if_contains(path.front());
        for (std::size_t i = 1; at != nullptr && i < path.size(); ++i) {
            at = at->is_object() ? at->get_object().if_contains(path[i]) : nullptr;
        }
        return at == nullptr ? std::nullopt : std::optional<json::value>(*at);
    }
};

JsonContext door_context() {
    JsonContext context;
    context.twin = json::parse(R"({
        "$dtId": "Door1", "$metadata": {"$model": "dtmi:example:Door;1"},
        "angle": -12.5, "gyro": -80, "magnet": true, "count": 7, "flag": false, "nothing": null,
        "name": "Room1-north", "tags": ["a", "b", 3], "obj": {"x": 1, "a b": 2}, "select": 3, "zero": 0
    })")
                       .as_object();
    context.before = json::parse(R"({"magnet": false, "angle": -2})").as_object();
    context.aliases["room"] = json::parse(R"({"co2": 2100, "doorState": "closed"})").as_object();
    context.models[""] = {"dtmi:example:Door;1", "dtmi:example:Device;1"};
    context.models["room"] = {"dtmi:example:Room;1"};
    return context;
}

// The value of `text` as compact JSON ("undefined" for undefined), or "error <where>: <message>".
std::string value_of(std::string_view text, const EvaluationContext& context) {
    const auto parsed = parse_expression(text);
    if (!parsed) {
        return "parse error " + parsed.error().to_string();
    }
    const auto value = evaluate(**parsed, context);
    if (!value) {
        return "error " + value.error().to_string();
    }
    return *value ? json::serialize(**value) : "undefined";
}

std::string condition(std::string_view text, const EvaluationContext& context) {
    const auto parsed = parse_expression(text);
    if (!parsed) {
        return "parse error " + parsed.error().to_string();
    }
    const auto value = evaluate_condition(**parsed, context);
    if (!value) {
        return "error " + value.error().to_string();
    }
    return *value ? "true" : "false";
}

struct Case {
    std::string_view expression;
    std::string_view expected; ///< compact JSON as boost serializes it, or "undefined"
};

void check_all(std::span<const Case> cases, const EvaluationContext& context) {
    for (const auto& [expression, expected] : cases) {
        EXPECT_EQ(value_of(expression, context), expected) << expression;
    }
}

} // namespace

TEST(QueryEvaluate, Comparisons) {
    const Case cases[] = {
        {"count = 7", "true"},
        {"count = 7.0", "true"}, // numbers compare by value
        {"count != 7", "false"},
        {"count != 8", "true"},
        {"count < 8", "true"},
        {"count < 7", "false"},
        {"count <= 7", "true"},
        {"count > 6.5", "true"},
        {"count >= 8", "false"},
        {"angle < -12", "true"},
        {"9223372036854775807 > 9223372036854775806", "true"},
        {"name = 'Room1-north'", "true"},
        {"name = 'room1-north'", "false"}, // case-sensitive, as ADT
        {"'abc' < 'abd'", "true"},
        {"'b' > 'abc'", "true"},
        {"magnet = true", "true"},
        {"magnet != false", "true"},
        {"nothing = null", "true"},
        {"tags = ['a', 'b', 3.0]", "true"},
        {"obj = obj", "true"},
        {"$dtId = 'Door1'", "true"},
        {"$metadata.$model = 'dtmi:example:Door;1'", "true"},
        {"obj['a b'] = 2", "true"},
        {"[[select]] = 3", "true"},
    };
    check_all(cases, door_context());
}

// A comparison with an undefined operand, or of values of different types, is false, never
// an error: both = and != are false then.
TEST(QueryEvaluate, UndefinedAndMismatchedComparisonsAreFalse) {
    const Case cases[] = {
        {"missing = 1", "false"},     {"missing != 1", "false"},      {"missing > 1", "false"},
        {"missing <= 1", "false"},    {"missing = missing", "false"}, {"obj.y = 1", "false"},
        {"name.deeper = 1", "false"}, {"name = 5", "false"},          {"name != 5", "false"},
        {"count != null", "false"},   {"count = '7'", "false"},       {"'7' < 8", "false"},
        {"flag < true", "false"},                                  // booleans are not ordered
        {"tags > 1", "false"},        {"NOT missing > 5", "true"}, // the false comparison, negated
        {"missing", "undefined"},     {"ABS(missing)", "undefined"},  {"missing + 1", "undefined"},
        {"nothing * 2", "undefined"}, {"-missing", "undefined"},      {"[1, missing, 'a']", "[1,\"a\"]"},
    };
    check_all(cases, door_context());
}

TEST(QueryEvaluate, LogicalOperators) {
    const Case cases[] = {
        {"true AND true", "true"},
        {"true AND false", "false"},
        {"false OR true", "true"},
        {"false OR false", "false"},
        {"NOT true", "false"},
        {"NOT flag", "true"},
        {"magnet AND count = 7", "true"},
        {"missing AND true", "false"}, // undefined counts as false
        {"missing OR true", "true"},
        {"nothing OR false", "false"},
        {"NOT missing", "true"},
        {"false AND count / zero = 1", "false"}, // the right side is not evaluated
        {"true OR name + 1 = 2", "true"},
    };
    check_all(cases, door_context());
}

TEST(QueryEvaluate, Arithmetic) {
    const Case cases[] = {
        {"count + 1", "8"},
        {"count - 10", "-3"},
        {"count * 3", "21"},
        {"count * 2 + 1", "15"},
        {"count + 2 * 3", "13"},
        {"(count + 2) * 3", "27"},
        {"20 - 5 - 3", "12"},
        {"6 / 3", "2"},
        {"7 / 2", "3.5E0"},
        {"-7 / 2", "-3.5E0"},
        {"angle * 2", "-2.5E1"},
        {"count % 3", "1"},
        {"-7 % 3", "-1"},
        {"7.5 % 2", "1.5E0"},
        {"-count", "-7"},
        {"-angle", "1.25E1"},
        {"--count", "7"},
        {"9223372036854775807 + 1", "9.223372036854776E18"}, // overflow moves to double
        {"-9223372036854775807 - 2", "-9.223372036854776E18"},
        {"4294967296 * 4294967296", "1.8446744073709552E19"},
        {"count * 2 = 14", "true"},
    };
    check_all(cases, door_context());
}

TEST(QueryEvaluate, InAndNin) {
    const Case cases[] = {
        {"count IN [1, 7]", "true"},
        {"count IN [1, 2]", "false"},
        {"count IN [7.0]", "true"},
        {"count NIN [1, 7]", "false"},
        {"count NIN [1, 2]", "true"},
        {"name IN ['x', 'Room1-north']", "true"},
        {"'7' IN [7]", "false"},
        {"name IN []", "false"},
        {"name NIN []", "true"},
        {"'b' IN tags", "true"},
        {"3 IN tags", "true"},
        {"'c' IN tags", "false"},
        {"missing IN [1]", "false"},
        {"missing NIN [1]", "false"},
        {"count IN missing", "false"},
        {"count NIN missing", "false"},
        {"count IN [count - 1, count + 1]", "false"},
        {"count IN [count - 1, count]", "true"},
    };
    check_all(cases, door_context());
}

TEST(QueryEvaluate, TypeCheckingFunctions) {
    const Case cases[] = {
        {"IS_DEFINED(angle)", "true"},
        {"IS_DEFINED(missing)", "false"},
        {"IS_DEFINED(nothing)", "true"},
        {"IS_DEFINED(obj.x)", "true"},
        {"IS_DEFINED(obj.y)", "false"},
        {"NOT IS_DEFINED(missing)", "true"},
        {"IS_NULL(nothing)", "true"},
        {"IS_NULL(count)", "false"},
        {"IS_NULL(missing)", "false"},
        {"IS_BOOL(magnet)", "true"},
        {"IS_BOOL(count)", "false"},
        {"IS_NUMBER(angle)", "true"},
        {"IS_NUMBER(count)", "true"},
        {"IS_NUMBER(name)", "false"},
        {"IS_NUMBER(missing)", "false"},
        {"IS_STRING(name)", "true"},
        {"IS_STRING(count)", "false"},
        {"IS_PRIMITIVE(name)", "true"},
        {"IS_PRIMITIVE(nothing)", "true"},
        {"IS_PRIMITIVE(magnet)", "true"},
        {"IS_PRIMITIVE(obj)", "false"},
        {"IS_PRIMITIVE(tags)", "false"},
        {"IS_PRIMITIVE(missing)", "false"},
        {"IS_OBJECT(obj)", "true"},
        {"IS_OBJECT(tags)", "false"},
        {"IS_OBJECT(missing)", "false"},
        {"is_bool(magnet) AND magnet != false", "true"},
    };
    check_all(cases, door_context());
}

TEST(QueryEvaluate, StringFunctions) {
    const Case cases[] = {
        {"STARTSWITH(name, 'Room1')", "true"},
        {"STARTSWITH(name, 'room1')", "false"},
        {"STARTSWITH(name, '')", "true"},
        {"ENDSWITH(name, 'north')", "true"},
        {"ENDSWITH(name, 'Room1')", "false"},
        {"CONTAINS(name, '1-n')", "true"},
        {"CONTAINS(name, 'south')", "false"},
        {"CONTAINS($dtId, 'oor')", "true"},
        {"STARTS_WITH(name, 'Room')", "true"},
        {"ENDS_WITH(name, 'th')", "true"},
        {"STARTSWITH(missing, 'a')", "undefined"},
        {"CONTAINS(name, missing)", "undefined"},
        {"ENDSWITH(nothing, 'a')", "undefined"},
        {"ARRAY_CONTAINS(tags, 'b')", "true"},
        {"ARRAY_CONTAINS(tags, 3)", "true"},
        {"ARRAY_CONTAINS(tags, 'c')", "false"},
        {"ARRAY_CONTAINS(missing, 'c')", "undefined"},
    };
    check_all(cases, door_context());
}

TEST(QueryEvaluate, NumericFunctions) {
    const Case cases[] = {
        {"ABS(gyro)", "80"},
        {"ABS(count)", "7"},
        {"ABS(angle)", "1.25E1"},
        {"ABS(-9223372036854775807 - 1)", "9.223372036854776E18"},
        {"CEILING(1.2)", "2"},
        {"CEILING(-1.2)", "-1"},
        {"CEILING(count)", "7"},
        {"FLOOR(1.8)", "1"},
        {"FLOOR(-1.2)", "-2"},
        {"ROUND(2.5)", "3"},
        {"ROUND(-2.5)", "-3"},
        {"ROUND(2.4)", "2"},
        {"ROUND(1e300)", "1E300"}, // too large for an integer: stays a double
        {"SIGN(-3.2)", "-1"},
        {"SIGN(0)", "0"},
        {"SIGN(0.0)", "0"},
        {"SIGN(count)", "1"},
        {"ABS(nothing)", "undefined"},
        {"FLOOR(missing)", "undefined"},
        {"abs(gyro) > 65", "true"},
    };
    check_all(cases, door_context());
}

TEST(QueryEvaluate, AliasesReadTheBoundTwin) {
    const JsonContext context = door_context();
    const Case cases[] = {
        {"room.doorState = 'closed'", "true"},
        {"room.co2 > 2000", "true"},
        {"room.angle = -12.5", "false"}, // the alias's twin has no angle; the door's is not used
        {"angle = -12.5", "true"},
        {"IS_DEFINED(window.x)", "false"}, // an unbound name is just an undefined property
    };
    check_all(cases, context);
}

TEST(QueryEvaluate, PreviousReadsTheValueBeforeTheChange) {
    const JsonContext context = door_context();
    const Case cases[] = {
        {"PREVIOUS(magnet)", "false"},          {"PREVIOUS(magnet) = false AND magnet = true", "true"},
        {"PREVIOUS(magnet) != magnet", "true"}, {"ABS(angle - PREVIOUS(angle)) > 10", "true"},
        {"PREVIOUS(count)", "undefined"},       {"IS_DEFINED(PREVIOUS(count))", "false"},
        {"PREVIOUS(count) != count", "false"},
    };
    check_all(cases, context);
}

TEST(QueryEvaluate, IsOfModelFollowsInheritanceUnlessExact) {
    const JsonContext context = door_context();
    const Case cases[] = {
        {"IS_OF_MODEL('dtmi:example:Door;1')", "true"},
        {"IS_OF_MODEL('dtmi:example:Device;1')", "true"},
        {"IS_OF_MODEL('dtmi:example:Device;1', exact)", "false"},
        {"IS_OF_MODEL('dtmi:example:Door;1', exact)", "true"},
        {"IS_OF_MODEL('dtmi:example:Room;1')", "false"},
        {"IS_OF_MODEL(room, 'dtmi:example:Room;1')", "true"},
        {"IS_OF_MODEL(room, 'dtmi:example:Door;1')", "false"},
        {"IS_OF_MODEL(window, 'dtmi:example:Room;1')", "false"},
        {"IS_OF_MODEL(missing)", "false"},
        {"IS_OF_MODEL($metadata.$model)", "true"},
    };
    check_all(cases, context);
}

// Run-time errors name the operator or function and where it is in the text.
TEST(QueryEvaluate, RuntimeErrorsNameTheOperatorAndPlace) {
    const JsonContext context = door_context();
    const Case cases[] = {
        {"count / 0", "error 1:7: '/': division by zero"},
        {"count / zero", "error 1:7: '/': division by zero"},
        {"angle / 0.0", "error 1:7: '/': division by zero"},
        {"count % 0", "error 1:7: '%': modulo by zero"},
        {"co2 > 2000 OR\n  count / (zero * 2) > 1", "error 2:9: '/': division by zero"},
        {"ABS(name) > 1", "error 1:1: ABS expects a number but got string"},
        {"1 + ROUND(tags)", "error 1:5: ROUND expects a number but got array"},
        {"STARTSWITH(count, 'a')", "error 1:1: STARTSWITH expects a string as argument 1 but got number"},
        {"CONTAINS(name, 1)", "error 1:1: CONTAINS expects a string as argument 2 but got number"},
        {"ARRAY_CONTAINS(name, 1)", "error 1:1: ARRAY_CONTAINS expects an array as argument 1 but got string"},
        {"name + 1", "error 1:6: '+' expects numbers but got string and number"},
        {"magnet * 2", "error 1:8: '*' expects numbers but got boolean and number"},
        {"-name", "error 1:1: '-' expects a number but got string"},
        {"count AND true", "error 1:7: AND expects true or false but got number"},
        {"false OR name", "error 1:7: OR expects true or false but got string"},
        {"NOT obj", "error 1:1: NOT expects true or false but got object"},
        {"count IN 7", "error 1:7: IN expects an array on its right but got number"},
        {"count NIN name", "error 1:7: NIN expects an array on its right but got string"},
        {"IS_OF_MODEL(count)", "error 1:1: IS_OF_MODEL expects the model id as a string but got number"},
        {"[[select]] = 3 AND broken.x = 1", "error 1:20: alias 'broken' names 2 twins"},
    };
    JsonContext failing = context;
    failing.failing_alias = "broken";
    check_all(cases, failing);
}

TEST(QueryEvaluate, ConditionsMustBeBooleans) {
    const JsonContext context = door_context();
    EXPECT_EQ(condition("count = 7", context), "true");
    EXPECT_EQ(condition("count = 8", context), "false");
    EXPECT_EQ(condition("missing", context), "false");
    EXPECT_EQ(condition("nothing", context), "false");
    EXPECT_EQ(condition("magnet", context), "true");
    EXPECT_EQ(condition("count + 1", context), "error 1:7: a condition must be true or false but got number");
    EXPECT_EQ(condition("name", context), "error 1:1: a condition must be true or false but got string");
    EXPECT_EQ(condition("count / 0 > 1", context), "error 1:7: '/': division by zero");
}

// The prototype's rules (PROTOTYPE.md): slam in either swing direction, magnet/angle
// conflict, abnormal CO2. Each row is one door or room state.
TEST(QueryEvaluate, PrototypeConditions) {
    struct StateCase {
        std::string_view twin;
        bool expected;
    };
    const auto run = [](std::string_view text, std::span<const StateCase> states) {
        const auto parsed = parse_expression(text);
        ASSERT_TRUE(parsed) << parsed.error().to_string();
        for (const auto& [twin, expected] : states) {
            JsonContext context;
            context.twin = json::parse(twin).as_object();
            const auto result = evaluate_condition(**parsed, context);
            ASSERT_TRUE(result) << text << " on " << twin << ": " << result.error().to_string();
            EXPECT_EQ(*result, expected) << text << " on " << twin;
        }
    };

    const StateCase slam[] = {
        {R"({"gyro": 80})", true},  {R"({"gyro": -80})", true}, // the other swing direction: one cloud build missed it
        {R"({"gyro": 65})", false}, {R"({"gyro": -65.5})", true}, {R"({"gyro": 30.2})", false}, {R"({})", false},
    };
    run("ABS(gyro) > 65", slam);

    const StateCase conflict[] = {
        {R"({"magnet": true, "angle": 10})", true},   // magnet says shut, leaf is open
        {R"({"magnet": true, "angle": -5.5})", true}, // in the other direction
        {R"({"magnet": true, "angle": 3})", false},
        {R"({"magnet": true, "angle": 5})", false},
        {R"({"magnet": false, "angle": 0.5})", true}, // magnet says open, leaf is shut
        {R"({"magnet": false, "angle": -1})", true},
        {R"({"magnet": false, "angle": 20})", false},
        {R"({"magnet": false, "angle": 1.5})", false},
        {R"({"angle": 0})", false}, // no magnet reading yet
        {R"({"magnet": true})", false},
    };
    run("(magnet = true AND ABS(angle) > 5) OR (magnet = false AND ABS(angle) <= 1)", conflict);

    const StateCase co2[] = {
        {R"({"co2": 2100})", true},
        {R"({"co2": 2000})", false},
        {R"({"co2": 1999.9})", false},
        {R"({"co2": "2100"})", false}, // a string is not a number: no alert, no error
        {R"({})", false},              // the field that was never filled (build B)
    };
    run("co2 > 2000", co2);
}

// One parsed tree serves many evaluations (shared, immutable).
TEST(QueryEvaluate, OneTreeManyContexts) {
    const auto parsed = parse_expression("co2 > limit");
    ASSERT_TRUE(parsed);
    const ExpressionPtr shared = *parsed;
    JsonContext high;
    high.twin = json::parse(R"({"co2": 2500, "limit": 2000})").as_object();
    JsonContext low;
    low.twin = json::parse(R"({"co2": 500, "limit": 2000})").as_object();
    EXPECT_EQ(evaluate_condition(*shared, high).value(), true);
    EXPECT_EQ(evaluate_condition(*shared, low).value(), false);
    EXPECT_EQ(evaluate_condition(*shared, high).value(), true);
}
