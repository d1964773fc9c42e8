// Reads DTDL JSON documents into the ElementGraph, checking everything that can be
// checked on one element at a time: @context, @type, @id, which properties a class
// has and the form, count and length of their values. Rules that need the whole
// graph (references, inheritance, uniqueness of names) are in graph_checks.cpp.
// Internal to the DTDL parser. Not thread-safe; one reader per parse.
#pragma once

#include "core/dtdl/context.hpp"
#include "core/dtdl/element.hpp"
#include "core/dtdl/extensions.hpp"
#include "core/dtdl/metamodel.hpp"

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace dtwin::core::dtdl {

/// What kind of thing an unknown @type entry or property key is; DTDL's rules for
/// tolerating them depend on it.
enum class Unknown { invalid_dtmi, irrelevant, not_dtmi_nor_term, undefined_term };

[[nodiscard]] Unknown classify_unknown(std::string_view key, int version);

/// Resolves a @type entry or key to its term: "dtmi:dtdl:class:Telemetry;3" -> "Telemetry",
/// "dtmi:standard:unit:kelvin;2" -> "kelvin"; other text is returned as it is.
[[nodiscard]] std::string_view to_term(std::string_view text, int version);

class ElementReader {
public:
    ElementReader(ElementGraph& graph, std::vector<ModelIssue>& issues, const ModelParseOptions& options)
        : m_graph(graph), m_issues(issues), m_options(options) {}

    /// Reads one parsed document: an Interface object or an array of them.
    void read_document(const boost::json::value& root, std::string_view document);

private:
    /// What the enclosing property expects of a nested element.
    struct Slot {
        std::span<const std::string_view> range; ///< allowed material classes
        bool is_root = false;
        bool type_inferable = false; ///< the element may omit @type (fields, enumValues, request, ...)
        std::optional<std::size_t> parent;
        std::string parent_id;    ///< for generated ids
        std::string term;         ///< property holding the element
        std::size_t position = 0; ///< index among that property's values
    };

    /// An extension co-type of an element, the extension version in force and where it is named.
    struct AdjunctUse {
        const AdjunctType* type;
        int version;
        std::string at;
    };

    /// Result of reading an element's @type.
    struct TypeInfo {
        std::string cls;
        std::vector<std::string> cotypes;
        std::vector<AdjunctUse> adjuncts; ///< extension co-types with their version
        bool open = false;                ///< an undefined co-type allows undefined properties
    };

    std::optional<std::size_t> read_element(const boost::json::object& object, const std::string& pointer,
                                            const ContextState& outer, const Slot& slot);
    /// The entries of @type with their pointers; nullopt (reported) if malformed.
    std::optional<std::vector<std::pair<std::string_view, std::string>>> type_entries(const boost::json::value& value,
                                                                                      const std::string& at);
    std::optional<TypeInfo> read_type(const boost::json::object& object, const std::string& pointer,
                                      const ContextState& context, const Slot& slot);
    // Co-types (element_cotypes.cpp): semantic types and the adjunct types of extensions.
    void read_cotype(std::string_view entry, const std::string& at, const ContextState& context, TypeInfo& info);
    bool read_adjunct_cotype(std::string_view term, const std::string& at, const ContextState& context, TypeInfo& info);
    void check_cotype_combination(const ContextState& context, const TypeInfo& info);
    void read_id(const boost::json::object& object, const std::string& pointer, const ContextState& context,
                 const Slot& slot, Element& element);
    void read_members(const boost::json::object& object, const std::string& pointer, const ContextState& context,
                      const TypeInfo& type, std::size_t index, Element& element);
    bool read_cotype_member(std::string_view term, const boost::json::value& value, const std::string& at,
                            const ContextState& context, const TypeInfo& type, Element& element);
    void check_adjunct_required(const std::string& pointer, const TypeInfo& type, const Element& element);
    void read_unknown_member(std::string_view key, const std::string& at, const ContextState& context,
                             const TypeInfo& type);
    void read_elements(const boost::json::value& value, const PropertySpec& spec, const std::string& at,
                       const ContextState& context, std::size_t index, Element& element);
    void check_required(const ClassSpec& cls, const std::string& pointer, const Element& element);
    void check_semantic_type(const std::string& pointer, const Element& element);

    void report(std::string_view pointer, std::string_view rule, std::string message);

    ElementGraph& m_graph;
    std::vector<ModelIssue>& m_issues;
    const ModelParseOptions& m_options;
    std::string_view m_document;
    std::size_t m_depth = 0;
};

} // namespace dtwin::core::dtdl
