#include "core/query/expression.hpp"

#include "core/query/lexer.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <cctype>

namespace dtwin::core::query {

namespace json = boost::json;

namespace {

template <typename... Ts> struct Overloaded : Ts... { using Ts::operator()...; };

std::uint32_t child_depth(const ExpressionPtr& child) {
    return child ? child->depth() : 0;
}

std::uint32_t depth_of(const Expression::Node& node) {
    return std::visit(
        Overloaded{
            [](const Literal&) -> std::uint32_t { return 0; },
            [](const MemberPath&) -> std::uint32_t { return 0; },
            [](const ArrayLiteral& array) {
                std::uint32_t deepest = 0;
                for (const auto& element : array.elements) {
                    deepest = std::max(deepest, child_depth(element));
                }
                return deepest;
            },
            [](const UnaryExpression& unary) { return child_depth(unary.operand); },
            [](const BinaryExpression& binary) {
                return std::max(child_depth(binary.left), child_depth(binary.right));
            },
            [](const FunctionCall& call) {
                std::uint32_t deepest = 0;
                for (const auto& argument : call.arguments) {
                    deepest = std::max(deepest, child_depth(argument));
                }
                return deepest;
            },
            [](const ModelCheck& check) { return std::max(child_depth(check.twin), child_depth(check.model_id)); },
        },
        node);
}

bool is_plain_name(std::string_view segment) {
    if (segment.empty() || std::isdigit(static_cast<unsigned char>(segment.front())) != 0) {
        return false;
    }
    return std::all_of(segment.begin(), segment.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$'; });
}

void write_string(std::string& out, std::string_view text) {
    out += '\'';
    for (const char c : text) {
        switch (c) {
        case '\'':
            out += "\\'";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    out += '\'';
}

void write_literal(std::string& out, const json::value& value) {
    if (value.is_string()) {
        write_string(out, value.get_string());
    } else if (value.is_null()) {
        out += "NULL";
    } else if (value.is_bool()) {
        out += value.get_bool() ? "TRUE" : "FALSE";
    } else {
        out += json::serialize(value);
    }
}

// A first segment that is a keyword is escaped ([[from]]); later segments that are not
// plain names are written in bracket form (T['my prop']), so the text parses back to the
// same path.
void write_path(std::string& out, const std::vector<std::string>& segments) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const std::string& segment = segments[i];
        if (i == 0) {
            out += find_keyword(segment) ? "[[" + segment + "]]" : segment;
        } else if (is_plain_name(segment)) {
            out += '.';
            out += segment;
        } else {
            out += '[';
            write_string(out, segment);
            out += ']';
        }
    }
}

void write(std::string& out, const Expression& expression);

void write_arguments(std::string& out, const std::vector<ExpressionPtr>& arguments) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        write(out, *arguments[i]);
    }
}

void write(std::string& out, const Expression& expression) {
    std::visit(Overloaded{
                   [&](const Literal& literal) { write_literal(out, literal.value); },
                   [&](const ArrayLiteral& array) {
                       out += '[';
                       write_arguments(out, array.elements);
                       out += ']';
                   },
                   [&](const MemberPath& path) { write_path(out, path.segments); },
                   [&](const UnaryExpression& unary) {
                       out += '(';
                       out += operator_symbol(unary.op);
                       if (unary.op == UnaryOperator::logical_not) {
                           out += ' ';
                       }
                       write(out, *unary.operand);
                       out += ')';
                   },
                   [&](const BinaryExpression& binary) {
                       out += '(';
                       write(out, *binary.left);
                       out += ' ';
                       out += operator_symbol(binary.op);
                       out += ' ';
                       write(out, *binary.right);
                       out += ')';
                   },
                   [&](const FunctionCall& call) {
                       out += function_name(call.function);
                       out += '(';
                       write_arguments(out, call.arguments);
                       out += ')';
                   },
                   [&](const ModelCheck& check) {
                       out += "IS_OF_MODEL(";
                       if (check.twin) {
                           write(out, *check.twin);
                           out += ", ";
                       }
                       write(out, *check.model_id);
                       out += check.exact ? ", exact)" : ")";
                   },
               },
               expression.node());
}

void collect(const Expression& expression, PathUse use, std::vector<PathReference>& out) {
    std::visit(Overloaded{
                   [](const Literal&) {},
                   [&](const ArrayLiteral& array) {
                       for (const auto& element : array.elements) {
                           collect(*element, PathUse::value, out);
                       }
                   },
                   [&](const MemberPath& path) {
                       out.push_back({path.segments, expression.position(), use});
                   },
                   [&](const UnaryExpression& unary) { collect(*unary.operand, PathUse::value, out); },
                   [&](const BinaryExpression& binary) {
                       collect(*binary.left, PathUse::value, out);
                       collect(*binary.right, PathUse::value, out);
                   },
                   [&](const FunctionCall& call) {
                       const PathUse argument_use =
                           call.function == Function::previous ? PathUse::previous : PathUse::value;
                       for (const auto& argument : call.arguments) {
                           collect(*argument, argument_use, out);
                       }
                   },
                   [&](const ModelCheck& check) {
                       if (check.twin) {
                           collect(*check.twin, PathUse::model, out);
                       }
                       collect(*check.model_id, PathUse::value, out);
                   },
               },
               expression.node());
}

} // namespace

std::string_view operator_symbol(UnaryOperator op) noexcept {
    return op == UnaryOperator::logical_not ? "NOT" : "-";
}

std::string_view operator_symbol(BinaryOperator op) noexcept {
    switch (op) {
    case BinaryOperator::logical_or:
        return "OR";
    case BinaryOperator::logical_and:
        return "AND";
    case BinaryOperator::equal:
        return "=";
    case BinaryOperator::not_equal:
        return "!=";
    case BinaryOperator::less:
        return "<";
    case BinaryOperator::less_equal:
        return "<=";
    case BinaryOperator::greater:
        return ">";
    case BinaryOperator::greater_equal:
        return ">=";
    case BinaryOperator::in:
        return "IN";
    case BinaryOperator::not_in:
        return "NIN";
    case BinaryOperator::add:
        return "+";
    case BinaryOperator::subtract:
        return "-";
    case BinaryOperator::multiply:
        return "*";
    case BinaryOperator::divide:
        return "/";
    case BinaryOperator::modulo:
        return "%";
    }
    return "?";
}

Expression::Expression(Node node, SourcePosition position)
    : m_node(std::move(node)), m_position(position), m_depth(1 + depth_of(m_node)) {}

ExpressionPtr make_expression(Expression::Node node, SourcePosition position) {
    return std::make_shared<const Expression>(std::move(node), position);
}

std::string to_string(const Expression& expression) {
    std::string out;
    write(out, expression);
    return out;
}

std::vector<PathReference> referenced_paths(const Expression& expression) {
    std::vector<PathReference> out;
    collect(expression, PathUse::value, out);
    return out;
}

} // namespace dtwin::core::query
