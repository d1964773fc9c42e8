#include "core/dtdl/element_reader.hpp"

#include "core/dtdl/dtmi.hpp"
#include "core/dtdl/semantic_types.hpp"
#include "core/dtdl/value_reader.hpp"

#include <algorithm>
#include <set>

namespace dtwin::core::dtdl {

namespace json = boost::json;

namespace {

// Deeper nesting than any sensible model; stops runaway recursion on hostile input.
constexpr std::size_t k_max_nesting = 64;

// The properties whose elements may omit @type because their class is implied
// (DTDL's "type inferable"); Relationship properties, contents and Interfaces may not.
bool is_type_inferable(std::string_view term) {
    return term == "fields" || term == "enumValues" || term == "mapKey" || term == "mapValue" || term == "request" ||
           term == "response";
}

// A term that may stand for a schema: a primitive schema, IoT Central's vector and
// geopoint, or (for an Override's schema) a unit enum of QuantitativeTypes.
bool is_schema_term(std::string_view term, const ContextState& context) {
    return is_primitive_schema(term, context.version) ||
           (context.has(Extension::iot_central) && is_iot_central_schema(term)) ||
           (context.has(Extension::quantitative_types) && !unit_enum_class(term).empty());
}

// A v3 element may nest v2 elements (a v3 Interface may extend a v2 one), never the
// other way round; the parts of a complex schema (enum values, fields, map key and
// value) and an Interface's schemas share their owner's version.
bool version_may_nest(int outer, int inner, std::string_view term) {
    if (inner > outer) {
        return false;
    }
    return inner == outer ||
           (term != "schemas" && term != "enumValues" && term != "fields" && term != "mapKey" && term != "mapValue");
}

// An identifier for an element without @id, built from its parent's the way DTDL
// tools do ("dtmi:ex:Room;1" -> "dtmi:ex:Room:_contents:__0;1"). The '_' prefixes
// cannot occur in user DTMIs, so generated ids never collide with explicit ones.
std::string generated_id(std::string_view parent_id, std::string_view term, std::size_t position) {
    const auto semicolon = parent_id.find(';');
    const std::string_view path = parent_id.substr(0, semicolon);
    const std::string_view version = semicolon == std::string_view::npos ? "" : parent_id.substr(semicolon);
    return std::string(path) + ":_" + std::string(term) + ":__" + std::to_string(position) + std::string(version);
}

} // namespace

Unknown classify_unknown(std::string_view key, int version) {
    if (looks_like_dtmi(key)) {
        return is_valid_dtmi(key, version) ? Unknown::irrelevant : Unknown::invalid_dtmi;
    }
    if (key.find(':') != std::string_view::npos || key.find('/') != std::string_view::npos) {
        return Unknown::not_dtmi_nor_term;
    }
    return is_dtdl_term(key, version) ? Unknown::irrelevant : Unknown::undefined_term;
}

// Resolves a @type entry or key to its term: "dtmi:dtdl:class:Telemetry;3" -> "Telemetry".
std::string_view to_term(std::string_view text, int version) {
    if (looks_like_dtmi(text)) {
        if (const auto term = term_of_dtmi(text, version)) {
            return *term;
        }
        if (const auto term = standard_term(text, version); !term.empty()) {
            return term;
        }
    }
    return text;
}

std::string child_pointer(std::string_view pointer, std::string_view token) {
    std::string result(pointer);
    result += '/';
    for (const char c : token) {
        if (c == '~') {
            result += "~0";
        } else if (c == '/') {
            result += "~1";
        } else {
            result += c;
        }
    }
    return result;
}

std::string child_pointer(std::string_view pointer, std::size_t index) {
    return std::string(pointer) + '/' + std::to_string(index);
}

void ElementReader::report(std::string_view pointer, std::string_view rule, std::string message) {
    add_issue(m_issues, m_document, pointer, rule, std::move(message));
}

void ElementReader::read_document(const json::value& root, std::string_view document) {
    m_document = document;
    static constexpr std::array<std::string_view, 1> k_root_range{"Interface"};
    const ContextState no_context;
    auto read_root = [&](const json::value& value, const std::string& pointer, std::size_t position) {
        if (!value.is_object()) {
            report(pointer, "root-object", "a model document holds Interface objects (or an array of them)");
            return;
        }
        Slot slot{k_root_range, true, false, std::nullopt, {}, {}, position};
        if (const auto index = read_element(value.get_object(), pointer, no_context, slot)) {
            m_graph.roots.push_back(*index);
        }
    };
    if (root.is_array()) {
        const auto& array = root.get_array();
        for (std::size_t i = 0; i < array.size(); ++i) {
            read_root(array[i], child_pointer("", i), i);
        }
    } else {
        read_root(root, "", 0);
    }
}

std::optional<std::size_t> ElementReader::read_element(const json::object& object, const std::string& pointer,
                                                       const ContextState& outer, const Slot& slot) {
    if (m_depth >= k_max_nesting) {
        report(pointer, "nesting-depth", "elements are nested too deeply");
        return std::nullopt;
    }
    ContextState context = outer;
    if (const auto* value = object.if_contains("@context")) {
        for (auto& problem : apply_context(*value, context, slot.is_root, m_options.allow_undefined_extensions)) {
            report(child_pointer(pointer, "@context") + problem.pointer_suffix, problem.rule, problem.message);
        }
    } else if (slot.is_root) {
        report(pointer, "context-missing", "a document's top-level element must have an @context");
    }
    if (context.version == 0) {
        context.version = 3; // keep checking with the newest rules; the context error is reported
    }
    if (outer.version != 0 && !version_may_nest(outer.version, context.version, slot.term)) {
        report(child_pointer(pointer, "@context"), "context-version",
               "this element may not switch to another DTDL version than its parent's");
    }
    const auto type = read_type(object, pointer, context, slot);
    if (!type) {
        return std::nullopt;
    }
    const std::size_t index = m_graph.elements.size();
    m_graph.elements.emplace_back();
    Element element;
    element.cls = type->cls;
    element.cotypes = type->cotypes;
    element.version = context.version;
    element.document = std::string(m_document);
    element.pointer = pointer;
    element.parent = slot.parent;
    element.parent_term = slot.term;
    read_id(object, pointer, context, slot, element);
    ++m_depth;
    read_members(object, pointer, context, *type, index, element);
    --m_depth;
    if (const auto* cls = find_class(element.cls, context.version)) {
        check_required(*cls, pointer, element);
    }
    check_adjunct_required(pointer, *type, element);
    check_semantic_type(pointer, element);
    m_graph.elements[index] = std::move(element);
    return index;
}

std::optional<std::vector<std::pair<std::string_view, std::string>>>
ElementReader::type_entries(const json::value& value, const std::string& at) {
    std::vector<std::pair<std::string_view, std::string>> entries;
    if (value.is_string()) {
        entries.emplace_back(value.get_string(), at);
        return entries;
    }
    if (!value.is_array()) {
        report(at, "type-form", "@type must be a string or an array of strings");
        return std::nullopt;
    }
    const auto& array = value.get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (!array[i].is_string()) {
            report(child_pointer(at, i), "type-form", "@type entries must be strings");
            return std::nullopt;
        }
        entries.emplace_back(array[i].get_string(), child_pointer(at, i));
    }
    return entries;
}

std::optional<ElementReader::TypeInfo> ElementReader::read_type(const json::object& object, const std::string& pointer,
                                                                const ContextState& context, const Slot& slot) {
    const std::string at = child_pointer(pointer, "@type");
    const auto* value = object.if_contains("@type");
    TypeInfo info;
    if (value == nullptr) {
        // A property whose range is a single class lets the element omit @type.
        if (slot.range.size() == 1 && slot.type_inferable) {
            info.cls = std::string(slot.range.front());
            return info;
        }
        report(pointer, "type-missing", "the element must have an @type");
        return std::nullopt;
    }
    const auto entries = type_entries(*value, at);
    if (!entries) {
        return std::nullopt;
    }
    for (const auto& [entry, entry_at] : *entries) {
        const std::string_view term = to_term(entry, context.version);
        if (find_class(term, context.version) != nullptr) {
            if (!info.cls.empty() && info.cls != term) {
                report(entry_at, "type-material", "the element has more than one class in @type");
                return std::nullopt;
            }
            info.cls = std::string(term);
        }
    }
    if (info.cls.empty()) {
        report(at, "type-material", "@type names no DTDL class this element could be");
        return std::nullopt;
    }
    if (std::find(slot.range.begin(), slot.range.end(), info.cls) == slot.range.end()) {
        report(at, "type-conformance", "a " + info.cls + " is not allowed here");
        return std::nullopt;
    }
    for (const auto& [entry, entry_at] : *entries) {
        const std::string_view term = to_term(entry, context.version);
        if (term != info.cls && std::find(info.cotypes.begin(), info.cotypes.end(), term) == info.cotypes.end()) {
            read_cotype(entry, entry_at, context, info);
        }
    }
    check_cotype_combination(context, info);
    return info;
}

void ElementReader::read_id(const json::object& object, const std::string& pointer, const ContextState& context,
                            const Slot& slot, Element& element) {
    const auto* value = object.if_contains("@id");
    const bool is_interface = element.cls == "Interface";
    if (value == nullptr) {
        if (is_interface) {
            report(pointer, "id-missing", "an Interface must have an @id");
        } else if (slot.term == "schemas") {
            report(pointer, "id-missing", "a schema in 'schemas' must have an @id so that it can be referenced");
        }
        element.id = slot.parent_id.empty()
                         ? "dtmi:_document:__" + std::to_string(slot.position) // a root without @id (reported)
                         : generated_id(slot.parent_id, slot.term, slot.position);
        return;
    }
    const std::string at = child_pointer(pointer, "@id");
    if (!value->is_string()) {
        report(at, "id-type", "@id must be a string");
        return;
    }
    const std::string_view id = value->get_string();
    if (looks_like_dtmi(id) && id.size() > k_max_dtmi_length) {
        report(at, "dtmi-length",
               "@id has " + std::to_string(id.size()) + " characters; a DTMI may have at most " +
                   std::to_string(k_max_dtmi_length));
        return;
    }
    if (!is_valid_dtmi(id, context.version)) {
        report(at, "dtmi-syntax", "@id '" + std::string(id) + "' is not a valid DTMI");
        return;
    }
    if (is_interface && id.size() > k_max_interface_id_length) {
        report(at, "dtmi-length",
               "an Interface @id may have at most " + std::to_string(k_max_interface_id_length) + " characters, '" +
                   std::string(id) + "' has " + std::to_string(id.size()));
        return;
    }
    if (is_reserved_dtmi(id)) {
        report(at, "dtmi-reserved", "@id '" + std::string(id) + "' uses a prefix reserved for DTDL itself");
        return;
    }
    if (context.has(Extension::iot_central) && id.starts_with("dtmi:iotcentral:")) {
        report(at, "dtmi-reserved", "@id '" + std::string(id) + "' uses the prefix reserved for IoT Central");
        return;
    }
    element.id = std::string(id);
    element.explicit_id = true;
}

void ElementReader::read_members(const json::object& object, const std::string& pointer, const ContextState& context,
                                 const TypeInfo& type, std::size_t index, Element& element) {
    const ClassSpec* cls = find_class(type.cls, context.version);
    if (cls == nullptr) {
        return;
    }
    std::set<std::string, std::less<>> seen;
    for (const auto& member : object) {
        const std::string_view key = member.key();
        const std::string at = child_pointer(pointer, key);
        if (key == "@context" || key == "@type" || key == "@id") {
            continue;
        }
        if (key.starts_with('@')) {
            // DTDL v2 ignores stray keywords except @graph; v3 rejects them all.
            if (context.version >= 3 || key == "@graph") {
                report(at, "keyword", "JSON-LD keyword '" + std::string(key) + "' is not allowed in DTDL");
            }
            continue;
        }
        const std::string_view term = to_term(key, context.version);
        if (!seen.insert(std::string(term)).second) {
            report(at, "term-and-dtmi", "property '" + std::string(term) + "' is given twice (as term and DTMI)");
            continue;
        }
        if (read_cotype_member(term, member.value(), at, context, type, element)) {
            continue;
        }
        // A DTMI key that is not the DTMI of a DTDL property stays unknown.
        const PropertySpec* spec =
            (looks_like_dtmi(key) && term == key) ? nullptr : find_property(*cls, term, context.version);
        if (spec == nullptr) {
            read_unknown_member(key, at, context, type);
        } else if (spec->kind == ValueKind::element || spec->kind == ValueKind::schema) {
            read_elements(member.value(), *spec, at, context, index, element);
        } else {
            const ValueSite site{m_document, at, context.version, &m_issues};
            element.properties[std::string(spec->term)] = spec->kind == ValueKind::lang_string
                                                              ? read_lang_string(member.value(), *spec, site)
                                                              : read_literal_values(member.value(), *spec, site);
        }
    }
}

void ElementReader::read_unknown_member(std::string_view key, const std::string& at, const ContextState& context,
                                        const TypeInfo& type) {
    bool allowed = false;
    if (type.open) {
        switch (classify_unknown(key, context.version)) {
        case Unknown::invalid_dtmi:
        case Unknown::not_dtmi_nor_term:
            allowed = context.version == 2;
            break;
        case Unknown::irrelevant:
        case Unknown::undefined_term:
            allowed = true;
            break;
        }
    }
    if (!allowed) {
        report(at, "property-undefined", "'" + std::string(key) + "' is not a property of a " + type.cls);
    }
}

void ElementReader::read_elements(const json::value& value, const PropertySpec& spec, const std::string& at,
                                  const ContextState& context, std::size_t index, Element& element) {
    std::vector<std::pair<const json::value*, std::string>> items;
    if (value.is_array()) {
        const auto& array = value.get_array();
        for (std::size_t i = 0; i < array.size(); ++i) {
            items.emplace_back(&array[i], child_pointer(at, i));
        }
    } else {
        items.emplace_back(&value, at);
    }
    const int max_count = spec.max_count(context.version);
    if (max_count >= 0 && items.size() > static_cast<std::size_t>(max_count)) {
        report(at, "max-count",
               "'" + std::string(spec.term) + "' may have at most " + std::to_string(max_count) + " value(s)");
    }
    auto& values = element.properties[std::string(spec.term)];
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& [item, item_at] = items[i];
        if (item->is_string()) {
            const std::string_view text = item->get_string();
            const std::string_view term = to_term(text, context.version);
            if (spec.kind == ValueKind::schema && (term != text || !looks_like_dtmi(text)) &&
                is_schema_term(term, context)) {
                values.push_back(PropertyValue{Reference{std::string(term)}, item_at, {}});
            } else if (looks_like_dtmi(text) && text.size() > k_max_dtmi_length) {
                report(item_at, "dtmi-length",
                       "'" + std::string(spec.term) + "' names a DTMI of " + std::to_string(text.size()) +
                           " characters; a DTMI may have at most " + std::to_string(k_max_dtmi_length));
            } else if (is_valid_dtmi(text, context.version) && term == text) {
                values.push_back(PropertyValue{Reference{std::string(text)}, item_at, {}});
            } else {
                report(item_at, "reference-invalid",
                       "'" + std::string(text) + "' is neither a DTMI nor a term allowed for '" +
                           std::string(spec.term) + "'");
            }
        } else if (item->is_object()) {
            Slot slot{spec.range, false, is_type_inferable(spec.term), index, element.id, std::string(spec.term), i};
            if (const auto child = read_element(item->get_object(), item_at, context, slot)) {
                values.push_back(PropertyValue{ChildElement{*child}, item_at, {}});
            }
        } else {
            report(item_at, "value-element",
                   "'" + std::string(spec.term) + "' must hold elements (objects) or references to them");
        }
    }
}

void ElementReader::check_required(const ClassSpec& cls, const std::string& pointer, const Element& element) {
    for_each_property(cls, element.version, [&](const PropertySpec& spec) {
        if (spec.min_count > 0 && element.values(spec.term).empty()) {
            report(pointer, "required-property", "a " + element.cls + " must have '" + std::string(spec.term) + "'");
        }
    });
}

} // namespace dtwin::core::dtdl
