// Evaluation of expressions against one twin (and the twins a rule binds to it).
//
// Values are JSON values or *undefined* (std::nullopt): a property that is not set, an
// alias bound to no twin, or a function of such a value. Semantics, following ADT where
// it defines them:
//   - Comparisons (= != < <= > >= IN NIN) always give true or false, never an error:
//     with an undefined operand, or operands of different types ('a' < 1, 5 != null,
//     true < false), the comparison is false; both = and != are false then. Numbers
//     compare by value (1 = 1.0), strings by code point; < <= > >= order only numbers and
//     strings. IN/NIN need an array on the right (an error otherwise).
//   - AND, OR, NOT and a whole condition take true or false; undefined and null count as
//     false (so `NOT missing > 5` is true); any other value is an error. AND and OR
//     evaluate their right side only when it decides the result.
//   - Arithmetic (+ - * / %, unary -) and the string and numeric functions give
//     undefined for an undefined or null operand, and an error for an operand of another
//     type ('a' + 1, ABS('x')). Division and modulo by zero are errors.
//   - IS_DEFINED(x) and the other type checks are false for undefined.
//
// Errors are ErrorCode::invalid_value with `where` = "line:column" of the operator or
// function in the expression text, and a message naming it: "'/': division by zero",
// "ABS expects a number but got string". Errors the context returns are passed on; when
// their `where` is empty it is set to the position of the path that was being read.
//
// Threads: evaluate() keeps no state; it is as thread-safe as the context given to it.
#pragma once

#include "core/error.hpp"
#include "core/query/expression.hpp"

#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dtwin::core::query {

/// What an expression can read: implemented by the rule engine over the twin graph
/// (and by tests over plain JSON).
class EvaluationContext {
public:
    EvaluationContext() = default;
    EvaluationContext(const EvaluationContext&) = default;
    EvaluationContext& operator=(const EvaluationContext&) = default;
    EvaluationContext(EvaluationContext&&) = default;
    EvaluationContext& operator=(EvaluationContext&&) = default;
    virtual ~EvaluationContext() = default;

    /// The current value at a member path, nullopt when undefined. `path` has at least
    /// one segment. The first segment is either an alias the rule binds to a twin
    /// (`door` in door.doorState) or, unqualified, a property of the twin being evaluated
    /// (`angle`, `$dtId`, `$metadata`); the rest walk into that value (component
    /// properties, object fields, `$metadata.$model`). How to tell the two apart is the
    /// context's choice. An error (e.g. an alias bound to several twins) aborts the
    /// evaluation.
    [[nodiscard]] virtual Result<std::optional<boost::json::value>>
    resolve(std::span<const std::string> path) const = 0;

    /// The value `path` had just before the change being evaluated (PREVIOUS(path));
    /// nullopt when it had none (not set before, or no change is being evaluated).
    [[nodiscard]] virtual Result<std::optional<boost::json::value>>
    previous(std::span<const std::string> path) const = 0;

    /// IS_OF_MODEL: whether the twin `alias` names (empty: the twin being evaluated) has
    /// the model `model_id`, or with `exact` false a model that extends it. False when the
    /// alias names no twin.
    [[nodiscard]] virtual Result<bool> is_of_model(std::string_view alias, std::string_view model_id,
                                                   bool exact) const = 0;
};

/// The value of `expression` in `context`: a JSON value, or nullopt for undefined.
[[nodiscard]] Result<std::optional<boost::json::value>> evaluate(const Expression& expression,
                                                                 const EvaluationContext& context);

/// `expression` as a condition: true or false; undefined and null are false. Any other
/// value is an error ("a condition must be true or false but got number"), as are the
/// run-time errors of evaluate().
[[nodiscard]] Result<bool> evaluate_condition(const Expression& expression, const EvaluationContext& context);

} // namespace dtwin::core::query
