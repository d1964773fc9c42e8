// DTDL v2/v3 model parser and validator.
//
// parse_models() reads a set of JSON documents holding DTDL Interfaces, checks them
// against the rules of the DTDL language (the version each document declares in its
// @context) and returns the resolved, flattened Interfaces of core/model.hpp.
//
// Pure: no I/O, no globals, no threads. Any input is acceptable (malformed JSON, deep
// nesting, huge numbers, wrong types): every problem comes back as a ModelIssue,
// never as a crash or an exception. Safe to call from several threads at once.
#pragma once

#include "core/model.hpp"

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core::dtdl {

/// One input document: `name` identifies it in messages (a file path, an upload name),
/// `text` is its JSON: one Interface object or an array of them.
struct ModelDocument {
    std::string name;
    std::string text;
};

/// How strict to be about things the DTDL specification leaves to the host.
struct ModelParseOptions {
    /// Accept @context entries naming extensions this parser does not know (DTDL's
    /// AllowUndefinedExtensions). Unknown co-types and properties under such an
    /// extension are then kept as opaque; when false they are errors.
    bool allow_undefined_extensions = false;
    /// Treat a reference to an element that is neither in the documents nor in
    /// `known` (extends, Component schema, a schema by DTMI) as an error, as the DTDL
    /// specification does. Turning it off lets a tool check one file of a model set
    /// on its own. Relationship targets are never resolved: a Relationship may name
    /// an Interface that is loaded later.
    bool require_resolved_references = true;
};

/// One rule a document breaks.
///
/// Rule names are stable (tools and tests may match on them):
///   JSON and documents: json-syntax, root-object, nesting-depth
///   @context: context-missing, context-type, context-dtmi, context-dtdl-first,
///             context-version, context-undefined-extension, context-extension-version
///   @type: type-missing, type-form, type-material, type-conformance, cotype-undefined, cotype-host,
///          cotype-version, cotype-requires, cotype-conflict
///   @id and DTMIs: id-missing, id-type, id-duplicate, dtmi-syntax, dtmi-length, dtmi-reserved
///   properties: property-undefined, term-and-dtmi, keyword, required-property, max-count,
///               string-length, name-pattern, value-null, value-string, value-integer,
///               value-boolean, value-enum, value-term, value-dtmi, value-element, value-range, value-pattern,
///               value-object-keys, value-object-type, value-object-value,
///               lang-string-type, lang-string-keys, lang-string-value, lang-string-language,
///               lang-string-unique
///   references: reference-invalid, reference-unresolved, reference-not-referenceable, reference-version
///   Interfaces: name-duplicate, extends-cycle, extends-depth, extends-count, component-nesting,
///               property-schema (v2 Property with Array or geospatial schema)
///   schemas: schema-depth, schema-cycle, enum-value-schema, enum-value-duplicate, multiplicity
///   semantic types: semantic-type-count, semantic-type-schema, unit-missing, unit-undefined,
///                   unit-mismatch, unit-needs-semantic-type
///   extensions: annotates-target, overrides-target, overrides-schema, overrides-unique,
///               index-duplicate, adjunct-schema, adjunct-parent, adjunct-unique, result-fields
struct ModelIssue {
    std::string document; ///< ModelDocument::name
    std::string pointer;  ///< JSON pointer (RFC 6901) into the document, "" = the whole document;
                          ///< for JSON syntax errors "line:column" instead
    std::string rule;     ///< short stable name of the rule, e.g. "dtmi-syntax", "name-pattern"
    std::string message;  ///< what is wrong, for people

    /// "document pointer: message [rule]".
    [[nodiscard]] std::string to_string() const;
};

/// Everything parse_models() found.
struct ModelParseResult {
    /// The Interfaces defined by the documents (not the `known` ones), including those
    /// written inline (an object in `extends` or as a Component's schema), flattened:
    /// each holds its own and all inherited contents, with `ancestors` filled.
    /// Empty when there are errors.
    std::vector<InterfacePtr> interfaces;
    std::vector<ModelIssue> errors;

    [[nodiscard]] bool ok() const { return errors.empty(); }
};

/// Interfaces by DTMI.
using InterfaceMap = std::map<std::string, InterfacePtr, std::less<>>;

/// Parses and validates `documents` together (they may refer to each other in any
/// order). `known` holds Interfaces loaded earlier (e.g. from the store) that the
/// documents may extend, use as Component schemas or name as Relationship targets;
/// redefining one of them is an error.
///
/// Returns the new Interfaces, or the errors (document, JSON pointer, rule) when any
/// document breaks a rule; a result with errors carries no Interfaces.
[[nodiscard]] ModelParseResult parse_models(std::span<const ModelDocument> documents,
                                            const ModelParseOptions& options = {}, const InterfaceMap& known = {});

} // namespace dtwin::core::dtdl
