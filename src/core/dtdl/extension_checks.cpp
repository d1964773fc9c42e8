#include "core/dtdl/extension_checks.hpp"

#include "core/dtdl/element_reader.hpp"
#include "core/dtdl/graph_checks.hpp"
#include "core/dtdl/metamodel.hpp"
#include "core/dtdl/semantic_types.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <map>
#include <set>
#include <tuple>

namespace dtwin::core::dtdl {

namespace json = boost::json;

namespace {

bool has_cotype(const Element& element, std::string_view cotype) {
    return std::find(element.cotypes.begin(), element.cotypes.end(), cotype) != element.cotypes.end();
}

std::string text_of(const Element& element, std::string_view term) {
    for (const auto& value : element.values(term)) {
        if (const auto* literal = std::get_if<json::value>(&value.value); literal && literal->is_string()) {
            return std::string(literal->get_string());
        }
    }
    return {};
}

const PropertyValue* first_value(const Element& element, std::string_view term) {
    const auto& values = element.values(term);
    return values.empty() ? nullptr : &values.front();
}

class ExtensionChecker {
public:
    ExtensionChecker(const ElementGraph& graph, const InterfaceMap& known, std::vector<ModelIssue>& issues)
        : m_graph(graph), m_known(known), m_issues(issues) {}

    void run() {
        for (std::size_t i = 0; i < m_graph.elements.size(); ++i) {
            const Element& element = m_graph.elements[i];
            if (element.cotypes.empty()) {
                continue;
            }
            if (has_cotype(element, "ValueAnnotation")) {
                check_annotation(element);
            }
            if (has_cotype(element, "Indexed")) {
                check_index(i, element);
            }
            check_adjunct_schema(element);
            check_result_parts(element);
            if (element.cls == "Object" && has_cotype(element, "Result")) {
                check_result_fields(element);
            }
        }
    }

private:
    void report(const Element& element, const std::string& pointer, std::string_view rule, std::string message) {
        add_issue(m_issues, element.document, pointer, rule, std::move(message));
    }

    const Element* parent_of(const Element& element) const {
        return element.parent ? &m_graph.elements[*element.parent] : nullptr;
    }

    // The elements beside `element` in the list that holds it, and for Interface contents
    // also those inherited through `extends` (defined in these documents).
    std::vector<const Element*> siblings(const Element& element) const {
        std::vector<const Element*> result;
        const Element* parent = parent_of(element);
        if (parent == nullptr) {
            return result;
        }
        std::vector<const Element*> owners{parent};
        std::set<const Element*> seen{parent};
        for (std::size_t i = 0; i < owners.size(); ++i) {
            for (const auto& value : owners[i]->values(element.parent_term)) {
                if (const Element* sibling = referenced_element(m_graph, value); sibling && sibling != &element) {
                    result.push_back(sibling);
                }
            }
            if (owners[i]->cls != "Interface") {
                continue;
            }
            for (const auto& value : owners[i]->values("extends")) {
                const Element* base = referenced_element(m_graph, value);
                if (base != nullptr && seen.insert(base).second) {
                    owners.push_back(base);
                }
            }
        }
        return result;
    }

    // True if `element`'s Interface may inherit a Property or Telemetry called `name`
    // from outside these documents: an Interface loaded earlier has it, or a base is
    // not available at all (a model checked on its own, without its bases).
    bool may_inherit_content(const Element& element, const std::string& name) const {
        const Element* parent = parent_of(element);
        if (parent == nullptr || parent->cls != "Interface") {
            return false;
        }
        std::vector<const Element*> owners{parent};
        std::set<const Element*> seen{parent};
        for (std::size_t i = 0; i < owners.size(); ++i) {
            for (const auto& value : owners[i]->values("extends")) {
                if (const Element* base = referenced_element(m_graph, value)) {
                    if (seen.insert(base).second) {
                        owners.push_back(base);
                    }
                    continue;
                }
                const auto* reference = std::get_if<Reference>(&value.value);
                if (reference == nullptr) {
                    continue;
                }
                const auto found = m_known.find(reference->target);
                if (found == m_known.end() || found->second->properties.contains(name) ||
                    found->second->telemetries.contains(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    const Element* sibling_named(const Element& element, const std::string& name) const {
        for (const Element* sibling : siblings(element)) {
            if (text_of(*sibling, "name") == name) {
                return sibling;
            }
        }
        return nullptr;
    }

    void check_annotation(const Element& element) {
        const PropertyValue* annotates = first_value(element, "annotates");
        if (annotates == nullptr) {
            return; // reported as a missing required property
        }
        const std::string name = text_of(element, "annotates");
        const Element* target = sibling_named(element, name);
        if (target == nullptr) {
            if (!may_inherit_content(element, name)) {
                report(element, annotates->pointer, "annotates-target",
                       "'annotates' names '" + name + "', which is no Property or Telemetry beside this " +
                           element.cls + " (own or inherited)");
            }
            return;
        }
        if (target->cls != "Property" && target->cls != "Telemetry") {
            report(element, annotates->pointer, "annotates-target",
                   "'annotates' names '" + name + "', a " + target->cls +
                       "; only a Property or Telemetry can be annotated");
            return;
        }
        if (has_cotype(*target, "ValueAnnotation")) {
            report(element, annotates->pointer, "annotates-target",
                   "'annotates' names '" + name + "', which is itself a ValueAnnotation");
            return;
        }
        if (has_cotype(element, "Override")) {
            check_override(element, *target);
        }
    }

    void check_override(const Element& element, const Element& target) {
        const PropertyValue* overrides = first_value(element, "overrides");
        if (overrides == nullptr) {
            return;
        }
        const std::string term = text_of(element, "overrides");
        const ClassSpec* cls = find_class(target.cls, target.version);
        if (cls != nullptr && find_property(*cls, term, target.version) != nullptr) {
            report(element, overrides->pointer, "overrides-target",
                   "'" + term +
                       "' is a property of the DTDL language itself; only properties that extensions add "
                       "(such as 'unit') can be overridden");
            return;
        }
        if (!target.properties.contains(term)) {
            report(element, overrides->pointer, "overrides-target",
                   "'" + text_of(target, "name") + "' has no '" + term + "' to override");
            return;
        }
        const auto key = std::make_pair(&target, term);
        if (!m_overridden.insert(key).second) {
            report(element, overrides->pointer, "overrides-unique",
                   "'" + term + "' of '" + text_of(target, "name") + "' is overridden more than once");
            return;
        }
        if (term == "unit") {
            check_override_schema(element, target);
        }
    }

    // Overriding a unit: the Property's schema is the unit enum that holds the unit.
    void check_override_schema(const Element& element, const Element& target) {
        const std::string unit = text_of(target, "unit");
        const std::string_view unit_class = unit_class_of(to_term(unit, target.version), target.version);
        const PropertyValue* schema = first_value(element, "schema");
        if (schema == nullptr || unit_class.empty()) {
            return;
        }
        const auto* reference = std::get_if<Reference>(&schema->value);
        if (reference == nullptr || unit_enum_class(reference->target) != unit_class) {
            const std::string expected = unit_class == "Ratio" ? "Unitless" : std::string(unit_class) + "Unit";
            report(element, schema->pointer, "overrides-schema",
                   "an Override of the unit '" + unit + "' must have the schema '" + expected + "'");
        }
    }

    void check_index(std::size_t index, const Element& element) {
        const PropertyValue* value = first_value(element, "index");
        const auto* literal = value == nullptr ? nullptr : std::get_if<json::value>(&value->value);
        if (literal == nullptr || !element.parent) {
            return;
        }
        const auto key = std::make_tuple(*element.parent, element.parent_term, json::serialize(*literal));
        const auto [it, inserted] = m_indexes.emplace(key, index);
        if (!inserted) {
            report(element, value->pointer, "index-duplicate",
                   "index " + json::serialize(*literal) + " is used by '" +
                       text_of(m_graph.elements[it->second], "name") + "' as well");
        }
    }

    // The schemas adjunct types demand (MQTT Transparent and results, IoT Central types).
    void check_adjunct_schema(const Element& element) {
        const PropertyValue* schema = first_value(element, "schema");
        if (schema == nullptr) {
            return;
        }
        const Element* target = referenced_element(m_graph, *schema);
        const auto* reference = std::get_if<Reference>(&schema->value);
        const std::string term = reference != nullptr && target == nullptr ? reference->target : std::string();
        const auto term_in = [&](std::initializer_list<std::string_view> terms) {
            return std::find(terms.begin(), terms.end(), term) != terms.end();
        };
        const auto demand = [&](std::string_view cotype, bool ok, std::string_view what) {
            if (has_cotype(element, cotype) && !ok) {
                report(element, schema->pointer, "adjunct-schema",
                       "a " + element.cls + " co-typed '" + std::string(cotype) + "' must have " + std::string(what));
            }
        };
        const bool is_object = target != nullptr && target->cls == "Object";
        demand("Transparent", is_object, "an Object schema");
        demand("ErrorResult", is_object && has_cotype(*target, "Error"), "an Object schema co-typed 'Error'");
        demand("ErrorMessage", term == "string", "the schema 'string'");
        demand("State", target != nullptr && target->cls == "Enum", "an Enum schema");
        demand("Event", term_in({"double", "float", "integer", "long", "string"}),
               "a numeric schema (double, float, integer, long) or 'string'");
        demand("Location",
               term_in({"point", "multiPoint", "lineString", "multiLineString", "polygon", "multiPolygon", "geopoint"}),
               "a geospatial schema (point, lineString, polygon, their multi- forms) or 'geopoint'");
        demand("VelocityVector", term == "vector", "the schema 'vector'");
        demand("AccelerationVector", term == "vector", "the schema 'vector'");
    }

    // NormalResult, ErrorResult and ErrorMessage: where they may stand, and once each.
    void check_result_parts(const Element& element) {
        const Element* parent = parent_of(element);
        for (const auto& [cotype, owner] : {std::pair{"NormalResult", "Result"}, std::pair{"ErrorResult", "Result"},
                                            std::pair{"ErrorMessage", "Error"}}) {
            if (!has_cotype(element, cotype)) {
                continue;
            }
            if (parent == nullptr || parent->cls != "Object" || !has_cotype(*parent, owner)) {
                report(element, element.pointer + "/@type", "adjunct-parent",
                       "a Field co-typed '" + std::string(cotype) + "' belongs in the fields of an Object co-typed '" +
                           owner + "'");
                continue;
            }
            for (const Element* sibling : siblings(element)) {
                if (has_cotype(*sibling, cotype) && sibling < &element) {
                    report(element, element.pointer + "/@type", "adjunct-unique",
                           "an Object co-typed '" + std::string(owner) + "' may have one '" + cotype + "' Field only");
                    break;
                }
            }
        }
    }

    void check_result_fields(const Element& element) {
        for (const auto& value : element.values("fields")) {
            const Element* field = referenced_element(m_graph, value);
            if (field != nullptr && !has_cotype(*field, "NormalResult") && !has_cotype(*field, "ErrorResult")) {
                report(element, value.pointer, "result-fields",
                       "every Field of an Object co-typed 'Result' must be co-typed 'NormalResult' or 'ErrorResult'");
            }
        }
    }

    const ElementGraph& m_graph;
    const InterfaceMap& m_known;
    std::vector<ModelIssue>& m_issues;
    std::set<std::pair<const Element*, std::string>> m_overridden;
    std::map<std::tuple<std::size_t, std::string, std::string>, std::size_t> m_indexes;
};

} // namespace

void check_extensions(const ElementGraph& graph, const InterfaceMap& known, std::vector<ModelIssue>& issues) {
    ExtensionChecker(graph, known, issues).run();
}

} // namespace dtwin::core::dtdl
