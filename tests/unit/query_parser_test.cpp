// The expression language's lexer and parser: precedence, literals, paths, functions,
// errors with line:column, depth limits, referenced paths. Table-driven: each row is a
// case of the language's rules (parser.hpp, lexer.hpp).
#include "core/query/parser.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <string>
#include <string_view>

using namespace dtwin::core;
using namespace dtwin::core::query;

namespace {

std::string canonical(std::string_view text) {
    const auto parsed = parse_expression(text);
    if (!parsed) {
        return "error " + parsed.error().to_string();
    }
    return to_string(**parsed);
}

struct TextCase {
    std::string_view input;
    std::string_view expected;
};

} // namespace

// Precedence, loosest first: OR, AND, NOT, comparisons, + -, * / %, unary minus.
TEST(QueryParser, PrecedenceAndAssociativity) {
    const TextCase cases[] = {
        {"a + b * c", "(a + (b * c))"},
        {"a * b + c", "((a * b) + c)"},
        {"a - b - c", "((a - b) - c)"},
        {"a / b * c", "((a / b) * c)"},
        {"a % b + c", "((a % b) + c)"},
        {"a - b % c", "(a - (b % c))"},
        {"-a * b", "((-a) * b)"},
        {"- 2 * 3", "(-2 * 3)"},
        {"a - -b", "(a - (-b))"},
        {"--a", "(-(-a))"},
        {"a OR b AND c", "(a OR (b AND c))"},
        {"a AND b OR c AND d", "((a AND b) OR (c AND d))"},
        {"a OR b OR c", "((a OR b) OR c)"},
        {"a AND b AND c", "((a AND b) AND c)"},
        {"NOT a = 1 AND b", "((NOT (a = 1)) AND b)"},
        {"NOT DT.Temperature <= 80", "(NOT (DT.Temperature <= 80))"},
        {"NOT NOT a", "(NOT (NOT a))"},
        {"a AND NOT b OR c", "((a AND (NOT b)) OR c)"},
        {"a + 1 > b * 2", "((a + 1) > (b * 2))"},
        {"(a OR b) AND c", "((a OR b) AND c)"},
        {"(a - b) - (c - d)", "((a - b) - (c - d))"},
        {"a - (b - c)", "(a - (b - c))"},
        {"(a < b) = true", "((a < b) = TRUE)"},
        {"x IN [1, 2] OR y NIN ['a']", "((x IN [1, 2]) OR (y NIN ['a']))"},
        {"x + 1 IN [2, 3]", "((x + 1) IN [2, 3])"},
        {"a != b AND c >= d OR e < f", "(((a != b) AND (c >= d)) OR (e < f))"},
        {"a and b or not c", "((a AND b) OR (NOT c))"},
        {"ABS(gyro) > 65", "(ABS(gyro) > 65)"},
        {"(magnet = true AND ABS(angle) > 5) OR (magnet = false AND ABS(angle) <= 1)",
         "(((magnet = TRUE) AND (ABS(angle) > 5)) OR ((magnet = FALSE) AND (ABS(angle) <= 1)))"},
        {"co2 > 2000", "(co2 > 2000)"},
    };
    for (const auto& [input, expected] : cases) {
        EXPECT_EQ(canonical(input), expected) << input;
        // the canonical text is itself valid and means the same
        EXPECT_EQ(canonical(canonical(input)), expected) << input;
    }
}

TEST(QueryParser, LiteralsPathsAndCalls) {
    const TextCase cases[] = {
        {"'closed'", "'closed'"},
        {"\"double quoted\"", "'double quoted'"},
        {R"('it\'s')", R"('it\'s')"},
        {R"("say \"hi\"")", "'say \"hi\"'"},
        {R"('tab\there')", R"('tab\there')"},
        {"true AND False OR null", "((TRUE AND FALSE) OR NULL)"},
        {"[]", "[]"},
        {"[1, 'a', [true]]", "[1, 'a', [TRUE]]"},
        {"door.doorState = 'closed'", "(door.doorState = 'closed')"},
        {"$dtId", "$dtId"},
        {"$metadata.$model", "$metadata.$model"},
        {"T['my prop']", "T['my prop']"},
        {"T['plain'].x", "T.plain.x"},
        {"[[Group]] = 'BravoTeam'", "(Group = 'BravoTeam')"},
        {"[[from]]", "[[from]]"},
        {"door.from", "door.from"},
        {"abs(x)", "ABS(x)"},
        {"Is_Defined(x)", "IS_DEFINED(x)"},
        {"starts_with($dtId, 'a')", "STARTSWITH($dtId, 'a')"},
        {"ENDS_WITH($dtId, 'a')", "ENDSWITH($dtId, 'a')"},
        {"contains(name, 'x') AND array_contains(tags, 2)", "(CONTAINS(name, 'x') AND ARRAY_CONTAINS(tags, 2))"},
        {"ceiling(x) + floor(x) + round(x) + sign(x)", "(((CEILING(x) + FLOOR(x)) + ROUND(x)) + SIGN(x))"},
        {"IS_NULL(a) OR IS_BOOL(a) OR IS_NUMBER(a) OR IS_STRING(a) OR IS_PRIMITIVE(a) OR IS_OBJECT(a)",
         "(((((IS_NULL(a) OR IS_BOOL(a)) OR IS_NUMBER(a)) OR IS_STRING(a)) OR IS_PRIMITIVE(a)) OR IS_OBJECT(a))"},
        {"previous(magnet) != magnet", "(PREVIOUS(magnet) != magnet)"},
        {"PREVIOUS(door.angle)", "PREVIOUS(door.angle)"},
        {"is_of_model('dtmi:example:Door;1')", "IS_OF_MODEL('dtmi:example:Door;1')"},
        {"IS_OF_MODEL(door, 'dtmi:example:Door;1')", "IS_OF_MODEL(door, 'dtmi:example:Door;1')"},
        {"IS_OF_MODEL(DT, 'dtmi:example:room;1', EXACT)", "IS_OF_MODEL(DT, 'dtmi:example:room;1', exact)"},
        {"IS_OF_MODEL('dtmi:example:room;1', exact)", "IS_OF_MODEL('dtmi:example:room;1', exact)"},
        {" \t\r\n a \n=\n 1 ", "(a = 1)"},
    };
    for (const auto& [input, expected] : cases) {
        EXPECT_EQ(canonical(input), expected) << input;
        EXPECT_EQ(canonical(canonical(input)), expected) << input;
    }
}

TEST(QueryParser, NumbersKeepIntegersAndDecodeStrings) {
    struct ValueCase {
        std::string_view input;
        std::string_view json;
    };
    const ValueCase cases[] = {
        {"42", "42"},
        {"-7", "-7"},
        {"0.5", "5E-1"},
        {"1e3", "1E3"},
        {"-2.5E-1", "-2.5E-1"},
        {"9223372036854775807", "9223372036854775807"},
        {"9223372036854775808", "9.223372036854776E18"}, // beyond int64: a double
        {R"('\u00e9')", "\"\xC3\xA9\""},
        {R"('\ud83d\ude00')", "\"\xF0\x9F\x98\x80\""},
        {R"('a\\b\/c')", R"("a\\b/c")"},
        {"'multi\nline'", R"("multi\nline")"},
    };
    for (const auto& [input, json] : cases) {
        const auto parsed = parse_expression(input);
        ASSERT_TRUE(parsed) << input << ": " << parsed.error().to_string();
        const auto* literal = (*parsed)->as<Literal>();
        ASSERT_NE(literal, nullptr) << input;
        EXPECT_EQ(boost::json::serialize(literal->value), json) << input;
    }
    EXPECT_TRUE((*parse_expression("42"))->as<Literal>()->value.is_int64());
    EXPECT_TRUE((*parse_expression("42.0"))->as<Literal>()->value.is_double());
}

// Every malformed input names the place (line:column, characters not bytes) and says what
// was expected and what was found.
TEST(QueryParser, ErrorsSayWhereAndWhat) {
    struct ErrorCase {
        std::string_view input;
        std::string_view where;
        std::string_view message;
    };
    const ErrorCase cases[] = {
        {"(a AND b", "1:9", "expected ')' but found end of input"},
        {"(a = 1 AND b = 2", "1:17", "expected ')' but found end of input"},
        {"(a = 1 b)", "1:8", "expected ')' but found 'b'"},
        {"(magnet = true AND ABS(angle) > 5) OR", "1:38", "expected an operand but found end of input"},
        {"a = = b", "1:5", "expected an operand but found '='"},
        {"", "1:1", "expected an operand but found end of input"},
        {"co2 > 2000 co2", "1:12", "expected an operator or end of input but found 'co2'"},
        {"a < b < c", "1:7", "expected AND or OR between two comparisons but found '<'"},
        {"a = NOT b", "1:5", "expected an operand (put a NOT condition in parentheses here) but found 'NOT'"},
        {"a AND and b", "1:7", "expected an operand but found 'AND'"},
        {"x = SELECT", "1:5", "expected an operand but found 'SELECT'"},
        {"'unterminated", "1:1", "unterminated string: expected a closing ' but found end of input"},
        {"\"unterminated", "1:1", "unterminated string: expected a closing \" but found end of input"},
        {R"(a = 'bad \q escape')", "1:10", R"(invalid escape '\q' in string)"},
        {R"(a = '\u12')", "1:6", R"(invalid escape: expected four hexadecimal digits after '\u')"},
        {"a ! b", "1:3", "expected '!=' but found '!' alone (use NOT for negation)"},
        {"a # b", "1:3", "unexpected character '#'"},
        {"12abc > 1", "1:1", "malformed number '12abc'"},
        {"x > 1.", "1:5", "malformed number '1.': expected a digit after '.'"},
        {"x > 1e+", "1:5", "malformed number '1e+': expected a digit in the exponent"},
        {"x > 1e999", "1:5", "number '1e999' is out of range"},
        {"FOO(x) > 1", "1:1", "unknown function 'FOO'"},
        {"ABS(x, y) > 1", "1:1", "ABS expects 1 argument but got 2"},
        {"STARTSWITH(x)", "1:1", "STARTSWITH expects 2 arguments but got 1"},
        {"ABS(x", "1:6", "expected ',' or ')' but found end of input"},
        {"x IN [1, 2", "1:11", "expected ',' or ']' but found end of input"},
        {"x IN [1 2]", "1:9", "expected ',' or ']' but found '2'"},
        {"door.", "1:6", "expected a property name after '.' but found end of input"},
        {"door.'x'", "1:6", "expected a property name after '.' but found string 'x'"},
        {"tags[0] = 1", "1:6", "expected a quoted property name in '[...]' (arrays cannot be indexed) but found '0'"},
        {"T['x' = 1", "1:7", "expected ']' but found '='"},
        {"PREVIOUS(1)", "1:10", "PREVIOUS expects a property path such as PREVIOUS(angle)"},
        {"IS_OF_MODEL(a, b, c, d)", "1:1",
         "IS_OF_MODEL expects ([twin alias,] 'model id' [, exact]), e.g. IS_OF_MODEL(door, 'dtmi:example:Door;1')"},
        {"IS_OF_MODEL(42)", "1:13", "IS_OF_MODEL expects the model id as a string such as 'dtmi:example:Door;1'"},
        // lines and columns across line breaks; columns count characters, not UTF-8 bytes
        {"co2 > 2000\nAND\n(temperature < ", "3:16", "expected an operand but found end of input"},
        {"a AND\n  b AND )", "2:9", "expected an operand but found ')'"},
        {"name = '\xC3\xA9t\xC3\xA9' x", "1:14", "expected an operator or end of input but found 'x'"},
    };
    for (const auto& [input, where, message] : cases) {
        const auto parsed = parse_expression(input);
        ASSERT_FALSE(parsed) << input << " parsed as " << to_string(**parsed);
        EXPECT_EQ(parsed.error().code, ErrorCode::invalid_value) << input;
        EXPECT_EQ(parsed.error().where, where) << input;
        EXPECT_EQ(parsed.error().message, message) << input;
    }
}

TEST(QueryParser, DeepNestingIsRejectedNotACrash) {
    const std::size_t deep = 5000;
    const std::string parentheses = std::string(deep, '(') + "a" + std::string(deep, ')');
    const auto nested = parse_expression(parentheses);
    ASSERT_FALSE(nested);
    EXPECT_EQ(nested.error().message, "expression nested deeper than 200 levels");

    std::string chain = "1";
    for (std::size_t i = 0; i < deep; ++i) {
        chain += " + 1";
    }
    const auto long_chain = parse_expression(chain);
    ASSERT_FALSE(long_chain);
    EXPECT_EQ(long_chain.error().message, "expression nested deeper than 200 levels");

    const auto negations = parse_expression(std::string(deep, '-') + "a");
    ASSERT_FALSE(negations);
    EXPECT_EQ(negations.error().message, "expression nested deeper than 200 levels");

    // realistic depths are fine
    const std::size_t fine = 50;
    const auto ok = parse_expression(std::string(fine, '(') + "a" + std::string(fine, ')'));
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_EQ(to_string(**ok), "a");
}

TEST(QueryParser, ReferencedPathsListEveryPathWithItsUseAndPlace) {
    const auto parsed = parse_expression("door.doorState = 'closed' AND PREVIOUS(magnet) != magnet\n"
                                         "  AND IS_OF_MODEL(door, 'dtmi:example:Door;1') AND obj['a b'] IN [x, 1]");
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    const auto paths = referenced_paths(**parsed);
    ASSERT_EQ(paths.size(), 6U);
    EXPECT_EQ(paths[0].segments, (std::vector<std::string>{"door", "doorState"}));
    EXPECT_EQ(paths[0].use, PathUse::value);
    EXPECT_EQ(paths[0].position.to_string(), "1:1");
    EXPECT_EQ(paths[1].segments, (std::vector<std::string>{"magnet"}));
    EXPECT_EQ(paths[1].use, PathUse::previous);
    EXPECT_EQ(paths[1].position.to_string(), "1:40");
    EXPECT_EQ(paths[2].segments, (std::vector<std::string>{"magnet"}));
    EXPECT_EQ(paths[2].use, PathUse::value);
    EXPECT_EQ(paths[2].position.to_string(), "1:51");
    EXPECT_EQ(paths[3].segments, (std::vector<std::string>{"door"}));
    EXPECT_EQ(paths[3].use, PathUse::model);
    EXPECT_EQ(paths[3].position.to_string(), "2:19");
    EXPECT_EQ(paths[4].segments, (std::vector<std::string>{"obj", "a b"}));
    EXPECT_EQ(paths[5].segments, (std::vector<std::string>{"x"}));

    EXPECT_TRUE(referenced_paths(**parse_expression("1 + 2 = 3")).empty());
}

TEST(QueryParser, OperatorNodesArePlacedAtTheOperator) {
    const auto parsed = parse_expression("a +\n  b");
    ASSERT_TRUE(parsed);
    EXPECT_EQ((*parsed)->position().to_string(), "1:3");
    const auto* sum = (*parsed)->as<BinaryExpression>();
    ASSERT_NE(sum, nullptr);
    EXPECT_EQ(sum->op, BinaryOperator::add);
    EXPECT_EQ(sum->right->position().to_string(), "2:3");
}

// The parser stops at the first token that cannot continue an expression, so that a query
// parser can go on with FROM, WHERE, JOIN...
TEST(QueryParser, ExpressionParserStopsBeforeQueryKeywords) {
    const auto tokens = tokenize("T.temperature * 2 FROM DIGITALTWINS T WHERE t.x = 1");
    ASSERT_TRUE(tokens);
    ExpressionParser parser(*tokens);
    const auto projection = parser.parse_expression();
    ASSERT_TRUE(projection) << projection.error().to_string();
    EXPECT_EQ(to_string(**projection), "(T.temperature * 2)");
    EXPECT_TRUE(parser.current().is(Keyword::from));
    parser.advance();
    EXPECT_EQ(parser.current().text, "DIGITALTWINS");
    parser.advance();
    parser.advance();
    EXPECT_TRUE(parser.current().is(Keyword::where));
    parser.advance();
    const auto condition = parser.parse_expression();
    ASSERT_TRUE(condition);
    EXPECT_EQ(to_string(**condition), "(t.x = 1)");
    EXPECT_EQ(parser.current().kind, TokenKind::end);
}

TEST(QueryLexer, KeywordsAreCaseInsensitiveAndEscapable) {
    const auto tokens = tokenize("and Or NOT in nin TRUE false Null select [[select]] selected");
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), 12U);
    const Keyword keywords[] = {Keyword::and_,  Keyword::or_,    Keyword::not_, Keyword::in,    Keyword::nin,
                                Keyword::true_, Keyword::false_, Keyword::null, Keyword::select};
    for (std::size_t i = 0; i < std::size(keywords); ++i) {
        EXPECT_TRUE((*tokens)[i].is(keywords[i])) << i;
    }
    EXPECT_EQ((*tokens)[9].kind, TokenKind::identifier);
    EXPECT_EQ((*tokens)[9].text, "select");
    EXPECT_EQ((*tokens)[10].kind, TokenKind::identifier);
    EXPECT_EQ((*tokens)[10].text, "selected");
    EXPECT_EQ((*tokens)[11].kind, TokenKind::end);
    EXPECT_EQ(describe((*tokens)[0]), "'AND'");
    EXPECT_EQ(describe((*tokens)[11]), "end of input");
}
