// The query clauses of the Azure Digital Twins query language around the WHERE
// expression: SELECT [TOP(n)] (* | COUNT() | projections) FROM (DIGITALTWINS |
// RELATIONSHIPS) [alias] [WHERE condition].
//
// Keywords are case-insensitive (`select * from digitaltwins`); property names are not.
// Projections are member paths with an optional AS name: `T.name AS n`, `$dtId`, or a
// collection alias alone (`SELECT T`). Errors are ErrorCode::invalid_value with
// `where` = "line:column" and a message saying what was expected, as for expressions.
// JOIN and MATCH are refused with an error naming them (not supported yet).
//
// Pure functions.
#pragma once

#include "core/error.hpp"
#include "core/query/expression.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core::query {

enum class QueryCollection { digital_twins, relationships };

/// One item of the SELECT list.
struct Projection {
    std::vector<std::string> path; ///< {"T", "name"}, {"$dtId"}, or {"T"} for the whole row
    std::string name;              ///< the key in the result: the AS name, else the last segment
};

struct SelectQuery {
    QueryCollection collection = QueryCollection::digital_twins;
    std::string alias;                   ///< "" when none
    std::optional<std::int64_t> top;     ///< TOP(n)
    bool count = false;                  ///< SELECT COUNT()
    std::vector<Projection> projections; ///< empty: SELECT *
    ExpressionPtr where;                 ///< null: every row
};

/// Parses one query. Limits: 8,000 characters (as ADT), TOP(n) with 1 <= n.
[[nodiscard]] Result<SelectQuery> parse_select(std::string_view text);

} // namespace dtwin::core::query
