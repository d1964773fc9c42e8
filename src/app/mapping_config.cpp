// Reads the `[[mapping]]` tables into ingest::MappingRule values, one check at a time so
// that each mistake points at its own line.
#include "app/mapping_config.hpp"

#include "app/config.hpp"
#include "core/json_patch.hpp"
#include "ingest/topic_filter.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <initializer_list>
#include <optional>

namespace dtwin::app {

namespace {

/// Which mapping is being read, so that every message can say so.
class MappingReader {
public:
    MappingReader(const std::string& file, std::size_t index) : m_file(file), m_index(index) {}

    void set_name(std::string name) { m_name = std::move(name); }

    [[noreturn]] void fail(const toml::node& at, std::string_view what) const {
        const auto label =
            m_name.empty() ? fmt::format("#{}", m_index + 1) : fmt::format("\"{}\" (#{})", m_name, m_index + 1);
        throw ConfigError(fmt::format("{}:{}: mapping {}: {}", m_file, at.source().begin.line, label, what));
    }

    /// Rejects keys of `table` not in `known`; `path` names the table ("fields[2].").
    void check_keys(const toml::table& table, std::initializer_list<std::string_view> known,
                    std::string_view path) const {
        for (const auto& [key, node] : table) {
            if (std::find(known.begin(), known.end(), key.str()) != known.end()) {
                continue;
            }
            std::string list;
            for (const auto k : known) {
                list += list.empty() ? "" : ", ";
                list += k;
            }
            fail(node, fmt::format("unknown key \"{}{}\" (expected one of: {})", path, key.str(), list));
        }
    }

    /// The string at `table[key]`; nullopt when absent and not `required`.
    std::optional<std::string> string_at(const toml::table& table, std::string_view key, std::string_view path,
                                         bool required) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) {
            if (required) {
                fail(table, fmt::format("\"{}{}\" is missing", path, key));
            }
            return std::nullopt;
        }
        if (const auto* s = node->as_string()) {
            return s->get();
        }
        fail(*node, fmt::format("\"{}{}\" must be a string", path, key));
    }

    /// Like string_at(), and the string must be a JSON pointer ("" or "/a/b").
    std::optional<std::string> pointer_at(const toml::table& table, std::string_view key, std::string_view path,
                                          bool required) const {
        auto pointer = string_at(table, key, path, required);
        if (pointer && !core::is_valid_pointer(*pointer)) {
            fail(*table.get(key),
                 fmt::format("{}{} = \"{}\" is not a JSON pointer (\"\" or \"/a/b\")", path, key, *pointer));
        }
        return pointer;
    }

    /// The table at `node` (inline or not).
    const toml::table& table_at(const toml::node& node, std::string_view path) const {
        if (const auto* t = node.as_table()) {
            return *t;
        }
        fail(node, fmt::format("\"{}\" must be a table", path));
    }

private:
    const std::string& m_file;
    std::size_t m_index;
    std::string m_name;
};

ingest::FieldMapping read_field(const MappingReader& reader, const toml::node& node, std::size_t index) {
    const auto path = fmt::format("fields[{}]", index + 1);
    const auto& table = reader.table_at(node, path);
    const auto prefix = path + ".";
    reader.check_keys(table, {"property", "field", "type", "required"}, prefix);
    ingest::FieldMapping field;
    field.property = *reader.string_at(table, "property", prefix, true);
    field.pointer = *reader.pointer_at(table, "field", prefix, true);
    if (const auto type = reader.string_at(table, "type", prefix, false)) {
        const auto parsed = ingest::parse_value_type(*type);
        if (!parsed) {
            reader.fail(*table.get("type"),
                        fmt::format("{}type = \"{}\" is not a value type (expected one of: double, integer, "
                                    "boolean, string, boolean_from_number)",
                                    prefix, *type));
        }
        field.type = *parsed;
    }
    if (const toml::node* required = table.get("required")) {
        const auto* flag = required->as_boolean();
        if (flag == nullptr) {
            reader.fail(*required, fmt::format("{}required must be true or false", prefix));
        }
        field.required = flag->get();
    }
    return field;
}

ingest::TimestampMapping read_timestamp(const MappingReader& reader, const toml::node& node) {
    const auto& table = reader.table_at(node, "timestamp");
    const std::string_view prefix = "timestamp.";
    reader.check_keys(table, {"field", "format", "property"}, prefix);
    ingest::TimestampMapping timestamp;
    timestamp.pointer = *reader.pointer_at(table, "field", prefix, true);
    if (const auto format = reader.string_at(table, "format", prefix, false)) {
        const auto parsed = ingest::parse_time_format(*format);
        if (!parsed) {
            reader.fail(*table.get("format"),
                        fmt::format("timestamp.format = \"{}\" is not a time format (expected one of: iso8601, "
                                    "epoch_ms, epoch_s)",
                                    *format));
        }
        timestamp.format = *parsed;
    }
    timestamp.property = reader.string_at(table, "property", prefix, false).value_or("");
    return timestamp;
}

ingest::MappingRule read_mapping(MappingReader& reader, const toml::table& table) {
    ingest::MappingRule rule;
    // The name first, so that every later message can use it.
    rule.name = *reader.string_at(table, "name", "", true);
    reader.set_name(rule.name);
    reader.check_keys(table, {"name", "topic", "twin", "base", "timestamp", "fields"}, "");
    rule.topic_filter = *reader.string_at(table, "topic", "", true);
    if (const auto valid = ingest::validate_topic_filter(rule.topic_filter); !valid) {
        reader.fail(*table.get("topic"), fmt::format("topic \"{}\": {}", rule.topic_filter, valid.error().message));
    }
    rule.twin_id = *reader.string_at(table, "twin", "", true);
    rule.base_pointer = reader.pointer_at(table, "base", "", false).value_or("");
    if (const toml::node* timestamp = table.get("timestamp")) {
        rule.timestamp = read_timestamp(reader, *timestamp);
    }
    const toml::node* fields = table.get("fields");
    if (fields == nullptr) {
        reader.fail(table, "\"fields\" is missing");
    }
    const auto* array = fields->as_array();
    if (array == nullptr) {
        reader.fail(*fields, "\"fields\" must be an array of tables");
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        rule.fields.push_back(read_field(reader, *array->get(i), i));
    }
    // What is left to check (twin id template, property names) is about the whole rule.
    if (const auto valid = ingest::validate_rule(rule); !valid) {
        reader.fail(table, valid.error().message);
    }
    return rule;
}

} // namespace

std::vector<ingest::MappingRule> load_mappings(const toml::table& root, const std::string& file) {
    const toml::node* node = root.get(k_mapping_table);
    if (node == nullptr) {
        return {};
    }
    const auto* array = node->as_array();
    if (array == nullptr) {
        throw ConfigError(fmt::format("{}:{}: \"mapping\" must be an array of tables ([[mapping]])", file,
                                      node->source().begin.line));
    }
    std::vector<ingest::MappingRule> rules;
    for (std::size_t i = 0; i < array->size(); ++i) {
        MappingReader reader(file, i);
        const auto& table = reader.table_at(*array->get(i), "mapping");
        auto rule = read_mapping(reader, table);
        const bool taken = std::any_of(rules.begin(), rules.end(),
                                       [&](const ingest::MappingRule& other) { return other.name == rule.name; });
        if (taken) {
            reader.fail(*table.get("name"), "another mapping already has this name");
        }
        rules.push_back(std::move(rule));
    }
    return rules;
}

} // namespace dtwin::app
