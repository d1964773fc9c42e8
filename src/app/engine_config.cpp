// Reads the `[[derive]]` and `[[liveness]]` tables into the engine's rules, one check at
// a time so that each mistake points at its own line.
#include "app/engine_config.hpp"

#include "core/dtdl/dtmi.hpp"
#include "core/dtdl/value_reader.hpp"
#include "ingest/topic_filter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <optional>
#include <span>

namespace dtwin::app {

namespace {

constexpr std::string_view k_door_state = "door_state";
constexpr std::string_view k_occupancy = "occupancy";

/// Keys every derive rule may have, then the keys of each kind.
constexpr std::string_view k_derive_common_keys[] = {"kind", "model", "twin"};
constexpr std::string_view k_door_state_keys[] = {"angle", "magnet", "target", "closed_max_angle", "open_min_angle"};
constexpr std::string_view k_occupancy_keys[] = {"motion",   "target",           "door_relationship",
                                                 "enclosed", "short_timeout_ms", "shut_in_timeout_ms"};
constexpr std::string_view k_liveness_keys[] = {"model", "twin", "silent_after_ms", "status_topic"};

/// Largest millisecond count that still fits the engine's std::chrono::microseconds.
constexpr std::int64_t k_max_ms = std::chrono::microseconds::max().count() / 1000;

/// "a door_state", "an occupancy", "a liveness": a kind with its article.
std::string with_article(std::string_view kind) {
    return fmt::format("{} {}", kind.starts_with('o') ? "an" : "a", kind);
}

bool contains(std::span<const std::string_view> keys, std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string join(std::initializer_list<std::span<const std::string_view>> groups) {
    std::string list;
    for (const auto group : groups) {
        for (const auto key : group) {
            list += list.empty() ? "" : ", ";
            list += key;
        }
    }
    return list;
}

/// One rule table being read ("derive #2"), so that every message can name it.
class RuleReader {
public:
    RuleReader(const std::string& file, std::string_view array, std::size_t index, const toml::table& table)
        : m_file(file), m_array(array), m_index(index), m_table(table) {}

    [[nodiscard]] const toml::table& table() const noexcept { return m_table; }
    [[nodiscard]] std::string_view array() const noexcept { return m_array; }
    [[nodiscard]] std::size_t number() const noexcept { return m_index + 1; }

    [[noreturn]] void fail(const toml::node& at, std::string_view what) const {
        throw ConfigError(fmt::format("{}:{}: {} #{}: {}", m_file, at.source().begin.line, m_array, number(), what));
    }

    /// The node of `key`, or the table itself when the key is absent (to point at a line).
    [[nodiscard]] const toml::node& at(std::string_view key) const {
        const toml::node* node = m_table.get(key);
        return node != nullptr ? *node : m_table;
    }

    /// The string at `key`; nullopt when absent and not `required`.
    std::optional<std::string> string_at(std::string_view key, bool required) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            if (required) {
                fail(m_table, fmt::format("\"{}\" is missing", key));
            }
            return std::nullopt;
        }
        if (const auto* s = node->as_string()) {
            return s->get();
        }
        fail(*node, fmt::format("{} must be a string", key));
    }

    /// Like string_at(), and the string must be a DTDL name (a property or relationship).
    std::optional<std::string> name_at(std::string_view key) const {
        auto name = string_at(key, false);
        if (name && !core::dtdl::is_valid_name(*name)) {
            fail(at(key),
                 fmt::format("{} = \"{}\" is not a DTDL name (a letter, then letters, digits and _)", key, *name));
        }
        return name;
    }

    std::optional<bool> bool_at(std::string_view key) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (const auto* b = node->as_boolean()) {
            return b->get();
        }
        fail(*node, fmt::format("{} must be true or false", key));
    }

    /// An angle in degrees: a finite number >= 0 (an integer is accepted).
    std::optional<double> angle_at(std::string_view key) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        std::optional<double> degrees;
        if (const auto* f = node->as_floating_point()) {
            degrees = f->get();
        } else if (const auto* i = node->as_integer()) {
            degrees = static_cast<double>(i->get());
        }
        if (!degrees || !std::isfinite(*degrees) || *degrees < 0) {
            fail(*node, fmt::format("{} must be a finite number of degrees >= 0", key));
        }
        return degrees;
    }

    /// A duration in milliseconds: an integer >= `minimum`.
    std::optional<std::int64_t> milliseconds_at(std::string_view key, std::int64_t minimum, bool required) const {
        const toml::node* node = m_table.get(key);
        if (node == nullptr) {
            if (required) {
                fail(m_table, fmt::format("\"{}\" is missing", key));
            }
            return std::nullopt;
        }
        const auto* i = node->as_integer();
        if (i == nullptr) {
            fail(*node, fmt::format("{} must be an integer (milliseconds)", key));
        }
        if (i->get() < minimum) {
            fail(*node, fmt::format("{} = {} is too small (the least allowed is {})", key, i->get(), minimum));
        }
        if (i->get() > k_max_ms) {
            fail(*node, fmt::format("{} = {} is too large (the most allowed is {})", key, i->get(), k_max_ms));
        }
        return i->get();
    }

    /// Rejects keys not in `known`, listing them.
    void check_keys(std::span<const std::string_view> known) const {
        for (const auto& [key, node] : m_table) {
            if (!contains(known, key.str())) {
                fail(node, fmt::format("unknown key \"{}\" (expected one of: {})", key.str(), join({known})));
            }
        }
    }

    /// `model` or `twin`: exactly one, the model a DTMI, the twin id not empty.
    engine::TwinSelector selector() const {
        auto model = string_at("model", false);
        auto twin = string_at("twin", false);
        if (model && twin) {
            fail(at("twin"), "both model and twin are given: a rule selects one twin or every twin of one model");
        }
        if (!model && !twin) {
            fail(m_table, "model or twin is missing: a rule selects one twin (twin = \"Room1\") or every twin of "
                          "one model (model = \"dtmi:...;1\")");
        }
        if (twin && twin->empty()) {
            fail(at("twin"), "twin must not be empty");
        }
        if (model && !core::dtdl::is_valid_dtmi(*model, 3)) {
            fail(at("model"), fmt::format("model = \"{}\" is not a DTMI (such as dtmi:example:Room;1)", *model));
        }
        return {.twin = twin.value_or(""), .model = model.value_or("")};
    }

private:
    const std::string& m_file;
    std::string_view m_array;
    std::size_t m_index;
    const toml::table& m_table;
};

/// The selectors already taken by one kind of rule, to reject a second rule of that kind
/// for the same twin or model.
class SelectorSet {
public:
    explicit SelectorSet(std::string_view kind) : m_kind(kind) {}

    void claim(const RuleReader& reader, const engine::TwinSelector& selector) {
        const bool by_twin = !selector.twin.empty();
        const auto same = [&](const Taken& t) {
            return t.selector.twin == selector.twin && t.selector.model == selector.model;
        };
        if (const auto it = std::find_if(m_taken.begin(), m_taken.end(), same); it != m_taken.end()) {
            reader.fail(reader.at(by_twin ? "twin" : "model"),
                        fmt::format("{} #{} is already {} rule for {} \"{}\"", reader.array(), it->number,
                                    with_article(m_kind), by_twin ? "twin" : "model",
                                    by_twin ? selector.twin : selector.model));
        }
        m_taken.push_back({selector, reader.number()});
    }

private:
    struct Taken {
        engine::TwinSelector selector;
        std::size_t number;
    };
    std::string_view m_kind;
    std::vector<Taken> m_taken;
};

/// Rejects keys that are neither common nor of this kind; a key of the other kind says so.
void check_derive_keys(const RuleReader& reader, DeriveKind kind) {
    const bool door = kind == DeriveKind::door_state;
    const std::span<const std::string_view> door_keys = k_door_state_keys;
    const std::span<const std::string_view> occupancy_keys = k_occupancy_keys;
    const auto own = door ? door_keys : occupancy_keys;
    const auto other = door ? occupancy_keys : door_keys;
    for (const auto& [key, node] : reader.table()) {
        const auto name = key.str();
        if (contains(k_derive_common_keys, name) || contains(own, name)) {
            continue;
        }
        if (contains(other, name)) {
            reader.fail(node, fmt::format("{} is {} key, this is {} rule", name,
                                          with_article(door ? k_occupancy : k_door_state),
                                          with_article(door ? k_door_state : k_occupancy)));
        }
        reader.fail(node,
                    fmt::format("unknown key \"{}\" (expected one of: {})", name, join({k_derive_common_keys, own})));
    }
}

DeriveKind read_kind(const RuleReader& reader) {
    const auto kind = *reader.string_at("kind", true);
    if (kind == k_door_state) {
        return DeriveKind::door_state;
    }
    if (kind == k_occupancy) {
        return DeriveKind::occupancy;
    }
    reader.fail(reader.at("kind"),
                fmt::format("kind = \"{}\" is not a derive kind (expected one of: door_state, occupancy)", kind));
}

engine::DoorStateRule read_door_state(const RuleReader& reader) {
    engine::DoorStateRule rule;
    rule.selector = reader.selector();
    rule.angle_property = reader.name_at("angle").value_or(rule.angle_property);
    rule.magnet_property = reader.name_at("magnet").value_or(rule.magnet_property);
    rule.target_property = reader.name_at("target").value_or(rule.target_property);
    auto& parameters = rule.parameters;
    parameters.closed_max_angle = reader.angle_at("closed_max_angle").value_or(parameters.closed_max_angle);
    parameters.open_min_angle = reader.angle_at("open_min_angle").value_or(parameters.open_min_angle);
    return rule;
}

engine::OccupancyRule read_occupancy(const RuleReader& reader) {
    engine::OccupancyRule rule;
    rule.selector = reader.selector();
    rule.motion_property = reader.name_at("motion").value_or(rule.motion_property);
    rule.target_property = reader.name_at("target").value_or(rule.target_property);
    // "" is allowed here: a room without a door.
    rule.door_relationship = reader.string_at("door_relationship", false).value_or(rule.door_relationship);
    if (!rule.door_relationship.empty() && !core::dtdl::is_valid_name(rule.door_relationship)) {
        reader.fail(
            reader.at("door_relationship"),
            fmt::format("door_relationship = \"{}\" is not a DTDL name (or \"\" for no door)", rule.door_relationship));
    }
    auto& parameters = rule.parameters;
    parameters.enclosed = reader.bool_at("enclosed").value_or(parameters.enclosed);
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    const auto short_ms = reader.milliseconds_at("short_timeout_ms", 0, false)
                              .value_or(duration_cast<milliseconds>(parameters.short_timeout).count());
    const auto shut_in_ms = reader.milliseconds_at("shut_in_timeout_ms", 0, false)
                                .value_or(duration_cast<milliseconds>(parameters.shut_in_timeout).count());
    if (shut_in_ms < short_ms) {
        // Point at shut_in_timeout_ms when given, else at the short timeout that exceeds its default.
        const bool given = reader.table().contains("shut_in_timeout_ms");
        reader.fail(reader.at(given ? "shut_in_timeout_ms" : "short_timeout_ms"),
                    fmt::format("shut_in_timeout_ms ({}{}) must not be less than short_timeout_ms ({})", shut_in_ms,
                                given ? "" : ", the default", short_ms));
    }
    parameters.short_timeout = milliseconds{short_ms};
    parameters.shut_in_timeout = milliseconds{shut_in_ms};
    return rule;
}

/// status_topic: a valid filter whose only capture is {twin}, required in a model rule.
std::string read_status_topic(const RuleReader& reader, const engine::TwinSelector& selector) {
    auto topic = reader.string_at("status_topic", false).value_or("");
    if (topic.empty()) {
        return topic;
    }
    const auto& node = reader.at("status_topic");
    if (const auto valid = ingest::validate_topic_filter(topic); !valid) {
        reader.fail(node, fmt::format("status_topic \"{}\": {}", topic, valid.error().message));
    }
    const auto names = ingest::capture_names(topic);
    for (const auto& name : names) {
        if (name != "twin") {
            reader.fail(node, fmt::format("status_topic \"{}\": capture {{{}}} is not allowed (the only capture is "
                                          "{{twin}}, the twin id)",
                                          topic, name));
        }
    }
    if (!selector.model.empty() && names.empty()) {
        reader.fail(node, fmt::format("status_topic \"{}\" must capture {{twin}} in a model rule, to tell which "
                                      "twin's device it is (such as rooms/{{twin}}/status)",
                                      topic));
    }
    return topic;
}

engine::LivenessRule read_liveness(const RuleReader& reader) {
    reader.check_keys(k_liveness_keys);
    engine::LivenessRule rule;
    rule.selector = reader.selector();
    rule.silent_after = std::chrono::milliseconds{*reader.milliseconds_at("silent_after_ms", 1, true)};
    rule.status_topic = read_status_topic(reader, rule.selector);
    return rule;
}

/// The array `root[name]` (nullptr when absent), each element checked to be a table.
const toml::array* rule_array(const toml::table& root, std::string_view name, const std::string& file) {
    const toml::node* node = root.get(name);
    if (node == nullptr) {
        return nullptr;
    }
    const auto* array = node->as_array();
    if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
        throw ConfigError(fmt::format("{}:{}: \"{}\" must be an array of tables ([[{}]])", file,
                                      node->source().begin.line, name, name));
    }
    return array;
}

void load_derive(const toml::table& root, const std::string& file, EngineRules& rules) {
    const toml::array* array = rule_array(root, k_derive_table, file);
    if (array == nullptr) {
        return;
    }
    SelectorSet door_states(k_door_state);
    SelectorSet occupancies(k_occupancy);
    for (std::size_t i = 0; i < array->size(); ++i) {
        const RuleReader reader(file, k_derive_table, i, *array->get(i)->as_table());
        const DeriveKind kind = read_kind(reader);
        check_derive_keys(reader, kind);
        if (kind == DeriveKind::door_state) {
            auto rule = read_door_state(reader);
            door_states.claim(reader, rule.selector);
            rules.door_state.push_back(std::move(rule));
        } else {
            auto rule = read_occupancy(reader);
            occupancies.claim(reader, rule.selector);
            rules.occupancy.push_back(std::move(rule));
        }
        rules.derive_order.push_back(kind);
    }
}

void load_liveness(const toml::table& root, const std::string& file, EngineRules& rules) {
    const toml::array* array = rule_array(root, k_liveness_table, file);
    if (array == nullptr) {
        return;
    }
    SelectorSet taken(k_liveness_table);
    for (std::size_t i = 0; i < array->size(); ++i) {
        const RuleReader reader(file, k_liveness_table, i, *array->get(i)->as_table());
        auto rule = read_liveness(reader);
        taken.claim(reader, rule.selector);
        rules.liveness.push_back(std::move(rule));
    }
}

std::string milliseconds_text(std::chrono::microseconds duration) {
    return fmt::format("{}", std::chrono::duration_cast<std::chrono::milliseconds>(duration).count());
}

using Entries = std::vector<std::pair<std::string, std::string>>;

void add_selector(Entries& out, const std::string& prefix, const engine::TwinSelector& selector) {
    if (!selector.twin.empty()) {
        out.emplace_back(prefix + "twin", selector.twin);
    } else {
        out.emplace_back(prefix + "model", selector.model);
    }
}

void add_door_state(Entries& out, const std::string& prefix, const engine::DoorStateRule& rule) {
    out.emplace_back(prefix + "kind", k_door_state);
    add_selector(out, prefix, rule.selector);
    out.emplace_back(prefix + "angle", rule.angle_property);
    out.emplace_back(prefix + "magnet", rule.magnet_property);
    out.emplace_back(prefix + "target", rule.target_property);
    out.emplace_back(prefix + "closed_max_angle", fmt::format("{}", rule.parameters.closed_max_angle));
    out.emplace_back(prefix + "open_min_angle", fmt::format("{}", rule.parameters.open_min_angle));
}

void add_occupancy(Entries& out, const std::string& prefix, const engine::OccupancyRule& rule) {
    out.emplace_back(prefix + "kind", k_occupancy);
    add_selector(out, prefix, rule.selector);
    out.emplace_back(prefix + "motion", rule.motion_property);
    out.emplace_back(prefix + "target", rule.target_property);
    out.emplace_back(prefix + "door_relationship", rule.door_relationship);
    out.emplace_back(prefix + "enclosed", rule.parameters.enclosed ? "true" : "false");
    out.emplace_back(prefix + "short_timeout_ms", milliseconds_text(rule.parameters.short_timeout));
    out.emplace_back(prefix + "shut_in_timeout_ms", milliseconds_text(rule.parameters.shut_in_timeout));
}

} // namespace

EngineRules load_engine_rules(const toml::table& root, const std::string& file) {
    EngineRules rules;
    load_derive(root, file, rules);
    load_liveness(root, file, rules);
    return rules;
}

Entries engine_rule_entries(const EngineRules& rules) {
    Entries out;
    std::size_t next_door_state = 0;
    std::size_t next_occupancy = 0;
    for (std::size_t i = 0; i < rules.derive_order.size(); ++i) {
        const auto prefix = fmt::format("{}.{}.", k_derive_table, i + 1);
        if (rules.derive_order[i] == DeriveKind::door_state) {
            add_door_state(out, prefix, rules.door_state.at(next_door_state++));
        } else {
            add_occupancy(out, prefix, rules.occupancy.at(next_occupancy++));
        }
    }
    for (std::size_t i = 0; i < rules.liveness.size(); ++i) {
        const auto prefix = fmt::format("{}.{}.", k_liveness_table, i + 1);
        const auto& rule = rules.liveness[i];
        add_selector(out, prefix, rule.selector);
        out.emplace_back(prefix + "silent_after_ms", fmt::format("{}", rule.silent_after.count()));
        out.emplace_back(prefix + "status_topic", rule.status_topic);
    }
    return out;
}

} // namespace dtwin::app
