// dtwin's configuration: one TOML file plus `--set key=value` overrides, checked against
// one typed key table (config_keys.cpp). Unknown keys, wrong types and values outside a
// key's allowed set are rejected with the file and line.
//
// Thread: built once at start-up on the main thread, read-only afterwards.
#pragma once

#include "engine/engine_options.hpp"
#include "ingest/mapping.hpp"
#include "ingest/mapping_rule.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dtwin::app {

/// A configuration mistake; its message names the file, line and key. Start-up only.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// string_list: a TOML array of strings, or one string of comma-separated items (also the
/// form of `--set key=a,b`); kept as the items joined by ", ".
enum class ConfigType { string, boolean, integer, number, string_list };

/// One entry of the key table: its dotted name, type, default and documentation.
struct ConfigKey {
    std::string_view name; ///< e.g. "store.durability"
    ConfigType type;
    std::string_view default_value;        ///< in TOML syntax for its type ("process", "true", "5")
    std::vector<std::string_view> allowed; ///< for strings: the only values accepted (empty: any)
    std::string_view description;
    std::optional<std::int64_t> minimum; ///< for integers: the smallest value accepted (none: any)
};

/// Every key dtwin knows (documented one by one in docs/configuration.md).
std::span<const ConfigKey> config_keys();

using ConfigValue = std::variant<std::string, bool, std::int64_t, double>;

/// The two kinds of `[[derive]]` table.
enum class DeriveKind { door_state, occupancy };

/// The derived-state and liveness rules of the file (`[[derive]]` and `[[liveness]]`
/// tables, read by engine_config.hpp), each kind in file order. Every selector names
/// exactly one of twin and model, and no two rules of one kind share a selector.
struct EngineRules {
    std::vector<engine::DoorStateRule> door_state;
    std::vector<engine::OccupancyRule> occupancy;
    std::vector<engine::LivenessRule> liveness;
    /// The kind of each `[[derive]]` table in file order: the n-th door_state entry here is
    /// door_state[n], likewise for occupancy. Keeps `derive.<n>` in `dtwin config show`
    /// numbered as in the file and in error messages.
    std::vector<DeriveKind> derive_order;
};

/// The effective configuration: defaults, then the file, then `--set` overrides. Besides
/// the keys of the table it holds the rules only the file can give: the ingest mappings
/// (`[[mapping]]` tables, mapping_config.hpp), the derived-state and liveness rules
/// (`[[derive]]` and `[[liveness]]` tables, engine_config.hpp) and the rules with their
/// alerts (`[[rule]]` tables, rule_config.hpp).
class Config {
public:
    /// Defaults only.
    Config();

    /// Reads `path` (TOML): keys, `[[mapping]]`, `[[derive]]`, `[[liveness]]` and `[[rule]]`
    /// tables.
    /// Throws ConfigError naming the file, line and key (and the mapping or rule); the
    /// configuration is unchanged then.
    void load_file(const std::string& path);

    /// Applies one `key=value` override. Throws ConfigError naming the override.
    void apply_override(std::string_view assignment);

    /// Typed accessors; the key must be in the table (a bug otherwise: std::logic_error).
    [[nodiscard]] const std::string& get_string(std::string_view key) const;
    [[nodiscard]] bool get_bool(std::string_view key) const;
    [[nodiscard]] std::int64_t get_integer(std::string_view key) const;
    [[nodiscard]] double get_number(std::string_view key) const;
    /// The items of a string_list key, trimmed, empty items dropped.
    [[nodiscard]] std::vector<std::string> get_string_list(std::string_view key) const;

    /// Sets a key programmatically (e.g. --data onto data.dir). Same checks as --set.
    void set(std::string_view key, std::string_view value, std::string_view origin);

    /// Every key with its effective value rendered as text (for `dtwin config show`; a
    /// non-empty mqtt.password shows as "********"),
    /// followed by `mapping.<name>.topic` and `mapping.<name>.twin` for each mapping rule,
    /// then every key of each derive and liveness rule with its effective value, numbered
    /// from 1 in file order: `derive.1.kind`, `derive.1.model`, `liveness.1.twin`, ...,
    /// then every key of each `[[rule]]` by name: `rule.door-slammed.condition`, ...
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> entries() const;

    /// The mapping rules of the file, in file order, each checked by validate_rule().
    /// Empty without a file or when it has no `[[mapping]]` table.
    [[nodiscard]] const std::vector<ingest::MappingRule>& mappings() const noexcept { return m_mappings; }

    /// ingest.max_skew_ms and ingest.max_lateness_ms as the mapping engine takes them.
    [[nodiscard]] ingest::TimeOptions time_options() const;
    /// ingest.max_payload_bytes as the mapping engine takes it.
    [[nodiscard]] ingest::IngestLimits ingest_limits() const;

    /// The `[[derive]]` and `[[liveness]]` rules of the file; empty without a file.
    [[nodiscard]] const EngineRules& engine_rules() const noexcept { return m_engine_rules; }

    /// The `[[rule]]` tables of the file (rule_config.hpp), in file order; empty without a
    /// file. Model rules are not yet checked against the models: see
    /// check_rules_against_models().
    [[nodiscard]] const std::vector<engine::RuleDefinition>& rules() const noexcept { return m_rules; }

    /// Everything the twin engine takes from the configuration: mappings(),
    /// time_options(), ingest_limits(), the rules of engine_rules(), rules(), and
    /// history.retention_days as hours (nullopt for 0: keep everything). Envelope limits
    /// keep their defaults (no keys yet).
    [[nodiscard]] engine::EngineOptions engine_options() const;

private:
    const ConfigValue& value(std::string_view key, ConfigType expected) const;
    std::map<std::string, ConfigValue, std::less<>> m_values;
    std::vector<ingest::MappingRule> m_mappings;
    EngineRules m_engine_rules;
    std::vector<engine::RuleDefinition> m_rules;
};

} // namespace dtwin::app
