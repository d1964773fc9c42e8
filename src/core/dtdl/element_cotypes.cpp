// The co-types of one element: semantic types (DTDL v2 built-in, v3 through
// QuantitativeTypes) with their unit, and the adjunct types of the feature extensions
// and of IoT Central with the properties they add. Part of ElementReader.
#include "core/dtdl/dtmi.hpp"
#include "core/dtdl/element_reader.hpp"
#include "core/dtdl/semantic_types.hpp"
#include "core/dtdl/value_reader.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>

namespace dtwin::core::dtdl {

namespace json = boost::json;

namespace {

// Semantic types describe a value. DTDL v2 allows them on Telemetry and Property only;
// QuantitativeTypes (v3) also on command requests and responses, fields and map values.
bool is_semantic_host(std::string_view cls, int version) {
    if (cls == "Telemetry" || cls == "Property") {
        return true;
    }
    return version >= 3 && (cls == "Field" || cls == "CommandRequest" || cls == "CommandResponse" || cls == "MapValue");
}

std::string extension_name(const AdjunctType& type, int version) {
    switch (type.extension) {
    case Extension::annotation:
        return "annotation;" + std::to_string(version);
    case Extension::overriding:
        return "overriding;" + std::to_string(version);
    case Extension::historization:
        return "historization;" + std::to_string(version);
    case Extension::mqtt:
        return "mqtt;" + std::to_string(version);
    case Extension::requirement:
        return "requirement;" + std::to_string(version);
    case Extension::iot_central:
        return "IoT Central";
    default:
        return "an extension";
    }
}

std::string host_list(const AdjunctType& type, int version) {
    std::string text;
    auto add = [&](std::span<const std::string_view> hosts) {
        for (const auto host : hosts) {
            text += (text.empty() ? "" : " or ") + std::string(host);
        }
    };
    add(type.hosts);
    if (version >= 2) {
        add(type.hosts_from_v2);
    }
    return text;
}

} // namespace

void ElementReader::read_cotype(std::string_view entry, const std::string& at, const ContextState& context,
                                TypeInfo& info) {
    const int version = context.version;
    const std::string_view term = to_term(entry, version);
    const bool quantitative = version == 2 || context.has(Extension::quantitative_types);
    if (quantitative && is_semantic_type(term, version)) {
        if (!is_semantic_host(info.cls, version)) {
            report(at, "cotype-host",
                   "semantic type '" + std::string(term) + "' does not apply to a " + info.cls +
                       (version == 2 ? " (DTDL v2 allows semantic types on Telemetry and Property only)" : ""));
            return;
        }
        info.cotypes.emplace_back(term);
        return;
    }
    if (read_adjunct_cotype(term, at, context, info)) {
        return;
    }
    // Anything else is an unknown co-type: DTDL v2 tolerates most, v3 only under an
    // undefined extension the caller allowed.
    const bool tenable = context.undefined_extension;
    bool allowed = false;
    switch (classify_unknown(entry, version)) {
    case Unknown::invalid_dtmi:
        allowed = false;
        break;
    case Unknown::irrelevant:
        allowed = tenable;
        break;
    case Unknown::not_dtmi_nor_term:
        allowed = version == 2;
        break;
    case Unknown::undefined_term:
        allowed = version == 2 || tenable;
        break;
    }
    if (!allowed) {
        report(at, "cotype-undefined",
               "'" + std::string(entry) + "' is not a co-type defined for a " + info.cls +
                   " (is its extension missing from @context?)");
        return;
    }
    info.cotypes.emplace_back(entry);
    info.open = true;
}

bool ElementReader::read_adjunct_cotype(std::string_view term, const std::string& at, const ContextState& context,
                                        TypeInfo& info) {
    int extension_version = 0;
    const AdjunctType* type = find_adjunct_type(term, context, extension_version);
    if (type == nullptr) {
        return false;
    }
    if ((type->dtdl_versions & version_bit(context.version)) == 0) {
        report(at, "cotype-version",
               "co-type '" + std::string(type->name) + "' of " + extension_name(*type, extension_version) +
                   " applies to DTDL v" + (type->dtdl_versions == k_v2 ? "2" : "3") + " elements only");
        return true;
    }
    if (!adjunct_allows_host(*type, info.cls, extension_version)) {
        report(at, "cotype-host",
               "co-type '" + std::string(type->name) + "' of " + extension_name(*type, extension_version) +
                   " applies to a " + host_list(*type, extension_version) + ", not to a " + info.cls);
        return true;
    }
    info.cotypes.emplace_back(type->name);
    info.adjuncts.push_back(AdjunctUse{type, extension_version, at});
    return true;
}

void ElementReader::check_cotype_combination(const ContextState& context, const TypeInfo& info) {
    const auto has = [&](std::string_view cotype) {
        return std::find(info.cotypes.begin(), info.cotypes.end(), cotype) != info.cotypes.end();
    };
    for (const auto& [type, version, type_at] : info.adjuncts) {
        if (!type->requires_cotype.empty() && !has(type->requires_cotype)) {
            report(type_at, "cotype-requires",
                   "co-type '" + std::string(type->name) + "' needs the co-type '" +
                       std::string(type->requires_cotype) + "' as well");
        } else if (type->extension == Extension::overriding && context.version_of(Extension::annotation) != version) {
            // An Override names its target through the ValueAnnotation of the same version.
            report(type_at, "cotype-requires",
                   "co-type 'Override' of overriding;" + std::to_string(version) +
                       " needs the ValueAnnotation of annotation;" + std::to_string(version) +
                       ", but the context has annotation;" + std::to_string(context.version_of(Extension::annotation)));
        }
        if (!type->excludes_cotype.empty() && has(type->excludes_cotype)) {
            report(type_at, "cotype-conflict",
                   "co-type '" + std::string(type->name) + "' may not be combined with '" +
                       std::string(type->excludes_cotype) + "'");
        }
    }
}

bool ElementReader::read_cotype_member(std::string_view term, const json::value& value, const std::string& at,
                                       const ContextState& context, const TypeInfo& type, Element& element) {
    const bool semantic = std::any_of(element.cotypes.begin(), element.cotypes.end(), [&](const std::string& cotype) {
        return is_semantic_type(cotype, element.version);
    });
    // The properties co-types bring along: a semantic type's unit, the properties of
    // the extensions' adjunct types.
    static constexpr PropertySpec k_unit{"unit", ValueKind::unit, k_v2_v3, 0, 1, 1, 0, 0, false, {}};
    const PropertySpec* spec = nullptr;
    const AdjunctProperty* adjunct = nullptr;
    std::string_view unit_of; // the semantic type whose units a vector adjunct's unit takes
    if (term == "unit" && semantic) {
        spec = &k_unit;
    } else {
        for (const auto& [adjunct_type, version, type_at] : type.adjuncts) {
            if (const auto* property = find_adjunct_property(*adjunct_type, term, version)) {
                adjunct = property;
                spec = &property->spec;
                unit_of = adjunct_type->name == "VelocityVector"       ? "Velocity"
                          : adjunct_type->name == "AccelerationVector" ? "Acceleration"
                                                                       : "";
                break;
            }
        }
    }
    if (spec == nullptr) {
        if (term == "unit" && !type.open) {
            report(at, "unit-needs-semantic-type",
                   "'unit' is allowed only with a semantic type co-type such as 'Temperature'" +
                       std::string(context.version >= 3 && !context.has(Extension::quantitative_types)
                                       ? " (DTDL v3 has them through dtmi:dtdl:extension:quantitativeTypes;1)"
                                       : ""));
            return true;
        }
        return false;
    }
    const ValueSite site{m_document, at, context.version, &m_issues};
    auto values = read_literal_values(value, *spec, site);
    std::erase_if(values, [&](const PropertyValue& item) {
        const auto& literal = std::get<json::value>(item.value);
        if (spec->kind == ValueKind::unit) {
            const std::string_view unit = to_term(literal.get_string(), context.version);
            if (!is_unit(unit, context.version)) {
                report(item.pointer, "unit-undefined", "'" + std::string(literal.get_string()) + "' is not a unit");
                return unit_of.empty() ? false : true; // a semantic type's unit is checked again with its type
            }
            if (!unit_of.empty() && !is_unit_of(unit_of, unit, context.version)) {
                report(item.pointer, "unit-mismatch",
                       "'" + std::string(literal.get_string()) + "' is not a unit of " + std::string(unit_of));
                return true;
            }
            return false;
        }
        std::string_view what;
        if (adjunct != nullptr && !passes_value_check(adjunct->check, literal, what)) {
            report(item.pointer, adjunct->check == ValueCheck::positive ? "value-range" : "value-pattern",
                   "'" + std::string(spec->term) + "' must be " + std::string(what) + ", not " +
                       json::serialize(literal));
            return true;
        }
        return false;
    });
    element.properties[std::string(spec->term)] = std::move(values);
    return true;
}

void ElementReader::check_adjunct_required(const std::string& pointer, const TypeInfo& type, const Element& element) {
    for (const auto& [adjunct_type, version, type_at] : type.adjuncts) {
        for (const auto& property : adjunct_type->properties) {
            if (property.spec.min_count > 0 && version >= property.min_extension_version &&
                !element.properties.contains(property.spec.term)) {
                report(pointer, "required-property",
                       "co-type '" + std::string(adjunct_type->name) + "' requires '" +
                           std::string(property.spec.term) + "'");
            }
        }
    }
}

void ElementReader::check_semantic_type(const std::string& pointer, const Element& element) {
    std::vector<std::string_view> types;
    for (const auto& cotype : element.cotypes) {
        if (is_semantic_type(cotype, element.version)) {
            types.push_back(cotype);
        }
    }
    if (types.empty()) {
        return;
    }
    if (types.size() > 1) {
        report(child_pointer(pointer, "@type"), "semantic-type-count", "an element may have one semantic type only");
        return;
    }
    const auto& units = element.values("unit");
    if (units.empty()) {
        report(pointer, "unit-missing", "semantic type '" + std::string(types.front()) + "' requires a 'unit'");
    }
    for (const auto& unit : units) {
        const auto* text = std::get_if<json::value>(&unit.value);
        if (text != nullptr && text->is_string() &&
            !is_unit_of(types.front(), to_term(text->get_string(), element.version), element.version)) {
            report(unit.pointer, "unit-mismatch",
                   "'" + std::string(text->get_string()) + "' is not a unit of " + std::string(types.front()));
        }
    }
    for (const auto& schema : element.values("schema")) {
        const auto* reference = std::get_if<Reference>(&schema.value);
        const bool numeric = reference != nullptr && (reference->target == "double" || reference->target == "float" ||
                                                      reference->target == "integer" || reference->target == "long");
        if (!numeric) {
            report(schema.pointer, "semantic-type-schema",
                   "a " + std::string(types.front()) + " must have a numeric schema (double, float, integer, long)");
        }
    }
}

} // namespace dtwin::core::dtdl
