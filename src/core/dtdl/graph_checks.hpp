// The DTDL rules that need more than one element at a time: unique @ids, references
// that resolve to elements of the right class, inheritance (cycles, depth, size),
// names unique among an Interface's contents (own and inherited), unique enum
// values and field names, complex-schema depth and self-reference, multiplicities.
// Internal to the DTDL parser.
#pragma once

#include "core/dtdl/element.hpp"

#include <vector>

namespace dtwin::core::dtdl {

/// Indexes `graph.by_id` and appends every broken rule to `issues`.
void check_graph(ElementGraph& graph, const InterfaceMap& known, const ModelParseOptions& options,
                 std::vector<ModelIssue>& issues);

/// The element a value refers to (nested or by DTMI), or null when it is a term or
/// an unresolved reference.
[[nodiscard]] const Element* referenced_element(const ElementGraph& graph, const PropertyValue& value);

} // namespace dtwin::core::dtdl
