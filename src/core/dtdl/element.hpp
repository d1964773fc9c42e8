// The intermediate graph between JSON and core/model.hpp: every DTDL element of all
// documents (Interfaces, contents, schemas, ...) with its properties, before
// references between them are resolved. Internal to the DTDL parser.
#pragma once

#include "core/dtdl/dtdl_parser.hpp"

#include <boost/json/value.hpp>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dtwin::core::dtdl {

/// A reference by identifier: a DTMI, or a term such as "double" where the language
/// allows one (primitive schemas, units).
struct Reference {
    std::string target;
};

/// A nested element, by index into ElementGraph::elements.
struct ChildElement {
    std::size_t index;
};

/// One value of a property: a literal (string, integer, boolean, language map
/// entry), a reference or a nested element. `pointer` locates it for messages.
struct PropertyValue {
    std::variant<boost::json::value, Reference, ChildElement> value;
    std::string pointer;
    std::string language; ///< for localizable strings: the language tag, "" = default
};

struct Element {
    std::string id; ///< explicit @id, or generated from the parent's
    bool explicit_id = false;
    std::string cls; ///< material class term, e.g. "Telemetry"
    std::vector<std::string> cotypes;
    int version = 3;
    std::string document;
    std::string pointer;
    std::optional<std::size_t> parent;
    std::string parent_term; ///< property of the parent holding this element
    std::map<std::string, std::vector<PropertyValue>, std::less<>> properties;

    /// The values of property `term` (empty when absent).
    [[nodiscard]] const std::vector<PropertyValue>& values(std::string_view term) const {
        static const std::vector<PropertyValue> k_none;
        const auto found = properties.find(term);
        return found == properties.end() ? k_none : found->second;
    }
};

/// All elements read from the documents.
struct ElementGraph {
    std::vector<Element> elements;
    std::map<std::string, std::size_t, std::less<>> by_id; ///< explicit and generated ids
    std::vector<std::size_t> roots;                        ///< top-level elements
};

/// Appends an issue to `issues`.
inline void add_issue(std::vector<ModelIssue>& issues, std::string_view document, std::string_view pointer,
                      std::string_view rule, std::string message) {
    issues.push_back(ModelIssue{std::string(document), std::string(pointer), std::string(rule), std::move(message)});
}

/// `pointer` extended by one reference token, escaped as RFC 6901 requires.
[[nodiscard]] std::string child_pointer(std::string_view pointer, std::string_view token);
[[nodiscard]] std::string child_pointer(std::string_view pointer, std::size_t index);

} // namespace dtwin::core::dtdl
