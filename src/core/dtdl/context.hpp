// JSON-LD @context handling for DTDL: which language version a document is written
// in and which extensions (QuantitativeTypes, Historization, Annotation, Overriding,
// ...) are active for an element and everything nested in it.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core::dtdl {

/// The extension families dtwin knows (each in one or more versions, see extensions.hpp).
enum class Extension {
    quantitative_types, ///< dtmi:dtdl:extension:quantitativeTypes;1 (semantic types, units)
    historization,      ///< dtmi:dtdl:extension:historization;1,2 (Historized co-type)
    annotation,         ///< dtmi:dtdl:extension:annotation;1,2 (ValueAnnotation co-type)
    overriding,         ///< dtmi:dtdl:extension:overriding;1,2 (Override co-type)
    mqtt,               ///< dtmi:dtdl:extension:mqtt;1,2,3 (Mqtt, Idempotent, Cacheable, Indexed, ...)
    requirement,        ///< dtmi:dtdl:extension:requirement;1,2 (Required co-type)
    iot_central,        ///< dtmi:iotcentral:context;2 (v2 affiliate context)
    other_known,        ///< preview extensions (initialization, dimension, naming), accepted without terms
};

/// One extension in force, with the version its context named.
struct ExtensionUse {
    Extension extension;
    int version;
};

/// The context in force at one element: inherited from the enclosing element and
/// extended by the element's own @context.
struct ContextState {
    int version = 0;                       ///< 2 or 3; 0 before any DTDL context was seen
    std::vector<ExtensionUse> extensions;  ///< known extensions in force
    bool undefined_extension = false;      ///< an unknown extension context is in force
    bool extensions_after_version = false; ///< while reading one @context: an extension was seen

    [[nodiscard]] bool has(Extension extension) const { return version_of(extension) != 0; }
    /// The version of `extension` in force (the last one named), 0 when it is not.
    [[nodiscard]] int version_of(Extension extension) const;
};

/// What went wrong with an @context value.
struct ContextProblem {
    std::string rule;
    std::string message;
    std::string pointer_suffix; ///< "" or "/<index>" of the offending entry
};

/// Applies the @context `value` of an element to `state` (which holds the enclosing
/// context). `is_root` marks the top-level element of a document, whose context must
/// start with the DTDL context. Returns the problems found (empty = fine).
[[nodiscard]] std::vector<ContextProblem> apply_context(const boost::json::value& value, ContextState& state,
                                                        bool is_root, bool allow_undefined_extensions);

} // namespace dtwin::core::dtdl
