// The engine's part of the configuration: [[derive]] and [[liveness]] tables, the keys
// dtwin serve reads, and Config::engine_options().
#include "app/config.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <string>
#include <vector>

using dtwin::app::Config;
using dtwin::app::ConfigError;
using dtwin::app::DeriveKind;

namespace {

constexpr const char* k_door_model = "dtmi:dtwin:example:Door;1";
constexpr const char* k_room_model = "dtmi:dtwin:example:Room;1";

std::string write_temp(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("dtwin-engine-config-test-" + name);
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

/// The value `config show` gives for `key`, or "(absent)".
std::string shown(const Config& config, const std::string& key) {
    const auto entries = config.entries();
    const auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
    return it == entries.end() ? "(absent)" : it->second;
}

} // namespace

TEST(EngineConfig, ExampleGivesThePrototypesDerivedStateAndLiveness) {
    Config config;
    config.load_file(std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml");
    const auto& rules = config.engine_rules();

    ASSERT_EQ(rules.door_state.size(), 1U);
    const auto& door = rules.door_state[0];
    EXPECT_EQ(door.selector.model, k_door_model);
    EXPECT_TRUE(door.selector.twin.empty());
    EXPECT_EQ(door.angle_property, "angle");
    EXPECT_EQ(door.magnet_property, "magnet");
    EXPECT_EQ(door.target_property, "doorState");
    EXPECT_EQ(door.parameters.closed_max_angle, 5.0);
    EXPECT_EQ(door.parameters.open_min_angle, 30.0);

    ASSERT_EQ(rules.occupancy.size(), 2U);
    const auto& hallway = rules.occupancy[0];
    EXPECT_EQ(hallway.selector.model, k_room_model);
    EXPECT_FALSE(hallway.parameters.enclosed);
    EXPECT_EQ(hallway.parameters.short_timeout, std::chrono::seconds{10});
    EXPECT_EQ(hallway.target_property, "occupancy");
    EXPECT_EQ(hallway.motion_property, "motion");
    const auto& room1 = rules.occupancy[1];
    EXPECT_EQ(room1.selector.twin, "Room1");
    EXPECT_TRUE(room1.selector.model.empty());
    EXPECT_TRUE(room1.parameters.enclosed);
    EXPECT_EQ(room1.parameters.short_timeout, std::chrono::seconds{10});
    EXPECT_EQ(room1.parameters.shut_in_timeout, std::chrono::seconds{30});
    EXPECT_EQ(room1.door_relationship, "connects");
    EXPECT_EQ(rules.derive_order,
              (std::vector<DeriveKind>{DeriveKind::door_state, DeriveKind::occupancy, DeriveKind::occupancy}));

    ASSERT_EQ(rules.liveness.size(), 2U);
    EXPECT_EQ(rules.liveness[0].selector.model, k_room_model);
    EXPECT_EQ(rules.liveness[0].silent_after, std::chrono::milliseconds{15000});
    EXPECT_EQ(rules.liveness[0].status_topic, "rooms/{twin}/status");
    EXPECT_EQ(rules.liveness[1].selector.twin, "Door");
    EXPECT_EQ(rules.liveness[1].silent_after, std::chrono::milliseconds{5000});
    EXPECT_TRUE(rules.liveness[1].status_topic.empty());

    // engine_options() hands the same rules to the engine, with the mappings and limits.
    const auto options = config.engine_options();
    EXPECT_EQ(options.mappings.size(), config.mappings().size());
    EXPECT_EQ(options.time_options.max_skew, config.time_options().max_skew);
    EXPECT_EQ(options.ingest_limits.max_payload_bytes, config.ingest_limits().max_payload_bytes);
    ASSERT_EQ(options.occupancy_rules.size(), 2U);
    EXPECT_EQ(options.occupancy_rules[1].selector.twin, "Room1");
    ASSERT_EQ(options.liveness_rules.size(), 2U);
    EXPECT_EQ(options.liveness_rules[0].status_topic, "rooms/{twin}/status");
    EXPECT_EQ(options.door_state_rules.size(), 1U);
    EXPECT_FALSE(options.history_retention.has_value());

    // `dtwin config show` numbers the rules as in the file, defaults filled in.
    EXPECT_EQ(shown(config, "derive.1.kind"), "door_state");
    EXPECT_EQ(shown(config, "derive.1.model"), k_door_model);
    EXPECT_EQ(shown(config, "derive.1.closed_max_angle"), "5");
    EXPECT_EQ(shown(config, "derive.3.twin"), "Room1");
    EXPECT_EQ(shown(config, "derive.3.shut_in_timeout_ms"), "30000");
    EXPECT_EQ(shown(config, "derive.3.target"), "occupancy");
    EXPECT_EQ(shown(config, "liveness.1.status_topic"), "rooms/{twin}/status");
    EXPECT_EQ(shown(config, "liveness.2.twin"), "Door");
    EXPECT_EQ(shown(config, "liveness.2.silent_after_ms"), "5000");
    EXPECT_EQ(shown(config, "liveness.2.model"), "(absent)");
}

TEST(EngineConfig, OmittedKeysTakeTheirDefaults) {
    Config config;
    config.load_file(write_temp("defaults.toml", "[[derive]]\nkind = \"door_state\"\ntwin = \"Door\"\n"
                                                 "[[derive]]\nkind = \"occupancy\"\nmodel = \"dtmi:x:Hall;1\"\n"
                                                 "[[derive]]\nkind = \"occupancy\"\ntwin = \"Store\"\n"
                                                 "door_relationship = \"\"\nshort_timeout_ms = 0\n"
                                                 "[[derive]]\nkind = \"door_state\"\nmodel = \"dtmi:x:Door;1\"\n"
                                                 "closed_max_angle = 2\nopen_min_angle = 45.5\n"
                                                 "[[liveness]]\ntwin = \"Door\"\nsilent_after_ms = 1\n"));
    const auto& rules = config.engine_rules();
    ASSERT_EQ(rules.door_state.size(), 2U);
    EXPECT_EQ(rules.door_state[0].selector.twin, "Door");
    EXPECT_EQ(rules.door_state[0].target_property, "doorState");
    EXPECT_EQ(rules.door_state[0].parameters.closed_max_angle, 5.0);
    EXPECT_EQ(rules.door_state[0].parameters.open_min_angle, 30.0);
    // Integers are accepted for the angles.
    EXPECT_EQ(rules.door_state[1].parameters.closed_max_angle, 2.0);
    EXPECT_EQ(rules.door_state[1].parameters.open_min_angle, 45.5);
    ASSERT_EQ(rules.occupancy.size(), 2U);
    EXPECT_EQ(rules.occupancy[0].door_relationship, "connects");
    EXPECT_FALSE(rules.occupancy[0].parameters.enclosed);
    EXPECT_EQ(rules.occupancy[0].parameters.short_timeout, std::chrono::seconds{10});
    EXPECT_EQ(rules.occupancy[0].parameters.shut_in_timeout, std::chrono::seconds{30});
    EXPECT_EQ(rules.occupancy[1].door_relationship, "");
    EXPECT_EQ(rules.occupancy[1].parameters.short_timeout, std::chrono::microseconds{0});
    ASSERT_EQ(rules.liveness.size(), 1U);
    EXPECT_EQ(rules.liveness[0].silent_after, std::chrono::milliseconds{1});
    EXPECT_EQ(rules.liveness[0].status_topic, "");
    // File order: the fourth derive table is the second door_state rule.
    EXPECT_EQ(shown(config, "derive.4.model"), "dtmi:x:Door;1");
    EXPECT_EQ(shown(config, "derive.4.open_min_angle"), "45.5");
    EXPECT_EQ(shown(config, "derive.2.kind"), "occupancy");
    EXPECT_EQ(shown(config, "derive.3.door_relationship"), "");
}

namespace {

/// One mistake in a rule table: the file, the line the message must name and the words
/// (rule and key) it must contain.
struct BadRule {
    const char* name;
    const char* toml;
    int line;
    std::vector<std::string> words;
};

const BadRule k_bad_rules[] = {
    {"unknown key",
     "[[derive]]\nkind = \"door_state\"\nmodel = \"dtmi:x:Door;1\"\nangel = \"a\"\n",
     4,
     {"derive #1", "unknown key \"angel\"", "closed_max_angle"}},
    {"unknown liveness key",
     "[[liveness]]\ntwin = \"Door\"\nsilent_after_ms = 5\nstatus = \"x\"\n",
     4,
     {"liveness #1", "unknown key \"status\"", "status_topic"}},
    {"both model and twin",
     "[[derive]]\nkind = \"occupancy\"\nmodel = \"dtmi:x:Room;1\"\ntwin = \"Room1\"\n",
     4,
     {"derive #1", "both model and twin"}},
    {"neither model nor twin",
     "[[derive]]\nkind = \"door_state\"\n[[derive]]\nkind = \"occupancy\"\n",
     1,
     {"derive #1", "model or twin is missing"}},
    {"liveness without selector",
     "\n[[liveness]]\nsilent_after_ms = 5\n",
     2,
     {"liveness #1", "model or twin is missing"}},
    {"model not a DTMI",
     "[[liveness]]\nmodel = \"Room\"\nsilent_after_ms = 5\n",
     2,
     {"liveness #1", "model = \"Room\" is not a DTMI"}},
    {"empty twin", "[[liveness]]\ntwin = \"\"\nsilent_after_ms = 5\n", 2, {"liveness #1", "twin must not be empty"}},
    {"door_state key in an occupancy rule",
     "[[derive]]\nkind = \"door_state\"\ntwin = \"Door\"\n[[derive]]\nkind = \"occupancy\"\ntwin = \"Room1\"\n"
     "closed_max_angle = 5.0\n",
     7,
     {"derive #2", "closed_max_angle is a door_state key, this is an occupancy rule"}},
    {"occupancy key in a door_state rule",
     "[[derive]]\nkind = \"door_state\"\ntwin = \"Door\"\nenclosed = true\n",
     4,
     {"derive #1", "enclosed is an occupancy key, this is a door_state rule"}},
    {"bad kind",
     "[[derive]]\nkind = \"door\"\ntwin = \"Door\"\n",
     2,
     {"derive #1", "kind = \"door\" is not a derive kind", "door_state, occupancy"}},
    {"missing kind", "[[derive]]\ntwin = \"Door\"\n", 1, {"derive #1", "\"kind\" is missing"}},
    {"negative timeout",
     "[[derive]]\nkind = \"occupancy\"\ntwin = \"Room1\"\nshort_timeout_ms = -1\n",
     4,
     {"derive #1", "short_timeout_ms = -1 is too small"}},
    {"negative shut-in timeout",
     "[[derive]]\nkind = \"occupancy\"\ntwin = \"Room1\"\nshut_in_timeout_ms = -5\n",
     4,
     {"derive #1", "shut_in_timeout_ms = -5 is too small"}},
    {"timeout not an integer",
     "[[derive]]\nkind = \"occupancy\"\ntwin = \"Room1\"\nshort_timeout_ms = 1.5\n",
     4,
     {"derive #1", "short_timeout_ms must be an integer"}},
    {"shut-in shorter than short",
     "[[derive]]\nkind = \"occupancy\"\ntwin = \"Room1\"\nshort_timeout_ms = 20000\nshut_in_timeout_ms = 15000\n",
     5,
     {"derive #1", "shut_in_timeout_ms (15000) must not be less than short_timeout_ms (20000)"}},
    {"short longer than the default shut-in",
     "[[derive]]\nkind = \"occupancy\"\ntwin = \"Room1\"\nshort_timeout_ms = 40000\n",
     4,
     {"derive #1", "shut_in_timeout_ms (30000, the default) must not be less than short_timeout_ms (40000)"}},
    {"negative angle",
     "[[derive]]\nkind = \"door_state\"\ntwin = \"Door\"\nopen_min_angle = -3\n",
     4,
     {"derive #1", "open_min_angle must be a finite number of degrees >= 0"}},
    {"infinite angle",
     "[[derive]]\nkind = \"door_state\"\ntwin = \"Door\"\nclosed_max_angle = inf\n",
     4,
     {"derive #1", "closed_max_angle must be a finite number"}},
    {"bad property name",
     "[[derive]]\nkind = \"door_state\"\ntwin = \"Door\"\ntarget = \"door state\"\n",
     4,
     {"derive #1", "target = \"door state\" is not a DTDL name"}},
    {"enclosed not a boolean",
     "[[derive]]\nkind = \"occupancy\"\ntwin = \"Room1\"\nenclosed = \"yes\"\n",
     4,
     {"derive #1", "enclosed must be true or false"}},
    {"invalid status topic",
     "[[liveness]]\ntwin = \"Door\"\nsilent_after_ms = 5\nstatus_topic = \"door/#/status\"\n",
     4,
     {"liveness #1", "status_topic \"door/#/status\""}},
    {"capture other than twin",
     "[[liveness]]\nmodel = \"dtmi:x:Room;1\"\nsilent_after_ms = 5\nstatus_topic = \"rooms/{room}/status\"\n",
     4,
     {"liveness #1", "status_topic \"rooms/{room}/status\": capture {room} is not allowed"}},
    {"model rule without twin capture",
     "[[liveness]]\nmodel = \"dtmi:x:Room;1\"\nsilent_after_ms = 5\nstatus_topic = \"rooms/+/status\"\n",
     4,
     {"liveness #1", "status_topic \"rooms/+/status\" must capture {twin} in a model rule"}},
    {"silent_after_ms zero",
     "[[liveness]]\ntwin = \"Door\"\nsilent_after_ms = 0\n",
     3,
     {"liveness #1", "silent_after_ms = 0 is too small (the least allowed is 1)"}},
    {"silent_after_ms missing",
     "[[liveness]]\ntwin = \"Door\"\n",
     1,
     {"liveness #1", "\"silent_after_ms\" is missing"}},
    {"duplicate derive model",
     "[[derive]]\nkind = \"occupancy\"\nmodel = \"dtmi:x:Room;1\"\n[[derive]]\nkind = \"door_state\"\n"
     "model = \"dtmi:x:Room;1\"\n[[derive]]\nkind = \"occupancy\"\nmodel = \"dtmi:x:Room;1\"\n",
     9,
     {"derive #3", "derive #1 is already an occupancy rule for model \"dtmi:x:Room;1\""}},
    {"duplicate liveness twin",
     "[[liveness]]\ntwin = \"Door\"\nsilent_after_ms = 5\n[[liveness]]\nsilent_after_ms = 6\ntwin = \"Door\"\n",
     6,
     {"liveness #2", "liveness #1 is already a liveness rule for twin \"Door\""}},
    {"derive not an array of tables", "\nderive = \"door_state\"\n", 2, {"\"derive\" must be an array of tables"}},
};

} // namespace

TEST(EngineConfig, EveryMistakeNamesFileLineRuleAndKey) {
    for (const auto& bad : k_bad_rules) {
        Config config;
        const auto path = write_temp("bad.toml", bad.toml);
        const auto message = error_of([&] { config.load_file(path); });
        EXPECT_NE(message.find(path + ":" + std::to_string(bad.line) + ":"), std::string::npos)
            << bad.name << ": " << message;
        for (const auto& word : bad.words) {
            EXPECT_NE(message.find(word), std::string::npos) << bad.name << ": \"" << word << "\" in " << message;
        }
    }
}

TEST(EngineConfig, FailedLoadKeepsTheRulesBefore) {
    Config config;
    config.load_file(std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml");
    const auto bad = write_temp("bad-after-good.toml", "[history]\nretention_days = 3\n[[liveness]]\ntwin = \"X\"\n");
    EXPECT_NE(error_of([&] { config.load_file(bad); }).find("silent_after_ms"), std::string::npos);
    EXPECT_EQ(config.engine_rules().occupancy.size(), 2U);
    EXPECT_EQ(config.engine_rules().liveness.size(), 2U);
    EXPECT_EQ(config.get_integer("history.retention_days"), 0);

    // The rules come from the file only.
    EXPECT_NE(error_of([&] { config.apply_override("derive.1.kind=occupancy"); }).find("config file ([[derive]]"),
              std::string::npos);
    EXPECT_NE(error_of([&] { config.apply_override("liveness=x"); }).find("config file ([[liveness]]"),
              std::string::npos);
}

TEST(EngineConfig, RetentionDaysBecomeHoursAndZeroKeepsEverything) {
    Config config;
    EXPECT_EQ(config.get_integer("history.retention_days"), 0);
    EXPECT_FALSE(config.engine_options().history_retention.has_value());
    config.load_file(write_temp("retention.toml", "[history]\nretention_days = 30\n"));
    ASSERT_TRUE(config.engine_options().history_retention.has_value());
    EXPECT_EQ(*config.engine_options().history_retention, std::chrono::hours{30 * 24});
    config.apply_override("history.retention_days=0");
    EXPECT_FALSE(config.engine_options().history_retention.has_value());
    const auto negative = write_temp("retention-negative.toml", "[history]\n\nretention_days = -1\n");
    const auto message = error_of([&] { config.load_file(negative); });
    EXPECT_NE(message.find(negative + ":3"), std::string::npos) << message;
    EXPECT_NE(message.find("history.retention_days"), std::string::npos) << message;
}

TEST(EngineConfig, ServeKeysHaveTheirDefaultsAndMinimums) {
    Config config;
    EXPECT_EQ(config.get_string("mqtt.client_id"), "dtwin-serve");
    EXPECT_EQ(config.get_string("mqtt.username"), "");
    EXPECT_EQ(config.get_string("mqtt.password"), "");
    EXPECT_EQ(config.get_string("mqtt.tls_ca_file"), "");
    EXPECT_EQ(config.get_string("mqtt.tls_cert_file"), "");
    EXPECT_EQ(config.get_string("mqtt.tls_key_file"), "");
    EXPECT_EQ(config.get_integer("mqtt.keepalive_s"), 30);
    EXPECT_TRUE(config.get_bool("serve.publish_events"));
    EXPECT_EQ(config.get_integer("serve.stats_interval_ms"), 10000);
    EXPECT_NE(error_of([&] { config.apply_override("mqtt.keepalive_s=4"); }).find("the least allowed is 5"),
              std::string::npos);
    EXPECT_NE(error_of([&] { config.apply_override("serve.stats_interval_ms=99"); }).find("the least allowed is 100"),
              std::string::npos);
    config.load_file(write_temp("serve.toml", "[mqtt]\nurl = \"mqtts://broker:8883\"\nclient_id = \"dtwin-2\"\n"
                                              "keepalive_s = 5\ntls_ca_file = \"/etc/ca.pem\"\n"
                                              "[serve]\npublish_events = false\nstats_interval_ms = 100\n"));
    EXPECT_EQ(config.get_string("mqtt.client_id"), "dtwin-2");
    EXPECT_EQ(config.get_integer("mqtt.keepalive_s"), 5);
    EXPECT_EQ(config.get_string("mqtt.tls_ca_file"), "/etc/ca.pem");
    EXPECT_FALSE(config.get_bool("serve.publish_events"));
    EXPECT_EQ(config.get_integer("serve.stats_interval_ms"), 100);

    // `config show` does not print the password.
    EXPECT_EQ(shown(config, "mqtt.password"), "");
    config.apply_override("mqtt.password=s3cret");
    EXPECT_EQ(config.get_string("mqtt.password"), "s3cret");
    EXPECT_EQ(shown(config, "mqtt.password"), "********");
}
