#include "core/dtdl/graph_checks.hpp"

#include "core/dtdl/extension_checks.hpp"
#include "core/dtdl/metamodel.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <functional>
#include <limits>
#include <set>

namespace dtwin::core::dtdl {

namespace json = boost::json;

namespace {

// Limits of the language on inheritance and schema nesting (same in v2 and v3).
constexpr std::size_t k_max_extends_depth = 10;
constexpr std::size_t k_max_ancestors_v3 = 1024;
constexpr std::size_t k_max_schema_depth = 5;

class GraphChecker {
public:
    GraphChecker(ElementGraph& graph, const InterfaceMap& known, const ModelParseOptions& options,
                 std::vector<ModelIssue>& issues)
        : m_graph(graph), m_known(known), m_options(options), m_issues(issues) {}

    void run() {
        index_ids();
        for (std::size_t i = 0; i < m_graph.elements.size(); ++i) {
            const Element& element = m_graph.elements[i];
            check_references(element);
            if (element.cls == "Interface") {
                check_interface(element);
            } else if (element.cls == "Enum") {
                check_enum(element);
            } else if (element.cls == "Object") {
                check_unique_names(element, "fields");
            } else if (element.cls == "Property" && element.version == 2) {
                check_v2_property_schema(element);
            }
            if (element.cls == "Relationship") {
                check_relationship(element);
                check_unique_names(element, "properties");
            }
            if (is_complex_schema(element) && !schema_parent(element)) {
                check_schema_depth(element);
            }
        }
    }

private:
    void report(const Element& element, std::string_view suffix, std::string_view rule, std::string message) {
        add_issue(m_issues, element.document, element.pointer + std::string(suffix), rule, std::move(message));
    }

    void index_ids() {
        for (std::size_t i = 0; i < m_graph.elements.size(); ++i) {
            const Element& element = m_graph.elements[i];
            if (element.id.empty()) {
                continue;
            }
            const auto [it, inserted] = m_graph.by_id.emplace(element.id, i);
            if (!inserted && element.explicit_id) {
                report(element, "/@id", "id-duplicate", "@id '" + element.id + "' is defined more than once");
            }
            if (element.explicit_id && element.cls == "Interface" && m_known.contains(element.id)) {
                report(element, "/@id", "id-duplicate", "Interface '" + element.id + "' is already loaded");
            }
        }
    }

    void check_references(const Element& element) {
        const ClassSpec* cls = find_class(element.cls, element.version);
        if (cls == nullptr) {
            return;
        }
        for (const auto& [term, values] : element.properties) {
            const PropertySpec* spec = find_property(*cls, term, element.version);
            if (spec == nullptr || (spec->kind != ValueKind::element && spec->kind != ValueKind::schema)) {
                continue;
            }
            for (const auto& value : values) {
                const auto* reference = std::get_if<Reference>(&value.value);
                if (reference == nullptr || !reference->target.starts_with("dtmi:")) {
                    continue;
                }
                check_reference(element, *spec, value, reference->target);
            }
        }
    }

    void check_reference(const Element& element, const PropertySpec& spec, const PropertyValue& value,
                         const std::string& target) {
        const auto found = m_graph.by_id.find(target);
        std::string_view target_class;
        if (found != m_graph.by_id.end()) {
            target_class = m_graph.elements[found->second].cls;
        } else if (m_known.contains(target)) {
            target_class = "Interface";
        } else {
            if (m_options.require_resolved_references) {
                add_issue(m_issues, element.document, value.pointer, "reference-unresolved",
                          "'" + target + "' is not defined in these documents nor loaded");
            }
            return;
        }
        if (found != m_graph.by_id.end() && !is_referenceable(element, m_graph.elements[found->second])) {
            const Element& owner = m_graph.elements[partition_of(found->second)];
            add_issue(m_issues, element.document, value.pointer, "reference-not-referenceable",
                      "'" + target + "' is defined inside Interface '" + owner.id +
                          "' and can be used only there (DTDL scopes an Interface's schemas and contents to "
                          "the Interface itself: not to Interfaces that extend it, nor to the Interfaces of its "
                          "Components, nor to the Interface around it)");
            return;
        }
        const int target_version = found != m_graph.by_id.end() ? m_graph.elements[found->second].version
                                                                : m_known.find(target)->second->dtdl_version;
        if (element.version < target_version) {
            add_issue(m_issues, element.document, value.pointer, "reference-version",
                      "a DTDL v" + std::to_string(element.version) + " " + element.cls + " may not use '" + target +
                          "', which is DTDL v" + std::to_string(target_version));
            return;
        }
        if (std::find(spec.range.begin(), spec.range.end(), target_class) == spec.range.end()) {
            add_issue(m_issues, element.document, value.pointer, "type-conformance",
                      "'" + target + "' is a " + std::string(target_class) + ", not allowed for '" +
                          std::string(spec.term) + "'");
        }
    }

    std::size_t index_of(const Element& element) const {
        return static_cast<std::size_t>(&element - m_graph.elements.data());
    }

    // The partition an element belongs to: the nearest Interface (or top-level element)
    // at or above it. Elements other than Interfaces and top-level ones can be
    // referenced from their own partition only.
    std::size_t partition_of(std::size_t index) const {
        while (m_graph.elements[index].cls != "Interface" && m_graph.elements[index].parent) {
            index = *m_graph.elements[index].parent;
        }
        return index;
    }

    bool is_referenceable(const Element& from, const Element& target) const {
        return target.cls == "Interface" || !target.parent ||
               partition_of(index_of(from)) == partition_of(index_of(target));
    }

    // DTDL v2 Properties may not use Array or geospatial schemas, not even nested.
    void check_v2_property_schema(const Element& element) {
        std::vector<const Element*> pending;
        std::set<const Element*> seen;
        auto visit_values = [&](const Element& holder, std::string_view term) {
            for (const auto& value : holder.values(term)) {
                if (const auto* reference = std::get_if<Reference>(&value.value)) {
                    const std::string& name = reference->target;
                    if (name == "point" || name == "lineString" || name == "polygon" || name == "multiPoint" ||
                        name == "multiLineString" || name == "multiPolygon") {
                        report(element, "/schema", "property-schema",
                               "a DTDL v2 Property may not use the geospatial schema '" + name + "'");
                    }
                }
                if (const Element* child = referenced_element(m_graph, value); child && seen.insert(child).second) {
                    pending.push_back(child);
                }
            }
        };
        visit_values(element, "schema");
        while (!pending.empty()) {
            const Element* current = pending.back();
            pending.pop_back();
            if (current->cls == "Array") {
                report(element, "/schema", "property-schema", "a DTDL v2 Property may not use an Array schema");
                return;
            }
            for (const auto& term : {"elementSchema", "schema", "fields", "mapValue", "mapKey"}) {
                visit_values(*current, term);
            }
        }
    }

    // The Interface elements an Interface extends directly (nested or by reference).
    std::vector<const Element*> bases(const Element& element) const {
        std::vector<const Element*> result;
        for (const auto& value : element.values("extends")) {
            if (const Element* base = referenced_element(m_graph, value); base != nullptr && base->cls == "Interface") {
                result.push_back(base);
            }
        }
        return result;
    }

    void check_interface(const Element& element) {
        // Walk the extends graph: cycles, depth and total size.
        std::set<const Element*> all;
        std::size_t deepest = 0;
        bool cycle = false;
        std::vector<const Element*> path{&element};
        std::function<void(const Element&, std::size_t)> walk = [&](const Element& current, std::size_t depth) {
            deepest = std::max(deepest, depth);
            for (const Element* base : bases(current)) {
                if (std::find(path.begin(), path.end(), base) != path.end()) {
                    cycle = true;
                    continue;
                }
                // Visit each ancestor once: diamonds would otherwise make the walk exponential.
                if (path.size() > k_max_extends_depth + 2 || !all.insert(base).second) {
                    continue;
                }
                path.push_back(base);
                walk(*base, depth + 1);
                path.pop_back();
            }
        };
        walk(element, 0);
        if (cycle) {
            report(element, "/extends", "extends-cycle", "Interface '" + element.id + "' extends itself");
            return;
        }
        if (deepest > k_max_extends_depth) {
            report(element, "/extends", "extends-depth",
                   "the extends chain is deeper than " + std::to_string(k_max_extends_depth));
        }
        if (element.version >= 3 && all.size() > k_max_ancestors_v3) {
            report(element, "/extends", "extends-count",
                   "more than " + std::to_string(k_max_ancestors_v3) + " Interfaces are inherited");
        }
        check_content_names(element, all);
        check_components(element);
    }

    void check_content_names(const Element& element, const std::set<const Element*>& ancestors) {
        std::map<std::string, const Element*, std::less<>> names;
        auto collect = [&](const Element& owner) {
            for (const auto& value : owner.values("contents")) {
                const Element* content = referenced_element(m_graph, value);
                if (content == nullptr) {
                    continue;
                }
                for (const auto& name : content->values("name")) {
                    const auto* text = std::get_if<json::value>(&name.value);
                    if (text == nullptr || !text->is_string()) {
                        continue;
                    }
                    const auto [it, inserted] = names.emplace(std::string(text->get_string()), content);
                    if (!inserted && it->second != content) {
                        report(element, "", "name-duplicate",
                               "name '" + it->first + "' is used by more than one content of Interface '" + element.id +
                                   "' (own or inherited)");
                    }
                }
            }
        };
        collect(element);
        for (const Element* ancestor : ancestors) {
            collect(*ancestor);
        }
        std::set<std::string, std::less<>> known_names;
        collect_known_names(element, known_names);
        for (const Element* ancestor : ancestors) {
            collect_known_names(*ancestor, known_names);
        }
        for (const auto& [name, content] : names) {
            if (known_names.contains(name)) {
                report(*content, "", "name-duplicate",
                       "name '" + name + "' is already used by an inherited content of a loaded Interface");
            }
        }
    }

    // Names of the contents of the loaded (`known`) Interfaces that `owner` extends
    // directly. They arrive flattened, so their maps hold all inherited names too.
    void collect_known_names(const Element& owner, std::set<std::string, std::less<>>& names) const {
        for (const auto& value : owner.values("extends")) {
            const auto* reference = std::get_if<Reference>(&value.value);
            if (reference == nullptr || m_graph.by_id.contains(reference->target)) {
                continue;
            }
            const auto found = m_known.find(reference->target);
            if (found == m_known.end()) {
                continue;
            }
            const Interface& base = *found->second;
            const auto add_keys = [&](const auto& map) {
                for (const auto& entry : map) {
                    names.insert(entry.first);
                }
            };
            add_keys(base.properties);
            add_keys(base.telemetries);
            add_keys(base.relationships);
            add_keys(base.components);
            add_keys(base.commands);
        }
    }

    void check_components(const Element& element) {
        for (const auto& value : element.values("contents")) {
            const Element* content = referenced_element(m_graph, value);
            if (content == nullptr || content->cls != "Component") {
                continue;
            }
            for (const auto& schema : content->values("schema")) {
                if (has_component(schema)) {
                    add_issue(m_issues, content->document, schema.pointer, "component-nesting",
                              "the schema of a Component may not itself contain Components (own or inherited)");
                }
            }
        }
    }

    // True if the Interface `value` names has a Component among its own or inherited
    // contents (Interfaces of these documents or loaded earlier).
    bool has_component(const PropertyValue& value) const {
        std::vector<const PropertyValue*> pending{&value};
        std::set<const Element*> seen;
        for (std::size_t i = 0; i < pending.size() && i < 4096; ++i) {
            const Element* target = referenced_element(m_graph, *pending[i]);
            if (target == nullptr) {
                const auto* reference = std::get_if<Reference>(&pending[i]->value);
                const auto found = reference == nullptr ? m_known.end() : m_known.find(reference->target);
                if (found != m_known.end() && !found->second->components.empty()) {
                    return true;
                }
                continue;
            }
            if (!seen.insert(target).second || target->cls != "Interface") {
                continue;
            }
            for (const auto& inner : target->values("contents")) {
                const Element* inner_content = referenced_element(m_graph, inner);
                if (inner_content != nullptr && inner_content->cls == "Component") {
                    return true;
                }
            }
            for (const auto& base : target->values("extends")) {
                pending.push_back(&base);
            }
        }
        return false;
    }

    void check_unique_names(const Element& element, std::string_view term) {
        std::set<std::string, std::less<>> names;
        for (const auto& value : element.values(term)) {
            const Element* child = referenced_element(m_graph, value);
            if (child == nullptr) {
                continue;
            }
            for (const auto& name : child->values("name")) {
                const auto* text = std::get_if<json::value>(&name.value);
                if (text != nullptr && text->is_string() && !names.insert(std::string(text->get_string())).second) {
                    report(element, "/" + std::string(term), "name-duplicate",
                           "name '" + std::string(text->get_string()) + "' is used twice in '" + std::string(term) +
                               "'");
                }
            }
        }
    }

    void check_enum(const Element& element) {
        check_unique_names(element, "enumValues");
        std::string value_schema;
        for (const auto& value : element.values("valueSchema")) {
            if (const auto* text = std::get_if<json::value>(&value.value); text != nullptr && text->is_string()) {
                value_schema = std::string(text->get_string());
            }
        }
        std::vector<json::value> seen;
        for (const auto& value : element.values("enumValues")) {
            const Element* child = referenced_element(m_graph, value);
            if (child == nullptr) {
                continue;
            }
            for (const auto& enum_value : child->values("enumValue")) {
                const auto* literal = std::get_if<json::value>(&enum_value.value);
                if (literal == nullptr) {
                    continue;
                }
                const bool is_string = literal->is_string();
                if ((value_schema.ends_with("integer") && is_string) ||
                    (value_schema.ends_with("string") && !is_string)) {
                    add_issue(m_issues, child->document, enum_value.pointer, "enum-value-schema",
                              "enumValue does not match the Enum's valueSchema '" + value_schema + "'");
                }
                if (std::find(seen.begin(), seen.end(), *literal) != seen.end()) {
                    add_issue(m_issues, child->document, enum_value.pointer, "enum-value-duplicate",
                              "enumValue " + json::serialize(*literal) + " is used twice");
                }
                seen.push_back(*literal);
            }
        }
    }

    void check_relationship(const Element& element) {
        std::optional<std::int64_t> min;
        std::optional<std::int64_t> max;
        auto integer_of = [&](std::string_view term) -> std::optional<std::int64_t> {
            for (const auto& value : element.values(term)) {
                if (const auto* literal = std::get_if<json::value>(&value.value)) {
                    if (literal->is_int64()) {
                        return literal->get_int64();
                    }
                    return std::numeric_limits<std::int64_t>::max();
                }
            }
            return std::nullopt;
        };
        min = integer_of("minMultiplicity");
        max = integer_of("maxMultiplicity");
        if (min && *min != 0) {
            report(element, "/minMultiplicity", "multiplicity", "minMultiplicity must be 0");
        }
        // DTDL v2 caps maxMultiplicity at 500.
        if (max && (*max < 1 || (min && *max < *min) || (element.version == 2 && *max > 500))) {
            report(element, "/maxMultiplicity", "multiplicity",
                   "maxMultiplicity must be at least 1 and at least minMultiplicity");
        }
    }

    static bool is_complex_schema(const Element& element) {
        return element.cls == "Array" || element.cls == "Map" || element.cls == "Object" || element.cls == "Enum";
    }

    bool schema_parent(const Element& element) const {
        if (!element.parent) {
            return false;
        }
        const Element& parent = m_graph.elements[*element.parent];
        return is_complex_schema(parent) || parent.cls == "Field" || parent.cls == "MapValue";
    }

    // Depth of nested complex schemas below `element` (1 = no nesting); follows
    // references, stops on cycles (which it reports).
    std::size_t schema_depth(const Element& element, std::vector<const Element*>& path) {
        if (std::find(path.begin(), path.end(), &element) != path.end()) {
            report(element, "", "schema-cycle", "schema '" + element.id + "' contains itself");
            return 0;
        }
        if (path.size() > k_max_schema_depth + 2) {
            return path.size();
        }
        path.push_back(&element);
        std::size_t deepest = 0;
        auto visit_schema = [&](const Element& holder, std::string_view term) {
            for (const auto& value : holder.values(term)) {
                const Element* child = referenced_element(m_graph, value);
                if (child != nullptr && is_complex_schema(*child)) {
                    deepest = std::max(deepest, schema_depth(*child, path));
                }
            }
        };
        visit_schema(element, "elementSchema");
        for (const auto& term : {"fields", "mapValue"}) {
            for (const auto& value : element.values(term)) {
                if (const Element* holder = referenced_element(m_graph, value)) {
                    visit_schema(*holder, "schema");
                }
            }
        }
        path.pop_back();
        return deepest + 1;
    }

    void check_schema_depth(const Element& element) {
        std::vector<const Element*> path;
        if (schema_depth(element, path) > k_max_schema_depth) {
            report(element, "", "schema-depth",
                   "complex schemas are nested deeper than " + std::to_string(k_max_schema_depth));
        }
    }

    ElementGraph& m_graph;
    const InterfaceMap& m_known;
    const ModelParseOptions& m_options;
    std::vector<ModelIssue>& m_issues;
};

} // namespace

const Element* referenced_element(const ElementGraph& graph, const PropertyValue& value) {
    if (const auto* child = std::get_if<ChildElement>(&value.value)) {
        return &graph.elements[child->index];
    }
    if (const auto* reference = std::get_if<Reference>(&value.value)) {
        const auto found = graph.by_id.find(reference->target);
        if (found != graph.by_id.end()) {
            return &graph.elements[found->second];
        }
    }
    return nullptr;
}

void check_graph(ElementGraph& graph, const InterfaceMap& known, const ModelParseOptions& options,
                 std::vector<ModelIssue>& issues) {
    GraphChecker(graph, known, options, issues).run();
    check_extensions(graph, known, issues);
}

} // namespace dtwin::core::dtdl
