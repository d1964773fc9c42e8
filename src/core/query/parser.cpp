#include "core/query/parser.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

namespace dtwin::core::query {

namespace {

// Binding strength of the binary operators (higher binds tighter).
constexpr int k_or = 1;
constexpr int k_and = 2;
constexpr int k_comparison = 3; // prefix NOT sits between AND and this: NOT a = b is NOT (a = b)
constexpr int k_additive = 4;
constexpr int k_multiplicative = 5;
constexpr int k_unary_minus = 6;

struct BinaryInfo {
    BinaryOperator op;
    int precedence;
};

std::optional<BinaryInfo> binary_operator(const Token& token) {
    switch (token.kind) {
    case TokenKind::equal:
        return BinaryInfo{BinaryOperator::equal, k_comparison};
    case TokenKind::not_equal:
        return BinaryInfo{BinaryOperator::not_equal, k_comparison};
    case TokenKind::less:
        return BinaryInfo{BinaryOperator::less, k_comparison};
    case TokenKind::less_equal:
        return BinaryInfo{BinaryOperator::less_equal, k_comparison};
    case TokenKind::greater:
        return BinaryInfo{BinaryOperator::greater, k_comparison};
    case TokenKind::greater_equal:
        return BinaryInfo{BinaryOperator::greater_equal, k_comparison};
    case TokenKind::plus:
        return BinaryInfo{BinaryOperator::add, k_additive};
    case TokenKind::minus:
        return BinaryInfo{BinaryOperator::subtract, k_additive};
    case TokenKind::star:
        return BinaryInfo{BinaryOperator::multiply, k_multiplicative};
    case TokenKind::slash:
        return BinaryInfo{BinaryOperator::divide, k_multiplicative};
    case TokenKind::percent:
        return BinaryInfo{BinaryOperator::modulo, k_multiplicative};
    case TokenKind::keyword:
        switch (token.keyword) {
        case Keyword::or_:
            return BinaryInfo{BinaryOperator::logical_or, k_or};
        case Keyword::and_:
            return BinaryInfo{BinaryOperator::logical_and, k_and};
        case Keyword::in:
            return BinaryInfo{BinaryOperator::in, k_comparison};
        case Keyword::nin:
            return BinaryInfo{BinaryOperator::not_in, k_comparison};
        default:
            return std::nullopt;
        }
    default:
        return std::nullopt;
    }
}

bool is_single_name(const Expression& expression) {
    const auto* path = expression.as<MemberPath>();
    return path != nullptr && path->segments.size() == 1;
}

// `upper` is in upper case; `text` may be in any case.
bool equals_ignoring_case(std::string_view text, std::string_view upper) {
    if (text.size() != upper.size()) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = (text[i] >= 'a' && text[i] <= 'z') ? static_cast<char>(text[i] - 'a' + 'A') : text[i];
        if (c != upper[i]) {
            return false;
        }
    }
    return true;
}

bool is_exact_flag(const Expression& expression) {
    return is_single_name(expression) && equals_ignoring_case(expression.as<MemberPath>()->segments.front(), "EXACT");
}

} // namespace

ExpressionParser::ExpressionParser(std::span<const Token> tokens) : m_tokens(tokens) {}

void ExpressionParser::advance() noexcept {
    if (m_index + 1 < m_tokens.size()) {
        ++m_index;
    }
}

Error ExpressionParser::expected(std::string_view what) const {
    return Error{ErrorCode::invalid_value, "expected " + std::string(what) + " but found " + describe(current()),
                 current().position.to_string()};
}

Result<void> ExpressionParser::enter() {
    if (m_nesting >= k_max_expression_depth) {
        return fail(ErrorCode::invalid_value,
                    "expression nested deeper than " + std::to_string(k_max_expression_depth) + " levels",
                    current().position.to_string());
    }
    ++m_nesting;
    return {};
}

Result<ExpressionPtr> ExpressionParser::make_node(Expression::Node node, SourcePosition position) const {
    auto expression = make_expression(std::move(node), position);
    if (expression->depth() > k_max_expression_depth) {
        return fail(ErrorCode::invalid_value,
                    "expression nested deeper than " + std::to_string(k_max_expression_depth) + " levels",
                    position.to_string());
    }
    return expression;
}

Result<ExpressionPtr> ExpressionParser::parse_expression() {
    return parse_binary(k_or);
}

Result<ExpressionPtr> ExpressionParser::parse_binary(int min_precedence) {
    if (auto entered = enter(); !entered) {
        return std::unexpected(std::move(entered.error()));
    }
    auto left = parse_prefix(min_precedence);
    bool left_is_comparison = false; // built by this loop: `(a < b) < c` is fine, `a < b < c` is not
    while (left) {
        const auto info = binary_operator(current());
        if (!info || info->precedence < min_precedence) {
            break;
        }
        if (info->precedence == k_comparison && left_is_comparison) {
            left = std::unexpected(expected("AND or OR between two comparisons"));
            break;
        }
        const Token& op = current();
        advance();
        auto right = parse_binary(info->precedence + 1); // +1: left-associative
        if (!right) {
            left = std::move(right);
            break;
        }
        left = make_node(BinaryExpression{info->op, std::move(*left), std::move(*right)}, op.position);
        left_is_comparison = info->precedence == k_comparison;
    }
    --m_nesting;
    return left;
}

Result<ExpressionPtr> ExpressionParser::parse_prefix(int min_precedence) {
    const Token& token = current();
    if (token.is(Keyword::not_)) {
        if (min_precedence > k_comparison) { // an operand of a comparison or arithmetic: `a = NOT b`
            return std::unexpected(expected("an operand (put a NOT condition in parentheses here)"));
        }
        advance();
        auto operand = parse_binary(k_comparison);
        if (!operand) {
            return operand;
        }
        return make_node(UnaryExpression{UnaryOperator::logical_not, std::move(*operand)}, token.position);
    }
    if (token.kind == TokenKind::minus) {
        advance();
        if (auto entered = enter(); !entered) {
            return std::unexpected(std::move(entered.error()));
        }
        auto operand = parse_prefix(k_unary_minus);
        --m_nesting;
        if (!operand) {
            return operand;
        }
        // -5 is the number -5, not an operation on 5
        if (const auto* literal = (*operand)->as<Literal>();
            literal != nullptr && literal->value.is_int64() &&
            literal->value.get_int64() != std::numeric_limits<std::int64_t>::min()) {
            return make_node(Literal{-literal->value.get_int64()}, token.position);
        }
        if (const auto* literal = (*operand)->as<Literal>(); literal != nullptr && literal->value.is_double()) {
            return make_node(Literal{-literal->value.get_double()}, token.position);
        }
        return make_node(UnaryExpression{UnaryOperator::negate, std::move(*operand)}, token.position);
    }
    return parse_primary();
}

Result<ExpressionPtr> ExpressionParser::parse_primary() {
    const Token& token = current();
    switch (token.kind) {
    case TokenKind::number:
        advance();
        return make_node(Literal{token.number}, token.position);
    case TokenKind::string:
        advance();
        return make_node(Literal{boost::json::value(token.text)}, token.position);
    case TokenKind::left_paren:
        return parse_parenthesised();
    case TokenKind::left_bracket:
        return parse_array();
    case TokenKind::identifier:
        return parse_path_or_call();
    case TokenKind::keyword:
        if (token.is(Keyword::true_) || token.is(Keyword::false_)) {
            advance();
            return make_node(Literal{boost::json::value(token.is(Keyword::true_))}, token.position);
        }
        if (token.is(Keyword::null)) {
            advance();
            return make_node(Literal{nullptr}, token.position);
        }
        return std::unexpected(expected("an operand"));
    default:
        return std::unexpected(expected("an operand"));
    }
}

Result<ExpressionPtr> ExpressionParser::parse_parenthesised() {
    advance(); // (
    auto inner = parse_expression();
    if (!inner) {
        return inner;
    }
    if (current().kind != TokenKind::right_paren) {
        return std::unexpected(expected("')'"));
    }
    advance();
    return inner;
}

Result<ExpressionPtr> ExpressionParser::parse_array() {
    const Token& open = current();
    advance(); // [
    ArrayLiteral array;
    if (current().kind != TokenKind::right_bracket) {
        for (;;) {
            auto element = parse_expression();
            if (!element) {
                return element;
            }
            array.elements.push_back(std::move(*element));
            if (current().kind == TokenKind::right_bracket) {
                break;
            }
            if (current().kind != TokenKind::comma) {
                return std::unexpected(expected("',' or ']'"));
            }
            advance();
        }
    }
    advance(); // ]
    return make_node(std::move(array), open.position);
}

Result<ExpressionPtr> ExpressionParser::parse_path_or_call() {
    const Token& name = current();
    advance();
    if (current().kind == TokenKind::left_paren) {
        return parse_call(name);
    }
    return parse_path(name);
}

Result<ExpressionPtr> ExpressionParser::parse_path(const Token& first) {
    MemberPath path;
    path.segments.push_back(first.text);
    for (;;) {
        if (current().kind == TokenKind::dot) {
            advance();
            // after a dot any word is a name, keywords included (door.from)
            if (current().kind != TokenKind::identifier && current().kind != TokenKind::keyword) {
                return std::unexpected(expected("a property name after '.'"));
            }
            path.segments.push_back(current().text);
            advance();
        } else if (current().kind == TokenKind::left_bracket) {
            advance();
            if (current().kind != TokenKind::string) {
                return std::unexpected(expected("a quoted property name in '[...]' (arrays cannot be indexed)"));
            }
            path.segments.push_back(current().text);
            advance();
            if (current().kind != TokenKind::right_bracket) {
                return std::unexpected(expected("']'"));
            }
            advance();
        } else {
            return make_node(std::move(path), first.position);
        }
    }
}

Result<std::vector<ExpressionPtr>> ExpressionParser::parse_arguments() {
    advance(); // (
    std::vector<ExpressionPtr> arguments;
    if (current().kind == TokenKind::right_paren) {
        advance();
        return arguments;
    }
    for (;;) {
        auto argument = parse_expression();
        if (!argument) {
            return std::unexpected(std::move(argument.error()));
        }
        arguments.push_back(std::move(*argument));
        if (current().kind == TokenKind::right_paren) {
            advance();
            return arguments;
        }
        if (current().kind != TokenKind::comma) {
            return std::unexpected(expected("',' or ')'"));
        }
        advance();
    }
}

Result<ExpressionPtr> ExpressionParser::parse_call(const Token& name) {
    const bool model_check = equals_ignoring_case(name.text, "IS_OF_MODEL");
    const auto function = find_function(name.text);
    if (!function && !model_check) {
        return fail(ErrorCode::invalid_value, "unknown function '" + name.text + "'", name.position.to_string());
    }
    auto arguments = parse_arguments();
    if (!arguments) {
        return std::unexpected(std::move(arguments.error()));
    }
    if (model_check) {
        return make_model_check(name, std::move(*arguments));
    }
    const std::size_t arity = function_arity(*function);
    if (arguments->size() != arity) {
        return fail(ErrorCode::invalid_value,
                    std::string(function_name(*function)) + " expects " + std::to_string(arity) + " argument" +
                        (arity == 1 ? "" : "s") + " but got " + std::to_string(arguments->size()),
                    name.position.to_string());
    }
    if (*function == Function::previous && (*arguments)[0]->as<MemberPath>() == nullptr) {
        return fail(ErrorCode::invalid_value, "PREVIOUS expects a property path such as PREVIOUS(angle)",
                    (*arguments)[0]->position().to_string());
    }
    return make_node(FunctionCall{*function, std::move(*arguments)}, name.position);
}

Result<ExpressionPtr> ExpressionParser::make_model_check(const Token& name, std::vector<ExpressionPtr> arguments) {
    ModelCheck check;
    // the flag `exact` is a bare word after the model id
    if (arguments.size() >= 2 && is_exact_flag(*arguments.back())) {
        check.exact = true;
        arguments.pop_back();
    }
    if (arguments.size() == 2 && is_single_name(*arguments[0])) {
        check.twin = std::move(arguments[0]);
        check.model_id = std::move(arguments[1]);
    } else if (arguments.size() == 1) {
        check.model_id = std::move(arguments[0]);
    } else {
        return fail(ErrorCode::invalid_value,
                    "IS_OF_MODEL expects ([twin alias,] 'model id' [, exact]), e.g. IS_OF_MODEL(door, "
                    "'dtmi:example:Door;1')",
                    name.position.to_string());
    }
    if (const auto* literal = check.model_id->as<Literal>(); literal != nullptr && !literal->value.is_string()) {
        return fail(ErrorCode::invalid_value,
                    "IS_OF_MODEL expects the model id as a string such as 'dtmi:example:Door;1'",
                    check.model_id->position().to_string());
    }
    return make_node(std::move(check), name.position);
}

Result<ExpressionPtr> parse_expression(std::string_view text) {
    auto tokens = tokenize(text);
    if (!tokens) {
        return std::unexpected(std::move(tokens.error()));
    }
    ExpressionParser parser(*tokens);
    auto expression = parser.parse_expression();
    if (expression && parser.current().kind != TokenKind::end) {
        return std::unexpected(parser.expected("an operator or end of input"));
    }
    return expression;
}

} // namespace dtwin::core::query
