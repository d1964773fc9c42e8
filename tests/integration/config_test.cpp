// The configuration key table, TOML files and --set overrides.
#include "app/config.hpp"
#include "core/time.hpp"
#include "ingest/mapping.hpp"
#include "ingest/prototype_mapping.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
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

TEST(Config, IngestKeysGiveTimeOptionsAndLimits) {
    Config config;
    EXPECT_EQ(config.get_string("mqtt.url"), "mqtt://127.0.0.1:1883");
    EXPECT_EQ(config.time_options().max_skew, std::chrono::seconds{30});
    EXPECT_EQ(config.time_options().max_lateness, std::chrono::hours{24 * 7});
    EXPECT_EQ(config.ingest_limits().max_payload_bytes, 262144U);
    config.load_file(write_temp("ingest.toml", "[ingest]\nmax_skew_ms = 1500\nmax_payload_bytes = 0\n"));
    EXPECT_EQ(config.time_options().max_skew, std::chrono::milliseconds{1500});
    EXPECT_EQ(config.ingest_limits().max_payload_bytes, 0U);
    EXPECT_TRUE(config.mappings().empty());
}

TEST(Config, NegativeLimitIsRejectedWithLine) {
    Config config;
    const auto path = write_temp("negative.toml", "[ingest]\nmax_lateness_ms = 5\nmax_skew_ms = -1\n");
    const auto message = error_of([&] { config.load_file(path); });
    EXPECT_NE(message.find(path + ":3"), std::string::npos) << message;
    EXPECT_NE(message.find("ingest.max_skew_ms"), std::string::npos) << message;
    EXPECT_NE(error_of([&] { config.apply_override("ingest.max_payload_bytes=-1"); }).find("too small"),
              std::string::npos);
    EXPECT_EQ(config.get_integer("ingest.max_skew_ms"), 30000);
}

namespace {

/// A mapping named "rooms" with `extra` on line 5 and `field` (one entry of `fields`) on line 7.
std::string mapping_with(const std::string& extra, const std::string& field) {
    return "[[mapping]]\n"
           "name = \"rooms\"\n"
           "topic = \"rooms/{room}\"\n"
           "twin = \"{room}\"\n" +
           extra + "\nfields = [\n" + field + "\n]\n";
}

constexpr const char* k_good_field = R"(  { property = "temperature", field = "/temperature", type = "double" },)";

} // namespace

TEST(Config, MappingErrorsNameFileLineAndMapping) {
    Config config;
    // Unknown key inside a field of the mapping.
    const auto unknown =
        write_temp("map-unknown.toml", mapping_with("", R"(  { property = "t", field = "/t", tipe = "double" },)"));
    auto message = error_of([&] { config.load_file(unknown); });
    EXPECT_NE(message.find(unknown + ":7"), std::string::npos) << message;
    EXPECT_NE(message.find("\"rooms\""), std::string::npos) << message;
    EXPECT_NE(message.find("fields[1].tipe"), std::string::npos) << message;

    // Unknown key of the mapping itself.
    const auto unknown_top = write_temp("map-unknown-top.toml", mapping_with("topik = \"x\"", k_good_field));
    message = error_of([&] { config.load_file(unknown_top); });
    EXPECT_NE(message.find(unknown_top + ":5"), std::string::npos) << message;
    EXPECT_NE(message.find("topik"), std::string::npos) << message;

    // A value type the engine does not know.
    const auto bad_type =
        write_temp("map-type.toml", mapping_with("", R"(  { property = "t", field = "/t", type = "float" },)"));
    message = error_of([&] { config.load_file(bad_type); });
    EXPECT_NE(message.find(bad_type + ":7"), std::string::npos) << message;
    EXPECT_NE(message.find("\"float\" is not a value type"), std::string::npos) << message;

    // A time format the engine does not know, and a key of the wrong TOML type.
    const auto bad_format = write_temp(
        "map-format.toml", mapping_with(R"(timestamp = { field = "/ts", format = "rfc822" })", k_good_field));
    message = error_of([&] { config.load_file(bad_format); });
    EXPECT_NE(message.find(bad_format + ":5"), std::string::npos) << message;
    EXPECT_NE(message.find("rfc822"), std::string::npos) << message;
    const auto wrong_toml_type =
        write_temp("map-required.toml", mapping_with("", R"(  { property = "t", field = "/t", required = 1 },)"));
    message = error_of([&] { config.load_file(wrong_toml_type); });
    EXPECT_NE(message.find(wrong_toml_type + ":7"), std::string::npos) << message;
    EXPECT_NE(message.find("required must be true or false"), std::string::npos) << message;

    // An invalid topic filter points at the `topic` line.
    const auto bad_topic = write_temp("map-topic.toml", "\n[[mapping]]\nname = \"door\"\ntopic = \"site/#/door\"\n"
                                                        "twin = \"Door\"\nfields = [" +
                                                            std::string(k_good_field) + "]\n");
    message = error_of([&] { config.load_file(bad_topic); });
    EXPECT_NE(message.find(bad_topic + ":4"), std::string::npos) << message;
    EXPECT_NE(message.find("mapping \"door\" (#1)"), std::string::npos) << message;
    EXPECT_NE(message.find("site/#/door"), std::string::npos) << message;

    // A twin id using a capture the filter does not have (validate_rule) and a bad pointer.
    const auto bad_twin = write_temp("map-twin.toml", "[[mapping]]\nname = \"rooms\"\ntopic = \"rooms/{room}\"\n"
                                                      "twin = \"{site}\"\nfields = [" +
                                                          std::string(k_good_field) + "]\n");
    message = error_of([&] { config.load_file(bad_twin); });
    EXPECT_NE(message.find("{site}"), std::string::npos) << message;
    const auto bad_pointer = write_temp("map-pointer.toml", mapping_with("base = \"remote_data\"", k_good_field));
    message = error_of([&] { config.load_file(bad_pointer); });
    EXPECT_NE(message.find(bad_pointer + ":5"), std::string::npos) << message;
    EXPECT_NE(message.find("not a JSON pointer"), std::string::npos) << message;

    // Mappings come from the file only, and a failed load leaves none behind.
    EXPECT_NE(error_of([&] { config.apply_override("mapping.rooms.topic=x"); }).find("config file"), std::string::npos);
    EXPECT_TRUE(config.mappings().empty());
}

namespace {

constexpr const char* k_combined = R"({
  "local_data": {"door_timestamp": "2026-11-24T21:26:15.500Z", "angle": -42.5, "gyro": 70.25, "magnet": 0},
  "remote_data": {
    "device_1": {"temperature": 21.5, "humidity": 40.1, "light": 310, "motion": 1, "co2": 612,
                 "timestamp": "2026-11-24T21:26:13.120Z"},
    "device_2": {"temperature": 19.0, "humidity": 45.0, "light": 80.5, "motion": false, "co2": 480,
                 "timestamp": "0000-00-00T00:00:00.000Z"}
  }
})";

constexpr const char* k_room_node =
    R"({"temperature": 22.25, "humidity": 38, "light": 12.5, "co2": 2100, "motion": 0,
        "timestamp": "2026-11-24T21:26:14.000Z"})";

/// An update as text, so that a mismatch prints readably.
std::string describe(const dtwin::ingest::TwinUpdate& update) {
    std::string text = update.twin_id + " by " + update.rule + " at " + dtwin::core::format_time(update.source_time) +
                       " replaced=" + std::string(dtwin::ingest::timestamp_replacement_name(update.timestamp_replaced));
    for (const auto& property : update.properties) {
        text += " " + property.name + "=" + boost::json::serialize(property.value);
    }
    return text;
}

std::vector<std::string> describe_all(const dtwin::ingest::MappingResult& result) {
    std::vector<std::string> out;
    for (const auto& update : result.updates) {
        out.push_back(describe(update));
    }
    return out;
}

} // namespace

TEST(Config, ExampleMappingMapsLikeThePrototypeRules) {
    Config config;
    config.load_file(std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml");
    const auto& loaded = config.mappings();
    const auto built_in = dtwin::ingest::prototype_rules();
    ASSERT_EQ(loaded.size(), built_in.size());

    const auto received = dtwin::core::parse_time("2026-11-24T21:26:16.000Z").value();
    const struct {
        const char* topic;
        const char* payload;
        std::size_t updates;
    } messages[] = {{"door", k_combined, 3}, {"rooms/Room1", k_room_node, 1}, {"rooms/Room2", k_room_node, 1}};
    for (const auto& message : messages) {
        const auto from_file =
            dtwin::ingest::map_message(loaded, message.topic, message.payload, received, config.time_options());
        const auto from_code = dtwin::ingest::map_message(built_in, message.topic, message.payload, received);
        EXPECT_TRUE(from_file.rejections.empty()) << message.topic;
        EXPECT_EQ(from_file.updates.size(), message.updates) << message.topic;
        EXPECT_EQ(describe_all(from_file), describe_all(from_code)) << message.topic;
    }
}
