#include "core/dtdl/dtdl_parser.hpp"

#include "core/dtdl/element_reader.hpp"
#include "core/dtdl/graph_checks.hpp"
#include "core/dtdl/model_builder.hpp"
#include "core/json_text.hpp"

namespace dtwin::core::dtdl {

std::string ModelIssue::to_string() const {
    std::string text = document;
    if (!pointer.empty()) {
        text += (text.empty() ? "" : " ") + pointer;
    }
    if (!text.empty()) {
        text += ": ";
    }
    return text + message + " [" + rule + "]";
}

ModelParseResult parse_models(std::span<const ModelDocument> documents, const ModelParseOptions& options,
                              const InterfaceMap& known) {
    ModelParseResult result;
    ElementGraph graph;
    ElementReader reader(graph, result.errors, options);
    for (const auto& document : documents) {
        auto parsed = parse_json_text(document.text);
        if (const auto* error = std::get_if<JsonTextError>(&parsed)) {
            add_issue(result.errors, document.name, error->position, "json-syntax", error->message);
            continue;
        }
        reader.read_document(std::get<boost::json::value>(parsed), document.name);
    }
    check_graph(graph, known, options, result.errors);
    if (result.ok()) {
        result.interfaces = build_interfaces(graph, known, result.errors);
        if (!result.ok()) {
            result.interfaces.clear();
        }
    }
    return result;
}

} // namespace dtwin::core::dtdl
