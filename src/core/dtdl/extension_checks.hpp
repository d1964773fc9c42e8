// The rules of the DTDL feature extensions and of IoT Central that need more than one
// element: what a ValueAnnotation annotates and an Override overrides, unique Indexed
// indexes, the result objects of MQTT v3, and the schemas each adjunct type demands.
// Internal to the DTDL parser; runs after the elements are read and indexed.
#pragma once

#include "core/dtdl/dtdl_parser.hpp"
#include "core/dtdl/element.hpp"

#include <vector>

namespace dtwin::core::dtdl {

/// Checks every element of `graph` against the extension rules; appends to `issues`.
/// `known` holds the Interfaces loaded earlier (annotation targets may be inherited from them).
void check_extensions(const ElementGraph& graph, const InterfaceMap& known, std::vector<ModelIssue>& issues);

} // namespace dtwin::core::dtdl
