// The configuration key table, TOML files and --set overrides.
#include "app/config.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using dtwin::app::Config;
using dtwin::app::ConfigError;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("dtwin-config-test-" + name);
    std::ofstream(path) << text;
    return path.string();
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(Config, EveryKeyIsDocumented) {
    std::ifstream in(std::string(DTWIN_SOURCE_DIR) + "/docs/configuration.md");
    ASSERT_TRUE(in) << "docs/configuration.md is missing";
    std::stringstream text;
    text << in.rdbuf();
    for (const auto& key : dtwin::app::config_keys()) {
        EXPECT_NE(text.str().find("`" + std::string(key.name) + "`"), std::string::npos)
            << key.name << " is not documented in docs/configuration.md";
    }
}

TEST(Config, FileThenOverrides) {
    Config config;
    EXPECT_EQ(config.get_string("store.durability"), "process");
    config.load_file(
        write_temp("ok.toml", "[store]\ndurability = \"power\"\n[models]\nallow_undefined_extensions = true\n"));
    EXPECT_EQ(config.get_string("store.durability"), "power");
    EXPECT_TRUE(config.get_bool("models.allow_undefined_extensions"));
    config.apply_override("store.durability=process");
    EXPECT_EQ(config.get_string("store.durability"), "process");
}

TEST(Config, ErrorsNameFileLineAndKey) {
    Config config;
    const auto path = write_temp("unknown.toml", "[store]\n\ndurabilty = \"power\"\n");
    const auto message = error_of([&] { config.load_file(path); });
    EXPECT_NE(message.find(path + ":3"), std::string::npos) << message;
    EXPECT_NE(message.find("store.durabilty"), std::string::npos) << message;

    const auto type_path = write_temp("type.toml", "[models]\nallow_undefined_extensions = \"yes\"\n");
    const auto type_message = error_of([&] { config.load_file(type_path); });
    EXPECT_NE(type_message.find(type_path + ":2"), std::string::npos) << type_message;
    EXPECT_NE(type_message.find("true or false"), std::string::npos) << type_message;

    const auto syntax_path = write_temp("syntax.toml", "[store\n");
    EXPECT_NE(error_of([&] { config.load_file(syntax_path); }).find(syntax_path + ":1"), std::string::npos);

    EXPECT_NE(error_of([&] { config.apply_override("nokey"); }).find("expected key=value"), std::string::npos);
    EXPECT_NE(error_of([&] { config.apply_override("log.level=loud"); }).find("trace, debug"), std::string::npos);
    // A failed file load leaves the configuration as it was.
    EXPECT_EQ(config.get_string("store.durability"), "process");
}
