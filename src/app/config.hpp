// dtwin's configuration: one TOML file plus `--set key=value` overrides, checked against
// one typed key table (config_keys.cpp). Unknown keys, wrong types and values outside a
// key's allowed set are rejected with the file and line.
//
// Thread: built once at start-up on the main thread, read-only afterwards.
#pragma once

#include <cstdint>
#include <map>
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

enum class ConfigType { string, boolean, integer, number };

/// One entry of the key table: its dotted name, type, default and documentation.
struct ConfigKey {
    std::string_view name; ///< e.g. "store.durability"
    ConfigType type;
    std::string_view default_value;        ///< in TOML syntax for its type ("process", "true", "5")
    std::vector<std::string_view> allowed; ///< for strings: the only values accepted (empty: any)
    std::string_view description;
};

/// Every key dtwin knows (documented one by one in docs/configuration.md).
std::span<const ConfigKey> config_keys();

using ConfigValue = std::variant<std::string, bool, std::int64_t, double>;

/// The effective configuration: defaults, then the file, then `--set` overrides.
class Config {
public:
    /// Defaults only.
    Config();

    /// Reads `path` (TOML). Throws ConfigError naming the file, line and key.
    void load_file(const std::string& path);

    /// Applies one `key=value` override. Throws ConfigError naming the override.
    void apply_override(std::string_view assignment);

    /// Typed accessors; the key must be in the table (a bug otherwise: std::logic_error).
    [[nodiscard]] const std::string& get_string(std::string_view key) const;
    [[nodiscard]] bool get_bool(std::string_view key) const;
    [[nodiscard]] std::int64_t get_integer(std::string_view key) const;
    [[nodiscard]] double get_number(std::string_view key) const;

    /// Sets a key programmatically (e.g. --data onto data.dir). Same checks as --set.
    void set(std::string_view key, std::string_view value, std::string_view origin);

    /// Every key with its effective value rendered as text (for `dtwin config show`).
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> entries() const;

private:
    const ConfigValue& value(std::string_view key, ConfigType expected) const;
    std::map<std::string, ConfigValue, std::less<>> m_values;
};

} // namespace dtwin::app
