// Runs a parsed SELECT query over the twin graph: every twin (or relationship) is a row
// in Azure Digital Twins' JSON form; WHERE is evaluated with the expression language's
// semantics (a missing property or a type mismatch makes a comparison false, not an
// error); the result is SELECT * rows, projections, or one {"COUNT": n}.
//
// Paging: rows are produced in the graph's iteration order; `offset` skips that many
// matching rows and at most `page_size` are returned, with `more` set when others
// follow. The order is stable while the graph does not change; between pages of a query
// that races writes, a row may move (as in ADT, whose pages are not a snapshot either).
//
// Pure over the graph; call it on the thread that owns the graph.
#pragma once

#include "core/error.hpp"
#include "core/query/select.hpp"
#include "core/twin_graph.hpp"

#include <boost/json/array.hpp>
#include <cstddef>

namespace dtwin::core::query {

struct QueryPage {
    boost::json::array rows;
    bool more = false;       ///< further rows follow (ask again with offset + rows.size())
    std::size_t scanned = 0; ///< rows examined: the basis of the query charge
};

/// Runs `query`. Errors: run-time errors of WHERE (ErrorCode::invalid_value with the
/// line:column in the query), e.g. `'/': division by zero`.
[[nodiscard]] Result<QueryPage> run_select(const TwinGraph& graph, const SelectQuery& query, std::size_t offset,
                                           std::size_t page_size);

} // namespace dtwin::core::query
