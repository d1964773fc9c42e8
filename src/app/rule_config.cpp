// Reads the `[[rule]]` tables into engine::RuleDefinition, one check at a time so that
// each mistake points at its own line, and checks model rules against the DTDL models.
#include "app/rule_config.hpp"

#include "app/config.hpp"
#include "core/dtdl/dtmi.hpp"
#include "core/dtdl/value_reader.hpp"
#include "core/query/parser.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <span>

namespace dtwin::app {

namespace {

using engine::RuleDefinition;
namespace detectors = core::detectors;

constexpr std::string_view k_rule_keys[] = {"name",    "model",  "twin",      "condition",      "detector",
                                            "related", "for_ms", "repeat_ms", "severity",       "message",
                                            "set",     "reset",  "alert",     "notify_resolved"};
constexpr std::string_view k_detector_kinds[] = {"spike_and_dip",  "stuck_sensor", "range",
                                                 "rate_of_change", "no_data",      "threshold"};
/// The parameters of each detector kind, in the order of k_detector_kinds.
constexpr std::string_view k_spike_and_dip_keys[] = {"confidence", "history_size", "mode", "window_ms",
                                                     "min_bandwidth"};
constexpr std::string_view k_stuck_sensor_keys[] = {"min_samples", "epsilon"};
constexpr std::string_view k_range_keys[] = {"min", "max"};
constexpr std::string_view k_rate_of_change_keys[] = {"max_rate_per_second"};
constexpr std::string_view k_no_data_keys[] = {"timeout_ms"};
constexpr std::string_view k_threshold_keys[] = {"direction", "high", "low"};
constexpr std::string_view k_severities[] = {"info", "warning", "critical"};
constexpr std::string_view k_default_message = "{rule} on {twin}";

/// Largest millisecond count that still fits std::chrono::microseconds.
constexpr std::int64_t k_max_ms = std::chrono::microseconds::max().count() / 1000;

bool contains(std::span<const std::string_view> keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string join(std::span<const std::string_view> keys) {
    std::string list;
    for (const auto key : keys) {
        list += list.empty() ? "" : ", ";
        list += key;
    }
    return list;
}

std::span<const std::string_view> detector_keys(std::string_view kind) {
    if (kind == "spike_and_dip") {
        return k_spike_and_dip_keys;
    }
    if (kind == "stuck_sensor") {
        return k_stuck_sensor_keys;
    }
    if (kind == "range") {
        return k_range_keys;
    }
    if (kind == "rate_of_change") {
        return k_rate_of_change_keys;
    }
    if (kind == "threshold") {
        return k_threshold_keys;
    }
    return k_no_data_keys;
}

/// A rule name: letters, digits, '-' and '_', so it reads well in keys and on the CLI.
bool is_valid_rule_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

/// One `[[rule]]` table being read ("rule #2 (door-slammed)"), so every message names it.
class RuleReader {
public:
    RuleReader(const std::string& file, std::size_t index, const toml::table& table)
        : m_file(file), m_index(index), m_table(table) {}

    void set_name(std::string name) { m_name = std::move(name); }

    /// "file:line: rule #N (name): key: what".
    [[noreturn]] void fail(const toml::node& at, std::string_view key, std::string_view what) const {
        const auto rule =
            m_name.empty() ? fmt::format("rule #{}", m_index + 1) : fmt::format("rule #{} ({})", m_index + 1, m_name);
        throw ConfigError(fmt::format("{}:{}: {}: {}: {}", m_file, at.source().begin.line, rule, key, what));
    }

    [[nodiscard]] const toml::table& table() const noexcept { return m_table; }

    /// The node of `key` in `table`, or `table` itself when absent (to point at a line).
    static const toml::node& at(const toml::table& table, std::string_view key) {
        const toml::node* node = table.get(key);
        return node != nullptr ? *node : table;
    }
    [[nodiscard]] const toml::node& at(std::string_view key) const { return at(m_table, key); }

    /// Rejects keys of `table` not in `known`; `prefix` is "" or "detector.".
    void check_keys(const toml::table& table, std::span<const std::string_view> known, std::string_view prefix) const {
        for (const auto& [key, node] : table) {
            if (!contains(known, key.str())) {
                fail(node, fmt::format("{}{}", prefix, key.str()),
                     fmt::format("unknown key (expected one of: {})", join(known)));
            }
        }
    }

    /// The string at `key` of `table`; nullopt when absent and not `required`.
    std::optional<std::string> string_at(const toml::table& table, std::string_view key, std::string_view shown,
                                         bool required) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) {
            if (required) {
                fail(table, shown, "is missing");
            }
            return std::nullopt;
        }
        if (const auto* s = node->as_string()) {
            return s->get();
        }
        fail(*node, shown, "must be a string");
    }
    std::optional<std::string> string_at(std::string_view key, bool required = false) const {
        return string_at(m_table, key, key, required);
    }

    std::optional<bool> bool_at(std::string_view key) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (const auto* b = node->as_boolean()) {
            return b->get();
        }
        fail(*node, key, "must be true or false");
    }

    /// An integer in [minimum, maximum]; nullopt when absent and not `required`.
    std::optional<std::int64_t> integer_at(const toml::table& table, std::string_view key, std::string_view shown,
                                           std::int64_t minimum, std::int64_t maximum, bool required) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) {
            if (required) {
                fail(table, shown, "is missing");
            }
            return std::nullopt;
        }
        const auto* i = node->as_integer();
        if (i == nullptr) {
            fail(*node, shown, "must be an integer");
        }
        if (i->get() < minimum || i->get() > maximum) {
            fail(*node, shown, fmt::format("{} is out of range (allowed: {} to {})", i->get(), minimum, maximum));
        }
        return i->get();
    }

    /// A finite number (an integer is accepted); nullopt when absent and not `required`.
    std::optional<double> number_at(const toml::table& table, std::string_view key, std::string_view shown,
                                    bool required) const {
        const toml::node* node = table.get(key);
        if (node == nullptr) {
            if (required) {
                fail(table, shown, "is missing");
            }
            return std::nullopt;
        }
        if (const auto* f = node->as_floating_point(); f != nullptr && std::isfinite(f->get())) {
            return f->get();
        }
        if (const auto* i = node->as_integer()) {
            return static_cast<double>(i->get());
        }
        fail(*node, shown, "must be a finite number");
    }

    /// The inline table at `key`, or nullptr when absent.
    const toml::table* table_at(std::string_view key) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            return nullptr;
        }
        if (const auto* t = node->as_table()) {
            return t;
        }
        fail(*node, key, "must be an inline table ({ ... })");
    }

    /// A DTDL name (a property or relationship), else an error at `at`.
    void check_name(const toml::node& at, std::string_view key, std::string_view name) const {
        if (!core::dtdl::is_valid_name(name)) {
            fail(at, key, fmt::format("\"{}\" is not a DTDL name (a letter, then letters, digits and _)", name));
        }
    }

private:
    const std::string& m_file;
    std::size_t m_index;
    const toml::table& m_table;
    std::string m_name;
};

engine::TwinSelector read_selector(const RuleReader& reader) {
    auto model = reader.string_at("model");
    auto twin = reader.string_at("twin");
    if (model && twin) {
        reader.fail(reader.at("twin"), "twin",
                    "both model and twin are given: a rule selects one twin or every twin of one model");
    }
    if (!model && !twin) {
        reader.fail(reader.table(), "model",
                    "model or twin is missing: a rule selects one twin (twin = \"Room1\") or every twin of "
                    "one model (model = \"dtmi:...;1\")");
    }
    if (twin && twin->empty()) {
        reader.fail(reader.at("twin"), "twin", "must not be empty");
    }
    if (model && !core::dtdl::is_valid_dtmi(*model, 3)) {
        reader.fail(reader.at("model"), "model",
                    fmt::format("\"{}\" is not a DTMI (such as dtmi:example:Room;1)", *model));
    }
    return {.twin = twin.value_or(""), .model = model.value_or("")};
}

/// `related`: alias -> "incoming:<relationship>" | "outgoing:<relationship>".
void read_related(const RuleReader& reader, RuleDefinition& rule) {
    const toml::table* related = reader.table_at("related");
    if (related == nullptr) {
        return;
    }
    for (const auto& [alias, node] : *related) {
        const auto key = fmt::format("related.{}", alias.str());
        reader.check_name(node, key, alias.str());
        const auto* text = node.as_string();
        const std::string_view value = text != nullptr ? std::string_view(text->get()) : std::string_view();
        const auto colon = value.find(':');
        const auto direction = value.substr(0, colon);
        if (text == nullptr || colon == std::string_view::npos ||
            (direction != "incoming" && direction != "outgoing")) {
            reader.fail(node, key,
                        "must be \"incoming:<relationship>\" (twins related to this one) or "
                        "\"outgoing:<relationship>\" (twins this one is related to)");
        }
        reader.check_name(node, key, value.substr(colon + 1));
        rule.related.emplace(std::string(alias.str()), std::string(value));
    }
}

/// `condition`: parsed, and every alias it uses defined by `related`.
void read_condition(const RuleReader& reader, RuleDefinition& rule, const std::string& text) {
    const auto& node = reader.at("condition");
    if (text.empty()) {
        reader.fail(node, "condition", "must not be empty");
    }
    auto parsed = core::query::parse_expression(text);
    if (!parsed) {
        reader.fail(node, fmt::format("condition {}", parsed.error().where), parsed.error().message);
    }
    for (const auto& path : core::query::referenced_paths(**parsed)) {
        const auto& first = path.segments.front();
        // One segment is the twin's own property (IS_OF_MODEL's argument is always an alias);
        // a dotted path starts with an alias, or with a $ name of the twin ($metadata).
        const bool alias =
            path.use == core::query::PathUse::model || (path.segments.size() > 1 && !first.starts_with('$'));
        if (alias && !rule.related.contains(first)) {
            reader.fail(node, fmt::format("condition {}", path.position.to_string()),
                        fmt::format("\"{}\" is not an alias of related (define it there, such as related = {{ {} = "
                                    "\"incoming:connects\" }}; the twin's own properties are read unqualified)",
                                    first, first));
        }
    }
    rule.condition = std::move(*parsed);
    rule.condition_text = text;
}

/// The detector's window_ms: 0 means no time bound (the history is bounded by count).
std::optional<std::chrono::microseconds> window_of(std::int64_t ms) {
    if (ms == 0) {
        return std::nullopt;
    }
    return std::chrono::milliseconds{ms};
}

engine::DetectorCondition read_detector_parameters(const RuleReader& reader, const toml::table& table,
                                                   std::string_view kind, std::string property) {
    const auto key = [](std::string_view name) { return fmt::format("detector.{}", name); };
    const auto integer = [&](std::string_view name, std::int64_t min, std::int64_t max) {
        return reader.integer_at(table, name, key(name), min, max, false);
    };
    const auto number = [&](std::string_view name, bool required = false) {
        return reader.number_at(table, name, key(name), required);
    };
    if (kind == "spike_and_dip") {
        detectors::SpikeAndDipParameters p;
        p.confidence = number("confidence").value_or(p.confidence);
        p.history_size = static_cast<std::size_t>(
            integer("history_size", 1, 100'000).value_or(static_cast<std::int64_t>(p.history_size)));
        if (const auto mode = reader.string_at(table, "mode", key("mode"), false)) {
            const auto parsed = detectors::parse_spike_and_dip_mode(*mode);
            if (!parsed) {
                reader.fail(RuleReader::at(table, "mode"), key("mode"),
                            fmt::format("\"{}\" is not a mode (expected one of: spikes, dips, spikesanddips)", *mode));
            }
            p.mode = *parsed;
        }
        if (const auto window = integer("window_ms", 0, k_max_ms)) {
            p.window = window_of(*window);
        }
        p.min_bandwidth = number("min_bandwidth").value_or(p.min_bandwidth);
        return engine::SpikeAndDipCondition{std::move(property), p};
    }
    if (kind == "stuck_sensor") {
        detectors::StuckSensorParameters p;
        p.min_samples = static_cast<std::size_t>(
            integer("min_samples", 2, 1'000'000).value_or(static_cast<std::int64_t>(p.min_samples)));
        p.epsilon = number("epsilon").value_or(p.epsilon);
        return engine::StuckSensorCondition{std::move(property), p};
    }
    if (kind == "range") {
        return engine::RangeCondition{std::move(property), {.min = *number("min", true), .max = *number("max", true)}};
    }
    if (kind == "rate_of_change") {
        return engine::RateOfChangeCondition{std::move(property),
                                             {.max_rate_per_second = *number("max_rate_per_second", true)}};
    }
    if (kind == "threshold") {
        detectors::ThresholdHysteresisParameters p;
        if (const auto direction = reader.string_at(table, "direction", key("direction"), false)) {
            const auto parsed = detectors::parse_threshold_direction(*direction);
            if (!parsed) {
                reader.fail(RuleReader::at(table, "direction"), key("direction"),
                            fmt::format("\"{}\" is not a direction (expected one of: above, below, abs)", *direction));
            }
            p.direction = *parsed;
        }
        // One threshold given: no hysteresis band (low = high).
        const auto high = number("high");
        const auto low = number("low");
        if (!high && !low) {
            reader.fail(RuleReader::at(table, "kind"), key("high"), "at least one of high and low is required");
        }
        p.high = high.value_or(*low);
        p.low = low.value_or(*high);
        return engine::ThresholdCondition{std::move(property), p};
    }
    detectors::NoDataParameters p;
    if (const auto timeout = integer("timeout_ms", 1, k_max_ms)) {
        p.timeout = std::chrono::milliseconds{*timeout};
    }
    return engine::NoDataCondition{std::move(property), p};
}

/// `detector`: kind, property and the kind's parameters, checked by the detector's validate().
void read_detector(const RuleReader& reader, RuleDefinition& rule, const toml::table& table) {
    const auto kind = *reader.string_at(table, "kind", "detector.kind", true);
    if (!contains(k_detector_kinds, kind)) {
        reader.fail(RuleReader::at(table, "kind"), "detector.kind",
                    fmt::format("\"{}\" is not a detector (expected one of: {})", kind, join(k_detector_kinds)));
    }
    std::vector<std::string_view> known{"kind", "property"};
    const auto own = detector_keys(kind);
    known.insert(known.end(), own.begin(), own.end());
    reader.check_keys(table, known, "detector.");
    auto property = *reader.string_at(table, "property", "detector.property", true);
    reader.check_name(RuleReader::at(table, "property"), "detector.property", property);
    auto detector = read_detector_parameters(reader, table, kind, std::move(property));
    const auto valid = std::visit([](const auto& d) { return detectors::validate(d.parameters); }, detector);
    if (!valid) {
        // The detector names its field (e.g. "confidence"); durations are keys in ms here.
        auto field = valid.error().where;
        if (field == "window" || field == "timeout") {
            field += "_ms";
        }
        reader.fail(RuleReader::at(table, field), fmt::format("detector.{}", field.empty() ? kind : field),
                    valid.error().message);
    }
    rule.detector = std::move(detector);
}

/// A TOML scalar as JSON; tables and arrays are not property values here.
std::optional<boost::json::value> json_of(const toml::node& node) {
    if (const auto* s = node.as_string()) {
        return boost::json::value(s->get());
    }
    if (const auto* b = node.as_boolean()) {
        return boost::json::value(b->get());
    }
    if (const auto* i = node.as_integer()) {
        return boost::json::value(i->get());
    }
    if (const auto* f = node.as_floating_point(); f != nullptr && std::isfinite(f->get())) {
        return boost::json::value(f->get());
    }
    return std::nullopt;
}

boost::json::object read_writes(const RuleReader& reader, std::string_view key) {
    boost::json::object out;
    const toml::table* table = reader.table_at(key);
    if (table == nullptr) {
        return out;
    }
    for (const auto& [property, node] : *table) {
        const auto shown = fmt::format("{}.{}", key, property.str());
        reader.check_name(node, shown, property.str());
        auto value = json_of(node);
        if (!value) {
            reader.fail(node, shown, "must be a string, number or true/false");
        }
        out.emplace(property.str(), std::move(*value));
    }
    return out;
}

/// set and reset name the same properties: what a rule sets is put back when it clears.
void check_set_and_reset(const RuleReader& reader, const RuleDefinition& rule) {
    for (const auto& [property, value] : rule.set_properties) {
        if (!rule.reset_properties.contains(property)) {
            reader.fail(reader.at("set"), fmt::format("set.{}", std::string_view(property)),
                        fmt::format("has no value in reset: reset must give every property set writes the value "
                                    "it returns to (such as reset = {{ {} = \"none\" }})",
                                    std::string_view(property)));
        }
    }
    for (const auto& [property, value] : rule.reset_properties) {
        if (!rule.set_properties.contains(property)) {
            reader.fail(reader.at("reset"), fmt::format("reset.{}", std::string_view(property)),
                        "is not in set: reset only puts back what set writes");
        }
    }
}

engine::Severity read_severity(const RuleReader& reader) {
    const auto text = reader.string_at("severity").value_or("warning");
    if (text == "info") {
        return engine::Severity::info;
    }
    if (text == "critical") {
        return engine::Severity::critical;
    }
    if (text != "warning") {
        reader.fail(reader.at("severity"), "severity",
                    fmt::format("\"{}\" is not a severity (expected one of: {})", text, join(k_severities)));
    }
    return engine::Severity::warning;
}

/// The message template: every '{' closed by a '}' before the next '{'.
std::string read_message(const RuleReader& reader) {
    auto message = reader.string_at("message").value_or(std::string(k_default_message));
    bool open = false;
    for (const char c : message) {
        if (c == '{' && open) {
            break;
        }
        open = c == '{' ? true : (c == '}' ? false : open);
    }
    if (open || message.empty()) {
        reader.fail(reader.at("message"), "message",
                    message.empty() ? "must not be empty"
                                    : "has a '{' without its '}' (placeholders: {twin}, {rule}, "
                                      "{severity}, {<property>})");
    }
    return message;
}

RuleDefinition read_rule(RuleReader& reader, const std::vector<RuleDefinition>& earlier) {
    RuleDefinition rule;
    rule.name = *reader.string_at("name", true);
    if (!is_valid_rule_name(rule.name)) {
        reader.fail(reader.at("name"), "name",
                    fmt::format("\"{}\" is not a rule name (letters, digits, - and _)", rule.name));
    }
    reader.set_name(rule.name);
    const auto same = std::find_if(earlier.begin(), earlier.end(), [&](const auto& r) { return r.name == rule.name; });
    if (same != earlier.end()) {
        reader.fail(reader.at("name"), "name",
                    fmt::format("\"{}\" is already the name of rule #{}", rule.name, same - earlier.begin() + 1));
    }
    reader.check_keys(reader.table(), k_rule_keys, "");
    rule.selector = read_selector(reader);
    read_related(reader, rule);
    const auto condition = reader.string_at("condition");
    const toml::table* detector = reader.table_at("detector");
    if (condition && detector != nullptr) {
        reader.fail(reader.at("detector"), "detector", "both condition and detector are given: a rule has one");
    }
    if (!condition && detector == nullptr) {
        reader.fail(reader.table(), "condition",
                    "condition or detector is missing (condition = \"ABS(gyro) > 65\" or detector = { kind = "
                    "\"range\", property = \"co2\", min = 0, max = 5000 })");
    }
    if (condition) {
        read_condition(reader, rule, *condition);
    } else {
        if (!rule.related.empty()) {
            reader.fail(reader.at("related"), "related", "is for conditions: a detector reads only its property");
        }
        read_detector(reader, rule, *detector);
    }
    rule.for_duration = std::chrono::milliseconds{
        reader.integer_at(reader.table(), "for_ms", "for_ms", 0, k_max_ms, false).value_or(0)};
    if (const auto repeat = reader.integer_at(reader.table(), "repeat_ms", "repeat_ms", 1, k_max_ms, false)) {
        rule.repeat_interval = std::chrono::milliseconds{*repeat};
    }
    rule.severity = read_severity(reader);
    rule.message = read_message(reader);
    rule.set_properties = read_writes(reader, "set");
    rule.reset_properties = read_writes(reader, "reset");
    check_set_and_reset(reader, rule);
    rule.raise_alert = reader.bool_at("alert").value_or(true);
    rule.notify_resolved = reader.bool_at("notify_resolved").value_or(false);
    if (!rule.raise_alert && rule.set_properties.empty()) {
        reader.fail(reader.at("alert"), "alert", "the rule does nothing: alert = false and no set");
    }
    if (!rule.raise_alert && (rule.repeat_interval || rule.notify_resolved)) {
        reader.fail(reader.at(rule.repeat_interval ? "repeat_ms" : "notify_resolved"),
                    rule.repeat_interval ? "repeat_ms" : "notify_resolved", "needs alert = true");
    }
    return rule;
}

using Entries = std::vector<std::pair<std::string, std::string>>;

std::string milliseconds_text(std::chrono::microseconds duration) {
    return fmt::format("{}", std::chrono::duration_cast<std::chrono::milliseconds>(duration).count());
}

void add_detector(Entries& out, const std::string& prefix, const engine::DetectorCondition& detector) {
    const auto add = [&](std::string_view key, std::string value) {
        out.emplace_back(prefix + std::string(key), value);
    };
    std::visit(
        [&](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            add("kind", std::string(k_detector_kinds[detector.index()])); // same order as the variant
            add("property", d.property);
            const auto& p = d.parameters;
            if constexpr (std::is_same_v<T, engine::SpikeAndDipCondition>) {
                add("confidence", fmt::format("{}", p.confidence));
                add("history_size", fmt::format("{}", p.history_size));
                add("mode", std::string(detectors::spike_and_dip_mode_name(p.mode)));
                add("window_ms", p.window ? milliseconds_text(*p.window) : "0");
                add("min_bandwidth", fmt::format("{}", p.min_bandwidth));
            } else if constexpr (std::is_same_v<T, engine::StuckSensorCondition>) {
                add("min_samples", fmt::format("{}", p.min_samples));
                add("epsilon", fmt::format("{}", p.epsilon));
            } else if constexpr (std::is_same_v<T, engine::RangeCondition>) {
                add("min", fmt::format("{}", p.min));
                add("max", fmt::format("{}", p.max));
            } else if constexpr (std::is_same_v<T, engine::RateOfChangeCondition>) {
                add("max_rate_per_second", fmt::format("{}", p.max_rate_per_second));
            } else if constexpr (std::is_same_v<T, engine::ThresholdCondition>) {
                add("direction", std::string(detectors::threshold_direction_name(p.direction)));
                add("high", fmt::format("{}", p.high));
                add("low", fmt::format("{}", p.low));
            } else {
                add("timeout_ms", milliseconds_text(p.timeout));
            }
        },
        detector);
}


} // namespace

std::vector<RuleDefinition> load_rules(const toml::table& root, const std::string& file) {
    std::vector<RuleDefinition> rules;
    const toml::node* node = root.get(k_rule_table);
    if (node == nullptr) {
        return rules;
    }
    const auto* array = node->as_array();
    if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
        throw ConfigError(
            fmt::format("{}:{}: \"rule\" must be an array of tables ([[rule]])", file, node->source().begin.line));
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::table& table = *array->get(i)->as_table();
        RuleReader reader(file, i, table);
        rules.push_back(read_rule(reader, rules));
        rules.back().source = fmt::format("{}:{}", file, table.source().begin.line);
    }
    return rules;
}

Entries rule_entries(const std::vector<RuleDefinition>& rules) {
    Entries out;
    for (const auto& rule : rules) {
        const auto prefix = fmt::format("{}.{}.", k_rule_table, rule.name);
        if (!rule.selector.twin.empty()) {
            out.emplace_back(prefix + "twin", rule.selector.twin);
        } else {
            out.emplace_back(prefix + "model", rule.selector.model);
        }
        for (const auto& [alias, relationship] : rule.related) {
            out.emplace_back(prefix + "related." + alias, relationship);
        }
        if (rule.detector) {
            add_detector(out, prefix + "detector.", *rule.detector);
        } else {
            out.emplace_back(prefix + "condition", rule.condition_text);
        }
        out.emplace_back(prefix + "for_ms", fmt::format("{}", rule.for_duration.count()));
        if (rule.repeat_interval) {
            out.emplace_back(prefix + "repeat_ms", fmt::format("{}", rule.repeat_interval->count()));
        }
        out.emplace_back(prefix + "severity", std::string(severity_name(rule.severity)));
        out.emplace_back(prefix + "message", rule.message);
        for (const auto* writes : {&rule.set_properties, &rule.reset_properties}) {
            const std::string key = writes == &rule.set_properties ? "set." : "reset.";
            for (const auto& [property, value] : *writes) {
                out.emplace_back(prefix + key + std::string(property), boost::json::serialize(value));
            }
        }
        out.emplace_back(prefix + "alert", rule.raise_alert ? "true" : "false");
        out.emplace_back(prefix + "notify_resolved", rule.notify_resolved ? "true" : "false");
    }
    return out;
}

} // namespace dtwin::app
