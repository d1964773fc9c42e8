// Reading the literal values of DTDL properties: strings, localizable strings,
// integers, booleans and identifier terms, in every JSON-LD form DTDL accepts
// (plain, one-element arrays, {"@value": ...} objects, language maps).
// Internal to the DTDL parser; pure functions.
#pragma once

#include "core/dtdl/element.hpp"
#include "core/dtdl/metamodel.hpp"

#include <boost/json/value.hpp>
#include <string>
#include <vector>

namespace dtwin::core::dtdl {

/// Where the values being read sit, and where to report problems.
struct ValueSite {
    std::string_view document;
    std::string pointer; ///< pointer of the property value
    int version;
    std::vector<ModelIssue>* issues;

    void report(std::string_view at, std::string_view rule, std::string message) const {
        add_issue(*issues, document, at, rule, std::move(message));
    }
};

/// Reads a literal-valued property (every ValueKind except lang_string, element and
/// schema). Values of the wrong type, nulls, too many values, too long strings and
/// names breaking the name pattern are reported through `site`.
[[nodiscard]] std::vector<PropertyValue> read_literal_values(const boost::json::value& value, const PropertySpec& spec,
                                                             const ValueSite& site);

/// Reads a localizable string (description, displayName): a string, a language map
/// {"en": "..."} or an array of strings and {"@value", "@language"} objects.
[[nodiscard]] std::vector<PropertyValue> read_lang_string(const boost::json::value& value, const PropertySpec& spec,
                                                          const ValueSite& site);

/// Length of a UTF-8 string in UTF-16 code units, the unit DTDL limits are given in.
[[nodiscard]] std::size_t utf16_length(std::string_view text);

/// True if `name` matches the DTDL name pattern (letter, then letters, digits and
/// '_', not ending in '_').
[[nodiscard]] bool is_valid_name(std::string_view name);

} // namespace dtwin::core::dtdl
