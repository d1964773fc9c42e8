#include "core/dtdl/value_reader.hpp"

#include "core/dtdl/dtmi.hpp"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <set>
#include <span>

namespace dtwin::core::dtdl {

namespace json = boost::json;

namespace {

// The XML Schema datatype a representational value object may declare for `kind`.
std::string_view xsd_name(ValueKind kind) {
    switch (kind) {
    case ValueKind::integer:
        return "integer";
    case ValueKind::boolean:
        return "boolean";
    default:
        return "string";
    }
}

bool is_valid_xsd_type(const json::value& type, ValueKind kind) {
    const json::value* single = &type;
    if (type.is_array()) {
        if (type.get_array().size() != 1) {
            return false;
        }
        single = &type.get_array()[0];
    }
    if (!single->is_string()) {
        return false;
    }
    const std::string_view text = single->get_string();
    const std::string_view name = xsd_name(kind);
    return (text.starts_with("xsd:") && text.substr(4) == name) ||
           (text.starts_with("http://www.w3.org/2001/XMLSchema#") && text.substr(33) == name);
}

// Unwraps {"@value": v, "@type": t} into v; reports a malformed value object and
// returns null then.
const json::value* unwrap_value_object(const json::object& object, ValueKind kind, const ValueSite& site,
                                       const std::string& at) {
    for (const auto& member : object) {
        // DTDL v2 ignores other keywords in a value object, except those that would
        // make it a node; v3 allows none.
        if (site.version == 2 && member.key() != "@id" && member.key() != "@context" && member.key() != "@graph") {
            continue;
        }
        if (member.key() != "@value" && member.key() != "@type") {
            site.report(at, "value-object-keys",
                        "a value object may only hold @value and @type, not '" + std::string(member.key()) + "'");
            return nullptr;
        }
    }
    if (kind == ValueKind::dtmi) {
        site.report(at, "value-dtmi", "an identifier must be given as a string, not as a value object");
        return nullptr;
    }
    const auto* type = object.if_contains("@type");
    const bool integer_enum =
        kind == ValueKind::enum_value && type != nullptr && is_valid_xsd_type(*type, ValueKind::integer);
    if (type != nullptr && !integer_enum && !is_valid_xsd_type(*type, kind)) {
        site.report(at, "value-object-type", "@type of a value object must be xsd:" + std::string(xsd_name(kind)));
        return nullptr;
    }
    const auto* value = object.if_contains("@value");
    if (value == nullptr) {
        site.report(at, "value-object-value", "a value object must hold @value");
        return nullptr;
    }
    return value;
}

// The terms a term-valued property may take (empty for other kinds).
std::span<const std::string_view> allowed_terms(ValueKind kind) {
    static constexpr std::array<std::string_view, 2> k_value_schemas{"integer", "string"};
    static constexpr std::array<std::string_view, 1> k_key_schemas{"string"};
    static constexpr std::array<std::string_view, 2> k_command_types{"synchronous", "asynchronous"};
    switch (kind) {
    case ValueKind::value_schema:
        return k_value_schemas;
    case ValueKind::key_schema:
        return k_key_schemas;
    case ValueKind::command_type:
        return k_command_types;
    default:
        return {};
    }
}

// DTDL's representational integers are 32-bit signed.
bool is_integer(const json::value& value) {
    return value.is_int64() && value.get_int64() >= INT32_MIN && value.get_int64() <= INT32_MAX;
}

// Checks one literal against what `spec` allows; reports and returns false if wrong.
bool check_literal(const json::value& value, const PropertySpec& spec, const ValueSite& site, const std::string& at) {
    const std::string term_name(spec.term);
    const std::string& term = term_name;
    switch (spec.kind) {
    case ValueKind::integer:
        if (!is_integer(value)) {
            site.report(at, "value-integer",
                        "'" + term + "' must be an integer from -2147483648 to 2147483647, not " +
                            json::serialize(value));
            return false;
        }
        return true;
    case ValueKind::boolean:
        if (!value.is_bool()) {
            site.report(at, "value-boolean", "'" + term + "' must be true or false");
            return false;
        }
        return true;
    case ValueKind::enum_value:
        if (!is_integer(value) && !value.is_string()) {
            site.report(at, (value.is_int64() || value.is_uint64()) ? "value-integer" : "value-enum",
                        "'enumValue' must be a 32-bit integer or a string, not " + json::serialize(value));
            return false;
        }
        return true;
    default:
        break;
    }
    if (!value.is_string()) {
        site.report(at, "value-string", "'" + term + "' must be a string");
        return false;
    }
    const std::string_view text = value.get_string();
    const int max_length = spec.max_length(site.version);
    if (max_length > 0 && utf16_length(text) > static_cast<std::size_t>(max_length)) {
        site.report(at, "string-length", "'" + term + "' is longer than " + std::to_string(max_length) + " characters");
        return false;
    }
    if (spec.name_pattern && !is_valid_name(text)) {
        site.report(at, "name-pattern",
                    "'" + std::string(text) +
                        "' is not a valid name (a letter, then letters, digits or '_', "
                        "not ending in '_')");
        return false;
    }
    if (const auto allowed = allowed_terms(spec.kind); !allowed.empty()) {
        const auto given = looks_like_dtmi(text) ? term_of_dtmi(text, site.version) : std::optional(text);
        if (!given || std::find(allowed.begin(), allowed.end(), *given) == allowed.end()) {
            site.report(at, "value-term", "'" + std::string(text) + "' is not an allowed value of '" + term_name + "'");
            return false;
        }
    }
    if (spec.kind == ValueKind::dtmi && !is_valid_dtmi(text, site.version)) {
        site.report(at, "dtmi-syntax", "'" + std::string(text) + "' is not a valid DTMI");
        return false;
    }
    return true;
}

bool is_language_tag(std::string_view tag) {
    // language (2-4 lower-case letters), optional script (Xxxx), optional region (XX or 3 digits)
    std::size_t i = 0;
    auto count = [&](auto predicate) {
        std::size_t n = 0;
        while (i + n < tag.size() && predicate(tag[i + n])) {
            ++n;
        }
        return n;
    };
    const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    const std::size_t language = count(lower);
    if (language < 2 || language > 4) {
        return false;
    }
    i += language;
    if (i + 5 <= tag.size() && tag[i] == '-' && upper(tag[i + 1]) && lower(tag[i + 2]) && lower(tag[i + 3]) &&
        lower(tag[i + 4]) && (i + 5 == tag.size() || tag[i + 5] == '-')) {
        i += 5;
    }
    if (i == tag.size()) {
        return true;
    }
    if (tag[i] != '-') {
        return false;
    }
    const std::string_view region = tag.substr(i + 1);
    return (region.size() == 2 && upper(region[0]) && upper(region[1])) ||
           (region.size() == 3 && digit(region[0]) && digit(region[1]) && digit(region[2]));
}

} // namespace

std::size_t utf16_length(std::string_view text) {
    std::size_t units = 0;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte & 0xC0U) != 0x80U) {
            units += byte >= 0xF0U ? 2 : 1; // 4-byte sequences are surrogate pairs in UTF-16
        }
    }
    return units;
}

bool is_valid_name(std::string_view name) {
    const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (name.empty() || !letter(name.front()) || name.back() == '_') {
        return false;
    }
    for (const char c : name) {
        if (!letter(c) && !(c >= '0' && c <= '9') && c != '_') {
            return false;
        }
    }
    return true;
}

std::vector<PropertyValue> read_literal_values(const json::value& value, const PropertySpec& spec,
                                               const ValueSite& site) {
    std::vector<PropertyValue> values;
    std::vector<std::pair<const json::value*, std::string>> items;
    if (value.is_array()) {
        const auto& array = value.get_array();
        for (std::size_t i = 0; i < array.size(); ++i) {
            items.emplace_back(&array[i], child_pointer(site.pointer, i));
        }
    } else {
        items.emplace_back(&value, site.pointer);
    }
    const int max_count = spec.max_count(site.version);
    if (max_count >= 0 && items.size() > static_cast<std::size_t>(max_count)) {
        site.report(site.pointer, "max-count",
                    "'" + std::string(spec.term) + "' may have at most " + std::to_string(max_count) + " value(s)");
        return values;
    }
    for (const auto& [item, at] : items) {
        const json::value* literal = item;
        if (item->is_object()) {
            literal = unwrap_value_object(item->get_object(), spec.kind, site, at);
            if (literal == nullptr) {
                continue;
            }
        }
        if (literal->is_null()) {
            site.report(at, "value-null", "'" + std::string(spec.term) + "' may not be null");
            continue;
        }
        if (check_literal(*literal, spec, site, at)) {
            values.push_back(PropertyValue{*literal, at, {}});
        }
    }
    return values;
}

namespace {

// One {"@value", "@language"} object or string inside a localizable string array.
void read_lang_item(const json::value& item, const PropertySpec& spec, const ValueSite& site, const std::string& at,
                    std::vector<PropertyValue>& values) {
    std::string language = "en";
    const json::value* text = &item;
    if (item.is_object()) {
        const auto& object = item.get_object();
        for (const auto& member : object) {
            const bool tolerated =
                site.version == 2 && member.key() != "@id" && member.key() != "@context" && member.key() != "@graph";
            if (member.key() != "@value" && member.key() != "@language" && !tolerated) {
                site.report(at, "lang-string-keys", "a localized value may only hold @value and @language");
                return;
            }
        }
        text = object.if_contains("@value");
        if (text == nullptr) {
            site.report(at, "lang-string-value", "a localized value must hold @value");
            return;
        }
        if (const auto* tag = object.if_contains("@language")) {
            if (!tag->is_string() || !is_language_tag(tag->get_string())) {
                site.report(at, "lang-string-language", "@language must be a language tag such as 'en-US'");
                return;
            }
            language = std::string(tag->get_string());
        }
    }
    if (!text->is_string()) {
        site.report(at, "lang-string-type", "'" + std::string(spec.term) + "' must hold strings");
        return;
    }
    const int max_length = spec.max_length(site.version);
    if (max_length > 0 && utf16_length(text->get_string()) > static_cast<std::size_t>(max_length)) {
        site.report(at, "string-length",
                    "'" + std::string(spec.term) + "' is longer than " + std::to_string(max_length) + " characters");
        return;
    }
    values.push_back(PropertyValue{*text, at, language});
}

} // namespace

std::vector<PropertyValue> read_lang_string(const json::value& value, const PropertySpec& spec, const ValueSite& site) {
    std::vector<PropertyValue> values;
    // A lone {"@value", "@language"} object is not a localizable string; only strings,
    // language maps and arrays are.
    if (value.is_string()) {
        read_lang_item(value, spec, site, site.pointer, values);
    } else if (value.is_object()) {
        // A language map: {"en": "...", "de": "..."}.
        for (const auto& member : value.get_object()) {
            const std::string at = child_pointer(site.pointer, member.key());
            if (!is_language_tag(member.key())) {
                site.report(at, "lang-string-language",
                            "'" + std::string(member.key()) + "' is not a language tag such as 'en-US'");
            } else if (!member.value().is_string()) {
                site.report(at, "lang-string-type", "'" + std::string(spec.term) + "' must hold strings");
            } else {
                const std::size_t before = values.size();
                read_lang_item(member.value(), spec, site, at, values);
                if (values.size() > before) {
                    values.back().language = std::string(member.key());
                }
            }
        }
    } else if (value.is_array()) {
        const auto& array = value.get_array();
        for (std::size_t i = 0; i < array.size(); ++i) {
            read_lang_item(array[i], spec, site, child_pointer(site.pointer, i), values);
        }
    } else {
        site.report(site.pointer, "lang-string-type",
                    "'" + std::string(spec.term) + "' must be a string, a language map or an array");
    }
    std::set<std::string> languages;
    for (const auto& item : values) {
        if (!languages.insert(item.language).second) {
            site.report(item.pointer, "lang-string-unique",
                        "'" + std::string(spec.term) + "' has more than one value for language '" + item.language +
                            "'");
            break;
        }
    }
    return values;
}

} // namespace dtwin::core::dtdl
