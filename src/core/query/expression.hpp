// The syntax tree of the expression language (the WHERE-clause syntax of the Azure
// Digital Twins query language, plus arithmetic and PREVIOUS).
//
// Immutable: nodes are built once by the parser (or by make_expression) and shared
// through ExpressionPtr = shared_ptr<const Expression>. A parsed condition can be
// evaluated by many rules and from several threads at once; the tree itself never
// changes.
//
// Every node knows where it starts in the source text (operators: where the operator
// is), so run-time errors can point there too, and its depth, which the parser bounds
// (k_max_expression_depth) so that evaluating and destroying a tree cannot exhaust the
// stack.
#pragma once

#include "core/query/functions.hpp"
#include "core/query/source_position.hpp"

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dtwin::core::query {

class Expression;
using ExpressionPtr = std::shared_ptr<const Expression>;

/// Deepest tree the parser accepts (nesting of parentheses, operators, calls).
inline constexpr std::uint32_t k_max_expression_depth = 200;

enum class UnaryOperator {
    logical_not, ///< NOT
    negate,      ///< unary -
};

enum class BinaryOperator {
    logical_or,    ///< OR
    logical_and,   ///< AND
    equal,         ///< =
    not_equal,     ///< !=
    less,          ///< <
    less_equal,    ///< <=
    greater,       ///< >
    greater_equal, ///< >=
    in,            ///< IN
    not_in,        ///< NIN
    add,           ///< +
    subtract,      ///< -
    multiply,      ///< *
    divide,        ///< /
    modulo,        ///< %
};

/// The operator as written in the language: "NOT", "-", "AND", "<=", "NIN", ...
[[nodiscard]] std::string_view operator_symbol(UnaryOperator op) noexcept;
[[nodiscard]] std::string_view operator_symbol(BinaryOperator op) noexcept;

// The node kinds. Child pointers are never null (ModelCheck::twin excepted).

/// A constant: number, string, true, false or null.
struct Literal {
    boost::json::value value;
};

/// `[a, b, ...]`, the right-hand side of IN and NIN.
struct ArrayLiteral {
    std::vector<ExpressionPtr> elements;
};

/// A member path: `angle`, `door.doorState`, `$metadata.$model`, `T['my prop']`.
/// Segments are names (brackets and escapes removed). What the first segment means (an
/// alias bound by the rule, or a property of the twin itself) is for the
/// EvaluationContext to decide.
struct MemberPath {
    std::vector<std::string> segments;
};

struct UnaryExpression {
    UnaryOperator op = UnaryOperator::logical_not;
    ExpressionPtr operand;
};

struct BinaryExpression {
    BinaryOperator op = BinaryOperator::equal;
    ExpressionPtr left;
    ExpressionPtr right;
};

/// A call of a built-in function. PREVIOUS has exactly one argument, a MemberPath.
struct FunctionCall {
    Function function = Function::is_defined;
    std::vector<ExpressionPtr> arguments;
};

/// IS_OF_MODEL([alias,] model-id [, exact]).
struct ModelCheck {
    /// The twin collection or alias (`door`): a MemberPath of one segment; null for the
    /// twin itself.
    ExpressionPtr twin;
    ExpressionPtr model_id; ///< usually a string literal: 'dtmi:example:Door;1'
    bool exact = false;     ///< true: the model itself only, not models extending it
};

class Expression {
public:
    using Node =
        std::variant<Literal, ArrayLiteral, MemberPath, UnaryExpression, BinaryExpression, FunctionCall, ModelCheck>;

    /// A node at `position`; its depth is computed from its children.
    Expression(Node node, SourcePosition position);

    [[nodiscard]] const Node& node() const noexcept { return m_node; }
    [[nodiscard]] SourcePosition position() const noexcept { return m_position; }
    /// 1 for a leaf, 1 + the deepest child otherwise.
    [[nodiscard]] std::uint32_t depth() const noexcept { return m_depth; }

    /// The node as `T`, or nullptr when it is another kind.
    template <typename T> [[nodiscard]] const T* as() const noexcept { return std::get_if<T>(&m_node); }

private:
    Node m_node;
    SourcePosition m_position;
    std::uint32_t m_depth = 1;
};

/// Shorthand for make_shared<const Expression>(node, position).
[[nodiscard]] ExpressionPtr make_expression(Expression::Node node, SourcePosition position = {});

/// The expression as canonical text: keywords and function names in upper case, strings
/// in single quotes, every operation in parentheses ("((a + (b * c)) > 2)"). Parsing it
/// again gives the same tree; tests use it to check precedence.
[[nodiscard]] std::string to_string(const Expression& expression);

/// How an expression uses a path (referenced_paths).
enum class PathUse {
    value,    ///< its current value is read
    previous, ///< PREVIOUS(path): its value before the change
    model,    ///< IS_OF_MODEL(alias, ...): the twin the alias names (one segment)
};

struct PathReference {
    std::vector<std::string> segments;
    SourcePosition position;
    PathUse use = PathUse::value;
};

/// Every member path the expression refers to, in source order, repeats included, so a
/// rule loader can check each against the models at start and say where it is.
[[nodiscard]] std::vector<PathReference> referenced_paths(const Expression& expression);

} // namespace dtwin::core::query
