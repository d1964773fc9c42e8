// The parser of the expression language: tokens -> immutable syntax tree.
//
// Recursive descent with precedence climbing. Precedence, loosest first:
//   OR < AND < NOT < comparisons (= != < <= > >= IN NIN) < + - < * / % < unary -
// OR, AND and the arithmetic operators associate to the left; comparisons do not chain
// (`a < b < c` is an error, as in SQL). NOT applies to a whole comparison
// (`NOT t <= 80` is `NOT (t <= 80)`, as in ADT) and stands where a condition can: at the
// start, after AND/OR/NOT or inside parentheses.
//
// Operands: literals (numbers, 'strings', "strings", TRUE, FALSE, NULL), arrays
// [a, b], parentheses, member paths (`angle`, `door.doorState`, `$metadata.$model`,
// `T['my prop']`, `[[group]]`) and function calls (`ABS(gyro)`,
// `IS_OF_MODEL(door, 'dtmi:example:Door;1', exact)`, `PREVIOUS(magnet)`).
// Unknown functions, wrong argument counts and malformed IS_OF_MODEL/PREVIOUS arguments
// are parse errors, so rule files fail at start rather than at run time.
//
// ExpressionParser parses one expression from a token sequence and stops at the first
// token that cannot continue it; a later query parser (SELECT ... FROM ... WHERE ...)
// consumes its own keywords and calls it for every expression it needs.
//
// Errors (ErrorCode::invalid_value): `where` = "line:column" of the offending token, the
// message says what was expected and what was found: "expected ')' but found 'AND'".
//
// Not thread-safe per instance (it has a cursor); the functions are pure.
#pragma once

#include "core/error.hpp"
#include "core/query/expression.hpp"
#include "core/query/lexer.hpp"

#include <cstddef>
#include <span>
#include <string_view>

namespace dtwin::core::query {

class ExpressionParser {
public:
    /// `tokens` must end with a TokenKind::end token (as tokenize() returns them) and
    /// outlive the parser.
    explicit ExpressionParser(std::span<const Token> tokens);

    /// Parses one expression starting at the current token; on success the cursor is on
    /// the first token after it.
    [[nodiscard]] Result<ExpressionPtr> parse_expression();

    /// The token at the cursor (the end token once everything is consumed).
    [[nodiscard]] const Token& current() const noexcept { return m_tokens[m_index]; }
    /// Moves past the current token (never past the end token).
    void advance() noexcept;
    /// An error "expected <what> but found <current token>" at the current token.
    [[nodiscard]] Error expected(std::string_view what) const;

private:
    Result<ExpressionPtr> parse_binary(int min_precedence);
    Result<ExpressionPtr> parse_prefix(int min_precedence);
    Result<ExpressionPtr> parse_primary();
    Result<ExpressionPtr> parse_parenthesised();
    Result<ExpressionPtr> parse_array();
    Result<ExpressionPtr> parse_path_or_call();
    Result<ExpressionPtr> parse_path(const Token& first);
    Result<ExpressionPtr> parse_call(const Token& name);
    Result<std::vector<ExpressionPtr>> parse_arguments();
    Result<ExpressionPtr> make_model_check(const Token& name, std::vector<ExpressionPtr> arguments);
    Result<ExpressionPtr> make_node(Expression::Node node, SourcePosition position) const;
    Result<void> enter();

    std::span<const Token> m_tokens;
    std::size_t m_index = 0;
    std::uint32_t m_nesting = 0; ///< current recursion depth, bounded by k_max_expression_depth
};

/// Parses `text` as exactly one expression (anything after it is an error).
[[nodiscard]] Result<ExpressionPtr> parse_expression(std::string_view text);

} // namespace dtwin::core::query
