#include "core/query/evaluator.hpp"

#include "core/query/functions.hpp"
#include "core/query/value_operations.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/string.hpp>
#include <string>
#include <utility>

namespace dtwin::core::query {

namespace json = boost::json;

namespace {

using Value = std::optional<json::value>;
using Outcome = Result<Value>;

template <typename... Ts> struct Overloaded : Ts... { using Ts::operator()...; };

std::unexpected<Error> error_at(const Expression& where, std::string message) {
    return fail(ErrorCode::invalid_value, std::move(message), where.position().to_string());
}

// Operands of different types are never equal, and never unequal either.
bool same_type(const json::value& a, const json::value& b) {
    return (is_number(a) && is_number(b)) || a.kind() == b.kind();
}

// The truth of an operand of AND, OR, NOT: undefined and null are false.
Result<bool> truth(const Value& value, std::string_view op, const Expression& where) {
    if (!value || value->is_null()) {
        return false;
    }
    if (!value->is_bool()) {
        return error_at(where, std::string(op) + " expects true or false but got " + std::string(type_name(value)));
    }
    return value->get_bool();
}

class Evaluator {
public:
    explicit Evaluator(const EvaluationContext& context) : m_context(context) {}

    Outcome eval(const Expression& expression) {
        return std::visit(
            Overloaded{
                [](const Literal& literal) -> Outcome { return literal.value; },
                [&](const ArrayLiteral& array) { return eval_array(array); },
                [&](const MemberPath& path) { return read(expression, m_context.resolve(path.segments)); },
                [&](const UnaryExpression& unary) { return eval_unary(expression, unary); },
                [&](const BinaryExpression& binary) { return eval_binary(expression, binary); },
                [&](const FunctionCall& call) { return eval_call(expression, call); },
                [&](const ModelCheck& check) { return eval_model_check(expression, check); },
            },
            expression.node());
    }

private:
    // A value read from the context; its errors get the path's position if they have none.
    static Outcome read(const Expression& path, Outcome value) {
        if (!value && value.error().where.empty()) {
            value.error().where = path.position().to_string();
        }
        return value;
    }

    Outcome eval_array(const ArrayLiteral& array) {
        json::array out;
        out.reserve(array.elements.size());
        for (const auto& element : array.elements) {
            auto value = eval(*element);
            if (!value) {
                return value;
            }
            if (*value) { // undefined elements are left out
                out.push_back(std::move(**value));
            }
        }
        return json::value(std::move(out));
    }

    Outcome eval_unary(const Expression& expression, const UnaryExpression& unary) {
        auto operand = eval(*unary.operand);
        if (!operand) {
            return operand;
        }
        if (unary.op == UnaryOperator::logical_not) {
            const auto value = truth(*operand, "NOT", expression);
            if (!value) {
                return std::unexpected(value.error());
            }
            return json::value(!*value);
        }
        if (!*operand || (*operand)->is_null()) {
            return std::nullopt;
        }
        if (!is_number(**operand)) {
            return error_at(expression, "'-' expects a number but got " + std::string(type_name(*operand)));
        }
        return negate(**operand);
    }

    Outcome eval_logical(const Expression& expression, const BinaryExpression& binary) {
        const bool is_and = binary.op == BinaryOperator::logical_and;
        const std::string_view name = operator_symbol(binary.op);
        for (const Expression* side : {binary.left.get(), binary.right.get()}) {
            auto operand = eval(*side);
            if (!operand) {
                return operand;
            }
            const auto value = truth(*operand, name, expression);
            if (!value) {
                return std::unexpected(value.error());
            }
            if (*value != is_and) { // false decides AND, true decides OR
                return json::value(*value);
            }
        }
        return json::value(is_and);
    }

    Outcome eval_binary(const Expression& expression, const BinaryExpression& binary) {
        if (binary.op == BinaryOperator::logical_and || binary.op == BinaryOperator::logical_or) {
            return eval_logical(expression, binary);
        }
        auto left = eval(*binary.left);
        if (!left) {
            return left;
        }
        auto right = eval(*binary.right);
        if (!right) {
            return right;
        }
        switch (binary.op) {
        case BinaryOperator::in:
        case BinaryOperator::not_in:
            return membership(expression, binary.op, *left, *right);
        case BinaryOperator::add:
        case BinaryOperator::subtract:
        case BinaryOperator::multiply:
        case BinaryOperator::divide:
        case BinaryOperator::modulo:
            return arithmetic(expression, binary.op, *left, *right);
        default:
            return json::value(compare(binary.op, *left, *right));
        }
    }

    static bool compare(BinaryOperator op, const Value& left, const Value& right) {
        if (!left || !right) {
            return false;
        }
        switch (op) {
        case BinaryOperator::equal:
            return values_equal(*left, *right);
        case BinaryOperator::not_equal:
            return same_type(*left, *right) && !values_equal(*left, *right);
        case BinaryOperator::less:
            return compare_values(*left, *right) < 0;
        case BinaryOperator::less_equal:
            return compare_values(*left, *right) <= 0;
        case BinaryOperator::greater:
            return compare_values(*left, *right) > 0;
        default: // greater_equal
            return compare_values(*left, *right) >= 0;
        }
    }

    static Outcome membership(const Expression& expression, BinaryOperator op, const Value& item, const Value& set) {
        if (!set || set->is_null()) {
            return json::value(false);
        }
        if (!set->is_array()) {
            return error_at(expression, std::string(operator_symbol(op)) + " expects an array on its right but got " +
                                            std::string(type_name(set)));
        }
        if (!item) {
            return json::value(false);
        }
        bool found = false;
        for (const json::value& element : set->get_array()) {
            if (values_equal(*item, element)) {
                found = true;
                break;
            }
        }
        return json::value(op == BinaryOperator::in ? found : !found);
    }

    static Outcome arithmetic(const Expression& expression, BinaryOperator op, const Value& left, const Value& right) {
        if (!left || left->is_null() || !right || right->is_null()) {
            return std::nullopt;
        }
        const std::string symbol = "'" + std::string(operator_symbol(op)) + "'";
        if (!is_number(*left) || !is_number(*right)) {
            return error_at(expression, symbol + " expects numbers but got " + std::string(type_name(left)) + " and " +
                                            std::string(type_name(right)));
        }
        switch (op) {
        case BinaryOperator::add:
            return add(*left, *right);
        case BinaryOperator::subtract:
            return subtract(*left, *right);
        case BinaryOperator::multiply:
            return multiply(*left, *right);
        case BinaryOperator::divide:
            if (is_zero(*right)) {
                return error_at(expression, symbol + ": division by zero");
            }
            return divide(*left, *right);
        default: // modulo
            if (is_zero(*right)) {
                return error_at(expression, symbol + ": modulo by zero");
            }
            return modulo(*left, *right);
        }
    }

    Outcome eval_call(const Expression& expression, const FunctionCall& call) {
        if (call.function == Function::previous) {
            const auto* path = call.arguments.size() == 1 ? call.arguments[0]->as<MemberPath>() : nullptr;
            if (path == nullptr) {
                return error_at(expression, "PREVIOUS expects a property path such as PREVIOUS(angle)");
            }
            return read(*call.arguments[0], m_context.previous(path->segments));
        }
        std::array<Value, 2> arguments;                 // no function takes more than two
        if (call.arguments.size() > arguments.size()) { // only a hand-built tree can get here
            return error_at(expression, std::string(function_name(call.function)) + " expects " +
                                            std::to_string(function_arity(call.function)) + " arguments but got " +
                                            std::to_string(call.arguments.size()));
        }
        for (std::size_t i = 0; i < call.arguments.size(); ++i) {
            auto value = eval(*call.arguments[i]);
            if (!value) {
                return value;
            }
            arguments[i] = std::move(*value);
        }
        return call_function(call.function, std::span<const Value>(arguments.data(), call.arguments.size()),
                             expression.position());
    }

    Outcome eval_model_check(const Expression& expression, const ModelCheck& check) {
        std::string_view alias;
        if (check.twin) {
            const auto* path = check.twin->as<MemberPath>();
            if (path == nullptr || path->segments.size() != 1) {
                return error_at(expression, "IS_OF_MODEL expects a twin alias as its first argument");
            }
            alias = path->segments.front();
        }
        auto model_id = eval(*check.model_id);
        if (!model_id) {
            return model_id;
        }
        if (!*model_id) {
            return json::value(false);
        }
        if (!(*model_id)->is_string()) {
            return error_at(expression, "IS_OF_MODEL expects the model id as a string but got " +
                                            std::string(type_name(*model_id)));
        }
        auto matches = m_context.is_of_model(alias, (*model_id)->get_string(), check.exact);
        if (!matches) {
            return read(expression, std::unexpected(std::move(matches.error())));
        }
        return json::value(*matches);
    }

    const EvaluationContext& m_context;
};

} // namespace

Result<std::optional<json::value>> evaluate(const Expression& expression, const EvaluationContext& context) {
    return Evaluator(context).eval(expression);
}

Result<bool> evaluate_condition(const Expression& expression, const EvaluationContext& context) {
    auto value = evaluate(expression, context);
    if (!value) {
        return std::unexpected(std::move(value.error()));
    }
    if (!*value || (*value)->is_null()) {
        return false;
    }
    if (!(*value)->is_bool()) {
        return error_at(expression, "a condition must be true or false but got " + std::string(type_name(*value)));
    }
    return (*value)->get_bool();
}

} // namespace dtwin::core::query
