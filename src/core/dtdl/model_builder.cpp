#include "core/dtdl/model_builder.hpp"

#include "core/dtdl/extensions.hpp"
#include "core/dtdl/graph_checks.hpp"
#include "core/dtdl/semantic_types.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

namespace dtwin::core::dtdl {

namespace json = boost::json;

namespace {

using std::string_view_literals::operator""sv;

constexpr std::array<std::pair<std::string_view, PrimitiveSchema>, 16> k_primitives{{
    {"boolean"sv, PrimitiveSchema::boolean},
    {"date"sv, PrimitiveSchema::date},
    {"dateTime"sv, PrimitiveSchema::date_time},
    {"double"sv, PrimitiveSchema::double_number},
    {"duration"sv, PrimitiveSchema::duration},
    {"float"sv, PrimitiveSchema::float_number},
    {"integer"sv, PrimitiveSchema::integer},
    {"long"sv, PrimitiveSchema::long_number},
    {"string"sv, PrimitiveSchema::string},
    {"time"sv, PrimitiveSchema::time},
    {"point"sv, PrimitiveSchema::point},
    {"lineString"sv, PrimitiveSchema::line_string},
    {"polygon"sv, PrimitiveSchema::polygon},
    {"multiPoint"sv, PrimitiveSchema::multi_point},
    {"multiLineString"sv, PrimitiveSchema::multi_line_string},
    {"multiPolygon"sv, PrimitiveSchema::multi_polygon},
}};

class InterfaceBuilder {
public:
    InterfaceBuilder(const ElementGraph& graph, const InterfaceMap& known, std::vector<ModelIssue>& issues)
        : m_graph(graph), m_known(known), m_issues(issues) {}

    std::vector<InterfacePtr> build_all() {
        std::vector<InterfacePtr> result;
        for (std::size_t i = 0; i < m_graph.elements.size(); ++i) {
            const Element& element = m_graph.elements[i];
            if (element.cls == "Interface" && element.explicit_id) {
                if (auto built = interface_of(element)) {
                    result.push_back(std::move(built));
                }
            }
        }
        return result;
    }

private:
    // Builds (once) the flattened Interface for `element`.
    InterfacePtr interface_of(const Element& element) {
        if (const auto found = m_built.find(element.id); found != m_built.end()) {
            return found->second;
        }
        if (!m_in_progress.insert(element.id).second) {
            return nullptr; // a cycle; check_graph reported it
        }
        auto result = std::make_shared<Interface>();
        result->id = element.id;
        result->dtdl_version = element.version;
        result->source = element.document;
        result->display_name = english(element, "displayName");
        result->description = english(element, "description");
        for (const auto& value : element.values("extends")) {
            InterfacePtr base = resolve_interface(value);
            if (!base) {
                continue;
            }
            result->extends.push_back(base->id);
            add_ancestor(*result, base->id);
            for (const auto& ancestor : base->ancestors) {
                add_ancestor(*result, ancestor);
            }
            inherit(*result, *base);
        }
        for (const auto& value : element.values("contents")) {
            if (const Element* content = referenced_element(m_graph, value)) {
                add_content(*result, *content);
            }
        }
        m_in_progress.erase(element.id);
        m_built.emplace(element.id, result);
        return result;
    }

    InterfacePtr resolve_interface(const PropertyValue& value) {
        if (const Element* target = referenced_element(m_graph, value)) {
            return target->cls == "Interface" ? interface_of(*target) : nullptr;
        }
        if (const auto* reference = std::get_if<Reference>(&value.value)) {
            if (const auto found = m_known.find(reference->target); found != m_known.end()) {
                return found->second;
            }
        }
        return nullptr;
    }

    static void add_ancestor(Interface& result, const std::string& id) {
        if (std::find(result.ancestors.begin(), result.ancestors.end(), id) == result.ancestors.end()) {
            result.ancestors.push_back(id);
        }
    }

    static void inherit(Interface& result, const Interface& base) {
        result.properties.insert(base.properties.begin(), base.properties.end());
        result.telemetries.insert(base.telemetries.begin(), base.telemetries.end());
        result.relationships.insert(base.relationships.begin(), base.relationships.end());
        result.components.insert(base.components.begin(), base.components.end());
        result.commands.insert(base.commands.begin(), base.commands.end());
    }

    static std::string text_of(const Element& element, std::string_view term) {
        for (const auto& value : element.values(term)) {
            if (const auto* literal = std::get_if<json::value>(&value.value); literal && literal->is_string()) {
                return std::string(literal->get_string());
            }
        }
        return {};
    }

    // The English (or default) text of a localizable string, else the first one.
    static std::string english(const Element& element, std::string_view term) {
        std::string first;
        for (const auto& value : element.values(term)) {
            const auto* literal = std::get_if<json::value>(&value.value);
            if (literal == nullptr || !literal->is_string()) {
                continue;
            }
            if (value.language == "en" || value.language.starts_with("en-")) {
                return std::string(literal->get_string());
            }
            if (first.empty()) {
                first = std::string(literal->get_string());
            }
        }
        return first;
    }

    static std::optional<bool> boolean_of(const Element& element, std::string_view term) {
        for (const auto& value : element.values(term)) {
            if (const auto* literal = std::get_if<json::value>(&value.value); literal && literal->is_bool()) {
                return literal->get_bool();
            }
        }
        return std::nullopt;
    }

    static std::optional<std::int64_t> integer_of(const Element& element, std::string_view term) {
        for (const auto& value : element.values(term)) {
            if (const auto* literal = std::get_if<json::value>(&value.value); literal && literal->is_int64()) {
                return literal->get_int64();
            }
        }
        return std::nullopt;
    }

    void add_content(Interface& result, const Element& content) {
        const std::string name = text_of(content, "name");
        if (content.cls == "Property") {
            result.properties[name] = property_of(content);
        } else if (content.cls == "Telemetry") {
            result.telemetries[name] = TelemetryDef{name, schema_value(content, "schema")};
        } else if (content.cls == "Relationship") {
            RelationshipDef relationship;
            relationship.name = name;
            const std::string target = text_of(content, "target");
            if (!target.empty()) {
                relationship.target = target;
            }
            for (const auto& value : content.values("properties")) {
                if (const Element* property = referenced_element(m_graph, value)) {
                    relationship.properties.push_back(property_of(*property));
                }
            }
            relationship.min_multiplicity = integer_of(content, "minMultiplicity");
            relationship.max_multiplicity = integer_of(content, "maxMultiplicity");
            relationship.writable = boolean_of(content, "writable").value_or(false);
            result.relationships[name] = std::move(relationship);
        } else if (content.cls == "Component") {
            ComponentDef component{name, {}};
            for (const auto& value : content.values("schema")) {
                if (const Element* target = referenced_element(m_graph, value)) {
                    component.schema = target->id;
                } else if (const auto* reference = std::get_if<Reference>(&value.value)) {
                    component.schema = reference->target;
                }
            }
            result.components[name] = std::move(component);
        } else if (content.cls == "Command") {
            result.commands[name] = command_of(content);
        }
    }

    PropertyDef property_of(const Element& element) {
        return PropertyDef{text_of(element, "name"), schema_value(element, "schema"),
                           boolean_of(element, "writable").value_or(false)};
    }

    CommandDef command_of(const Element& element) {
        CommandDef command;
        command.name = text_of(element, "name");
        for (const auto& value : element.values("request")) {
            if (const Element* request = referenced_element(m_graph, value)) {
                command.request_name = text_of(*request, "name");
                command.request_schema = schema_value(*request, "schema");
            }
        }
        for (const auto& value : element.values("response")) {
            if (const Element* response = referenced_element(m_graph, value)) {
                command.response_name = text_of(*response, "name");
                command.response_schema = schema_value(*response, "schema");
            }
        }
        return command;
    }

    SchemaPtr schema_value(const Element& holder, std::string_view term) {
        for (const auto& value : holder.values(term)) {
            if (const Element* target = referenced_element(m_graph, value)) {
                return schema_of(*target);
            }
            if (const auto* reference = std::get_if<Reference>(&value.value)) {
                return term_schema(reference->target, holder.version);
            }
        }
        return nullptr;
    }

    // The schema a term stands for: a primitive, IoT Central's vector and geopoint
    // (Objects of three doubles), or a QuantitativeTypes unit enum (an Enum of strings).
    SchemaPtr term_schema(const std::string& term, int version) {
        for (const auto& [name, primitive] : k_primitives) {
            if (name == term) {
                return std::make_shared<const Schema>(Schema{{}, primitive});
            }
        }
        if (const auto found = m_schemas.find(term); found != m_schemas.end()) {
            return found->second;
        }
        auto schema = std::make_shared<Schema>();
        if (is_iot_central_schema(term)) {
            schema->id = "dtmi:iotcentral:schema:" + term + ";2";
            const auto field_names = term == "vector" ? std::array{"x", "y", "z"} : std::array{"lon", "lat", "alt"};
            ObjectSchema object;
            for (const char* field : field_names) {
                object.fields.push_back(
                    Field{field, std::make_shared<const Schema>(Schema{{}, PrimitiveSchema::double_number})});
            }
            schema->kind = std::move(object);
        } else if (const std::string_view unit_class = unit_enum_class(term); !unit_class.empty()) {
            schema->id = "dtmi:dtdl:extension:quantitativeTypes:v1:enum:" + term;
            EnumSchema units;
            units.value_schema = PrimitiveSchema::string;
            for_each_unit(unit_class, version, [&](std::string_view unit) {
                units.values.push_back(EnumValue{std::string(unit), json::value(json::string(unit))});
            });
            schema->kind = std::move(units);
        } else {
            return nullptr;
        }
        m_schemas.emplace(term, schema);
        return schema;
    }

    SchemaPtr schema_of(const Element& element) {
        if (const auto found = m_schemas.find(element.id); found != m_schemas.end()) {
            return found->second;
        }
        if (++m_schema_depth > 64) { // cycles are reported by check_graph; never recurse forever
            --m_schema_depth;
            return nullptr;
        }
        auto schema = std::make_shared<Schema>();
        schema->id = element.id;
        if (element.cls == "Array") {
            schema->kind = ArraySchema{schema_value(element, "elementSchema")};
        } else if (element.cls == "Map") {
            MapSchema map;
            for (const auto& value : element.values("mapKey")) {
                if (const Element* key = referenced_element(m_graph, value)) {
                    map.key_name = text_of(*key, "name");
                }
            }
            for (const auto& value : element.values("mapValue")) {
                if (const Element* map_value = referenced_element(m_graph, value)) {
                    map.value_name = text_of(*map_value, "name");
                    map.value_schema = schema_value(*map_value, "schema");
                }
            }
            schema->kind = std::move(map);
        } else if (element.cls == "Object") {
            ObjectSchema object;
            for (const auto& value : element.values("fields")) {
                if (const Element* field = referenced_element(m_graph, value)) {
                    object.fields.push_back(Field{text_of(*field, "name"), schema_value(*field, "schema")});
                }
            }
            schema->kind = std::move(object);
        } else if (element.cls == "Enum") {
            schema->kind = enum_of(element);
        }
        --m_schema_depth;
        m_schemas.emplace(element.id, schema);
        return schema;
    }

    EnumSchema enum_of(const Element& element) {
        EnumSchema result;
        result.value_schema =
            text_of(element, "valueSchema").ends_with("string") ? PrimitiveSchema::string : PrimitiveSchema::integer;
        for (const auto& value : element.values("enumValues")) {
            const Element* enum_value = referenced_element(m_graph, value);
            if (enum_value == nullptr) {
                continue;
            }
            for (const auto& literal : enum_value->values("enumValue")) {
                if (const auto* json_value = std::get_if<json::value>(&literal.value)) {
                    result.values.push_back(EnumValue{text_of(*enum_value, "name"), *json_value});
                }
            }
        }
        return result;
    }

    const ElementGraph& m_graph;
    const InterfaceMap& m_known;
    [[maybe_unused]] std::vector<ModelIssue>& m_issues;
    std::map<std::string, InterfacePtr, std::less<>> m_built;
    std::set<std::string, std::less<>> m_in_progress;
    std::map<std::string, SchemaPtr, std::less<>> m_schemas;
    int m_schema_depth = 0;
};

} // namespace

std::vector<InterfacePtr> build_interfaces(const ElementGraph& graph, const InterfaceMap& known,
                                           std::vector<ModelIssue>& issues) {
    return InterfaceBuilder(graph, known, issues).build_all();
}

} // namespace dtwin::core::dtdl
