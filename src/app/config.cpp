#include "app/config.hpp"

#include "app/engine_config.hpp"
#include "app/mapping_config.hpp"
#include "app/rule_config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <toml++/toml.h>

namespace dtwin::app {

namespace {

/// The top-level arrays of tables that are rules, not keys: only the file can give them.
constexpr std::string_view k_rule_tables[] = {k_mapping_table, k_derive_table, k_liveness_table, k_rule_table};

bool is_rule_table(std::string_view name) {
    return std::find(std::begin(k_rule_tables), std::end(k_rule_tables), name) != std::end(k_rule_tables);
}

const ConfigKey* find_key(std::string_view name) {
    const auto keys = config_keys();
    const auto it = std::find_if(keys.begin(), keys.end(), [&](const ConfigKey& k) { return k.name == name; });
    return it == keys.end() ? nullptr : &*it;
}

std::string_view type_name(ConfigType type) {
    switch (type) {
    case ConfigType::string:
        return "a string";
    case ConfigType::boolean:
        return "true or false";
    case ConfigType::integer:
        return "an integer";
    case ConfigType::number:
        return "a number";
    case ConfigType::string_list:
        return "a list of strings";
    }
    return "?";
}

/// The items of a comma-separated list, trimmed, empty ones dropped.
std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
            item.remove_prefix(1);
        }
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            items.emplace_back(item);
        }
    }
    return items;
}

std::string join_list(const std::vector<std::string>& items) {
    std::string joined;
    for (const auto& item : items) {
        joined += joined.empty() ? "" : ", ";
        joined += item;
    }
    return joined;
}

std::string render(const ConfigValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::string>) {
                return x;
            } else if constexpr (std::is_same_v<T, bool>) {
                return x ? "true" : "false";
            } else {
                return fmt::format("{}", x);
            }
        },
        v);
}

/// Checks a string value against the key's allowed set; `where` prefixes the message.
void check_allowed(const ConfigKey& key, const std::string& text, std::string_view where) {
    if (key.allowed.empty() || std::find(key.allowed.begin(), key.allowed.end(), text) != key.allowed.end()) {
        return;
    }
    std::string list;
    for (const auto a : key.allowed) {
        list += list.empty() ? "" : ", ";
        list += a;
    }
    throw ConfigError(fmt::format("{}: {} = \"{}\" is not allowed (expected one of: {})", where, key.name, text, list));
}

/// Checks an integer value against the key's minimum; `where` prefixes the message.
std::int64_t check_minimum(const ConfigKey& key, std::int64_t n, std::string_view where) {
    if (key.minimum && n < *key.minimum) {
        throw ConfigError(
            fmt::format("{}: {} = {} is too small (the least allowed is {})", where, key.name, n, *key.minimum));
    }
    return n;
}

/// Converts override text to the key's type.
ConfigValue parse_text(const ConfigKey& key, std::string_view text, std::string_view where) {
    const auto bad = [&] {
        return ConfigError(fmt::format("{}: {} must be {}, got \"{}\"", where, key.name, type_name(key.type), text));
    };
    switch (key.type) {
    case ConfigType::string: {
        std::string s(text);
        check_allowed(key, s, where);
        return s;
    }
    case ConfigType::boolean:
        if (text == "true") {
            return true;
        }
        if (text == "false") {
            return false;
        }
        throw bad();
    case ConfigType::integer: {
        std::int64_t n = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc{} || p != text.data() + text.size()) {
            throw bad();
        }
        return check_minimum(key, n, where);
    }
    case ConfigType::number: {
        double d = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
        if (ec != std::errc{} || p != text.data() + text.size() || !std::isfinite(d)) {
            throw bad();
        }
        return d;
    }
    case ConfigType::string_list:
        return join_list(split_list(text));
    }
    throw bad();
}

/// Converts a TOML node to the key's type.
ConfigValue from_node(const ConfigKey& key, const toml::node& node, std::string_view where) {
    const auto bad = [&] {
        return ConfigError(fmt::format("{}: {} must be {}", where, key.name, type_name(key.type)));
    };
    switch (key.type) {
    case ConfigType::string:
        if (const auto* s = node.as_string()) {
            std::string text = s->get();
            check_allowed(key, text, where);
            return text;
        }
        throw bad();
    case ConfigType::boolean:
        if (const auto* b = node.as_boolean()) {
            return b->get();
        }
        throw bad();
    case ConfigType::integer:
        if (const auto* i = node.as_integer()) {
            return check_minimum(key, i->get(), where);
        }
        throw bad();
    case ConfigType::number:
        if (const auto* f = node.as_floating_point(); f && std::isfinite(f->get())) {
            return f->get();
        }
        if (const auto* i = node.as_integer()) {
            return static_cast<double>(i->get());
        }
        throw bad();
    case ConfigType::string_list:
        if (const auto* s = node.as_string()) {
            return join_list(split_list(s->get()));
        }
        if (const auto* array = node.as_array()) {
            std::vector<std::string> items;
            for (const auto& item : *array) {
                const auto* text = item.as_string();
                if (text == nullptr || text->get().find(',') != std::string::npos) {
                    throw bad();
                }
                items.push_back(text->get());
            }
            return join_list(split_list(join_list(items)));
        }
        throw bad();
    }
    throw bad();
}

/// Copies every key of `table` into `out`, checked against the key table. The top-level
/// rule arrays are not keys: they are left to load_mappings() and load_engine_rules().
void walk(const toml::table& table, const std::string& prefix, const std::string& file,
          std::map<std::string, ConfigValue, std::less<>>& out) {
    for (const auto& [name, node] : table) {
        if (prefix.empty() && is_rule_table(name.str())) {
            continue;
        }
        const std::string key = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
        const auto where = fmt::format("{}:{}", file, node.source().begin.line);
        if (const auto* sub = node.as_table()) {
            walk(*sub, key, file, out);
            continue;
        }
        const ConfigKey* def = find_key(key);
        if (def == nullptr) {
            throw ConfigError(fmt::format("{}: unknown key \"{}\" (see docs/configuration.md)", where, key));
        }
        out.insert_or_assign(key, from_node(*def, node, where));
    }
}

} // namespace

Config::Config() {
    for (const auto& key : config_keys()) {
        m_values.insert_or_assign(std::string(key.name), parse_text(key, key.default_value, "default"));
    }
}

void Config::load_file(const std::string& path) {
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw ConfigError(
            fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column, e.description()));
    }
    auto values = m_values;
    walk(table, "", path, values);
    auto mappings = load_mappings(table, path);
    auto engine_rules = load_engine_rules(table, path);
    auto rules = load_rules(table, path);
    m_values = std::move(values);
    m_mappings = std::move(mappings);
    m_engine_rules = std::move(engine_rules);
    m_rules = std::move(rules);
}

void Config::apply_override(std::string_view assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        throw ConfigError(fmt::format("--set {}: expected key=value", assignment));
    }
    set(assignment.substr(0, eq), assignment.substr(eq + 1), fmt::format("--set {}", assignment));
}

void Config::set(std::string_view key, std::string_view value, std::string_view origin) {
    const auto table = key.substr(0, key.find('.'));
    if (is_rule_table(table)) {
        throw ConfigError(
            fmt::format("{}: {} rules can only be given in the config file ([[{}]] tables)", origin, table, table));
    }
    const ConfigKey* def = find_key(key);
    if (def == nullptr) {
        throw ConfigError(fmt::format("{}: unknown key \"{}\" (see docs/configuration.md)", origin, key));
    }
    // Allow TOML-style quotes around strings on the command line.
    if (def->type == ConfigType::string && value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
    }
    m_values.insert_or_assign(std::string(key), parse_text(*def, value, origin));
}

const ConfigValue& Config::value(std::string_view key, ConfigType expected) const {
    const ConfigKey* def = find_key(key);
    if (def == nullptr || def->type != expected) {
        throw std::logic_error(fmt::format("config key {} read with the wrong type or not in the table", key));
    }
    return m_values.find(key)->second;
}

const std::string& Config::get_string(std::string_view key) const {
    return std::get<std::string>(value(key, ConfigType::string));
}
bool Config::get_bool(std::string_view key) const {
    return std::get<bool>(value(key, ConfigType::boolean));
}
std::int64_t Config::get_integer(std::string_view key) const {
    return std::get<std::int64_t>(value(key, ConfigType::integer));
}
double Config::get_number(std::string_view key) const {
    return std::get<double>(value(key, ConfigType::number));
}
std::vector<std::string> Config::get_string_list(std::string_view key) const {
    return split_list(std::get<std::string>(value(key, ConfigType::string_list)));
}

std::vector<std::pair<std::string, std::string>> Config::entries() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : m_values) {
        // A secret is not printed: `config show` output ends up in terminals and bug reports.
        const bool secret = (k == "mqtt.password" || k == "notify.smtp.password") && !std::get<std::string>(v).empty();
        out.emplace_back(k, secret ? std::string("********") : render(v));
    }
    for (const auto& rule : m_mappings) {
        out.emplace_back(fmt::format("mapping.{}.topic", rule.name), rule.topic_filter);
        out.emplace_back(fmt::format("mapping.{}.twin", rule.name), rule.twin_id);
    }
    auto rules = engine_rule_entries(m_engine_rules);
    out.insert(out.end(), std::make_move_iterator(rules.begin()), std::make_move_iterator(rules.end()));
    auto rule_tables = rule_entries(m_rules);
    out.insert(out.end(), std::make_move_iterator(rule_tables.begin()), std::make_move_iterator(rule_tables.end()));
    return out;
}

namespace {

/// Milliseconds as microseconds, saturating: a huge limit means "no limit", not overflow.
std::chrono::microseconds saturating_ms(std::int64_t ms) {
    constexpr auto k_max_ms = std::chrono::microseconds::max().count() / 1000;
    return std::chrono::milliseconds{std::min(ms, k_max_ms)};
}

} // namespace

ingest::TimeOptions Config::time_options() const {
    return {.max_skew = saturating_ms(get_integer("ingest.max_skew_ms")),
            .max_lateness = saturating_ms(get_integer("ingest.max_lateness_ms"))};
}

ingest::IngestLimits Config::ingest_limits() const {
    return {.max_payload_bytes = static_cast<std::size_t>(get_integer("ingest.max_payload_bytes"))};
}

engine::EngineOptions Config::engine_options() const {
    engine::EngineOptions options;
    options.mappings = m_mappings;
    options.time_options = time_options();
    options.ingest_limits = ingest_limits();
    options.door_state_rules = m_engine_rules.door_state;
    options.occupancy_rules = m_engine_rules.occupancy;
    options.liveness_rules = m_engine_rules.liveness;
    options.rules = m_rules;
    if (const auto days = get_integer("history.retention_days"); days > 0) {
        // Saturating: a retention of millions of years means "keep everything" too.
        constexpr auto k_max_days = std::chrono::hours::max().count() / 24;
        options.history_retention = std::chrono::hours{std::min<std::int64_t>(days, k_max_days) * 24};
    }
    for (const char* sink : {"smtp", "webhook"}) {
        if (!get_string(fmt::format("notify.{}.url", sink)).empty()) {
            options.notification_sinks.emplace_back(sink);
        }
    }
    return options;
}

} // namespace dtwin::app
