// Turns a checked ElementGraph into the resolved Interfaces of core/model.hpp, with
// each Interface's extends chain flattened into its contents. Internal to the DTDL
// parser; run only on graphs without errors.
#pragma once

#include "core/dtdl/element.hpp"

#include <vector>

namespace dtwin::core::dtdl {

/// The Interfaces defined in `graph` (in document order), resolving references to
/// `known` ones. Problems found while building (which check_graph should already
/// have caught) are appended to `issues`.
[[nodiscard]] std::vector<InterfacePtr> build_interfaces(const ElementGraph& graph, const InterfaceMap& known,
                                                         std::vector<ModelIssue>& issues);

} // namespace dtwin::core::dtdl
