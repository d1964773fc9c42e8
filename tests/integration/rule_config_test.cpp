// The `[[rule]]` tables of the configuration: the example's prototype rules, what
// `dtwin config show` lists, every mistake rejected with file, line, rule and key, and
// the check of model rules against the DTDL models.
#include "app/config.hpp"
#include "app/rule_config.hpp"
#include "core/query/expression.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <variant>
#include <vector>

using dtwin::app::Config;
using dtwin::app::ConfigError;
using dtwin::engine::RuleDefinition;
using dtwin::engine::Severity;

namespace {

constexpr const char* k_door_model = "dtmi:dtwin:example:Door;1";
constexpr const char* k_room_model = "dtmi:dtwin:example:Room;1";

std::string write_temp(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("dtwin-rule-config-test-" + name);
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

std::string shown(const Config& config, const std::string& key) {
    const auto entries = config.entries();
    const auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
    return it == entries.end() ? "(absent)" : it->second;
}

Config load_example() {
    Config config;
    config.load_file(std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml");
    return config;
}

/// A model with these properties and relationships.
dtwin::core::InterfacePtr model(const std::string& id, const std::vector<std::string>& properties,
                                const std::vector<std::string>& relationships = {}) {
    auto interface = std::make_shared<dtwin::core::Interface>();
    interface->id = id;
    for (const auto& name : properties) {
        dtwin::core::PropertyDef property;
        property.name = name;
        interface->properties.emplace(name, property);
    }
    for (const auto& name : relationships) {
        dtwin::core::RelationshipDef relationship;
        relationship.name = name;
        interface->relationships.emplace(name, relationship);
    }
    return interface;
}

dtwin::core::ModelRegistry prototype_models() {
    dtwin::core::ModelRegistry models;
    EXPECT_TRUE(models.add(model(
        k_door_model, {"angle", "gyro", "magnet", "doorTimestamp", "doorState", "slammedAnomaly", "conflictAnomaly"},
        {"connects"})));
    EXPECT_TRUE(models.add(model(k_room_model, {"temperature", "humidity", "light", "co2", "motion", "roomTimestamp",
                                                "occupancy", "airQualityState"})));
    return models;
}

} // namespace

TEST(RuleConfig, ExampleGivesThePrototypesFourRulesAndThreeSensorFaultRules) {
    const auto config = load_example();
    const auto& rules = config.rules();
    ASSERT_EQ(rules.size(), 7U);

    const auto& slam = rules[0];
    EXPECT_EQ(slam.name, "door-slammed");
    EXPECT_EQ(slam.selector.model, k_door_model);
    ASSERT_NE(slam.condition, nullptr);
    EXPECT_EQ(dtwin::core::query::to_string(*slam.condition), "(ABS(gyro) > 65)");
    EXPECT_FALSE(slam.detector.has_value());
    EXPECT_EQ(slam.severity, Severity::warning);
    EXPECT_EQ(slam.set_properties.at("slammedAnomaly").as_string(), "slammed");
    EXPECT_EQ(slam.reset_properties.at("slammedAnomaly").as_string(), "none");
    EXPECT_TRUE(slam.raise_alert);
    EXPECT_FALSE(slam.notify_resolved);
    EXPECT_EQ(slam.for_duration.count(), 0);

    const auto& conflict = rules[1];
    EXPECT_EQ(conflict.name, "door-sensor-conflict");
    ASSERT_NE(conflict.condition, nullptr);
    EXPECT_EQ(dtwin::core::query::to_string(*conflict.condition),
              "(((magnet = TRUE) AND (ABS(angle) > 5)) OR ((magnet = FALSE) AND (ABS(angle) <= 1)))");
    EXPECT_EQ(conflict.set_properties.at("conflictAnomaly").as_string(), "conflict");
    EXPECT_EQ(conflict.reset_properties.at("conflictAnomaly").as_string(), "none");

    const auto& co2 = rules[2];
    EXPECT_EQ(co2.name, "co2-too-high");
    EXPECT_EQ(co2.selector.model, k_room_model);
    EXPECT_EQ(co2.condition_text, "co2 > 2000");
    EXPECT_EQ(co2.set_properties.at("airQualityState").as_string(), "too_high");
    EXPECT_EQ(co2.reset_properties.at("airQualityState").as_string(), "normal");

    const auto& spike = rules[3];
    EXPECT_EQ(spike.name, "co2-spike");
    EXPECT_EQ(spike.condition, nullptr);
    ASSERT_TRUE(spike.detector.has_value());
    const auto* detector = std::get_if<dtwin::engine::SpikeAndDipCondition>(&*spike.detector);
    ASSERT_NE(detector, nullptr);
    EXPECT_EQ(detector->property, "co2");
    EXPECT_EQ(detector->parameters.confidence, 99.0);
    EXPECT_EQ(detector->parameters.history_size, 120U);
    EXPECT_EQ(detector->parameters.window, std::chrono::seconds{1000});
    EXPECT_TRUE(spike.set_properties.empty());
    EXPECT_TRUE(spike.raise_alert);

    // Sensor faults: the MH-Z19's range, a stuck HTU21DF, a silent node.
    const auto* range = std::get_if<dtwin::engine::RangeCondition>(&*rules[4].detector);
    ASSERT_NE(range, nullptr);
    EXPECT_EQ(rules[4].name, "co2-out-of-range");
    EXPECT_EQ(range->parameters.min, 0.0);
    EXPECT_EQ(range->parameters.max, 5000.0);
    const auto* stuck = std::get_if<dtwin::engine::StuckSensorCondition>(&*rules[5].detector);
    ASSERT_NE(stuck, nullptr);
    EXPECT_EQ(stuck->property, "temperature");
    EXPECT_EQ(stuck->parameters.min_samples, 120U);
    const auto* silent = std::get_if<dtwin::engine::NoDataCondition>(&*rules[6].detector);
    ASSERT_NE(silent, nullptr);
    EXPECT_EQ(silent->parameters.timeout, std::chrono::seconds{60});

    // The engine gets the same rules.
    EXPECT_EQ(config.engine_options().rules.size(), 7U);

    // And they name only properties of the prototype's models.
    const auto models = prototype_models();
    const auto checked = dtwin::app::check_rules_against_models(rules, models);
    EXPECT_TRUE(checked) << checked.error().to_string();
}

TEST(RuleConfig, ConfigShowListsEveryKeyOfEveryRule) {
    const auto config = load_example();
    EXPECT_EQ(shown(config, "rule.door-slammed.model"), k_door_model);
    EXPECT_EQ(shown(config, "rule.door-slammed.condition"), "ABS(gyro) > 65");
    EXPECT_EQ(shown(config, "rule.door-slammed.set.slammedAnomaly"), "\"slammed\"");
    EXPECT_EQ(shown(config, "rule.door-slammed.reset.slammedAnomaly"), "\"none\"");
    EXPECT_EQ(shown(config, "rule.door-slammed.severity"), "warning");
    EXPECT_EQ(shown(config, "rule.door-slammed.for_ms"), "0");
    EXPECT_EQ(shown(config, "rule.door-slammed.alert"), "true");
    EXPECT_EQ(shown(config, "rule.door-slammed.notify_resolved"), "false");
    EXPECT_EQ(shown(config, "rule.door-slammed.repeat_ms"), "(absent)");
    EXPECT_EQ(shown(config, "rule.co2-spike.detector.kind"), "spike_and_dip");
    EXPECT_EQ(shown(config, "rule.co2-spike.detector.property"), "co2");
    EXPECT_EQ(shown(config, "rule.co2-spike.detector.window_ms"), "1000000");
    EXPECT_EQ(shown(config, "rule.co2-spike.detector.mode"), "spikesanddips");
    EXPECT_EQ(shown(config, "rule.co2-spike.condition"), "(absent)");
}

TEST(RuleConfig, ThresholdTakesADirectionAndABandOrOneThreshold) {
    Config config;
    config.load_file(write_temp("threshold.toml",
                                "[[rule]]\nname = \"band\"\nmodel = \"dtmi:x:Room;1\"\n"
                                "detector = { kind = \"threshold\", property = \"co2\", direction = \"above\", "
                                "high = 1400, low = 1000 }\n"
                                "[[rule]]\nname = \"one\"\ntwin = \"Door\"\n"
                                "detector = { kind = \"threshold\", property = \"gyro\", high = 65 }\n"));
    const auto& rules = config.rules();
    ASSERT_EQ(rules.size(), 2U);
    const auto& band = std::get<dtwin::engine::ThresholdCondition>(*rules[0].detector);
    EXPECT_EQ(band.parameters.direction, dtwin::core::detectors::ThresholdDirection::above);
    EXPECT_EQ(band.parameters.high, 1400.0);
    EXPECT_EQ(band.parameters.low, 1000.0);
    const auto& one = std::get<dtwin::engine::ThresholdCondition>(*rules[1].detector);
    EXPECT_EQ(one.parameters.direction, dtwin::core::detectors::ThresholdDirection::absolute); // the default
    EXPECT_EQ(one.parameters.low, 65.0);
    const auto entries = config.entries();
    const auto shown = [&](const std::string& key) {
        const auto it = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
        return it == entries.end() ? std::string("(absent)") : it->second;
    };
    EXPECT_EQ(shown("rule.band.detector.kind"), "threshold");
    EXPECT_EQ(shown("rule.band.detector.direction"), "above");
    EXPECT_EQ(shown("rule.one.detector.direction"), "abs");
}

TEST(RuleConfig, OmittedKeysTakeTheirDefaults) {
    Config config;
    config.load_file(write_temp("defaults.toml", "[[rule]]\nname = \"r\"\ntwin = \"Room1\"\n"
                                                 "condition = \"temperature > 30\"\n"
                                                 "[[rule]]\nname = \"silent\"\nmodel = \"dtmi:x:Room;1\"\n"
                                                 "detector = { kind = \"no_data\", property = \"co2\" }\n"
                                                 "[[rule]]\nname = \"near\"\ntwin = \"Room1\"\n"
                                                 "related = { door = \"incoming:connects\" }\n"
                                                 "condition = \"door.doorState = 'open' AND motion\"\n"
                                                 "for_ms = 5000\nrepeat_ms = 60000\nseverity = \"critical\"\n"
                                                 "notify_resolved = true\n"));
    const auto& rules = config.rules();
    ASSERT_EQ(rules.size(), 3U);
    EXPECT_EQ(rules[0].message, "{rule} on {twin}");
    EXPECT_EQ(rules[0].severity, Severity::warning);
    EXPECT_TRUE(rules[0].raise_alert);
    EXPECT_FALSE(rules[0].repeat_interval.has_value());
    const auto& silent = std::get<dtwin::engine::NoDataCondition>(*rules[1].detector);
    EXPECT_EQ(silent.parameters.timeout, std::chrono::seconds{15});
    EXPECT_EQ(rules[2].related.at("door"), "incoming:connects");
    EXPECT_EQ(rules[2].for_duration, std::chrono::seconds{5});
    EXPECT_EQ(rules[2].repeat_interval, std::chrono::minutes{1});
    EXPECT_EQ(rules[2].severity, Severity::critical);
    EXPECT_TRUE(rules[2].notify_resolved);
}

/// One mistake: the rule text (after a first comment line, so errors are on line >= 2),
/// the line the error must name and what else it must say.
struct Mistake {
    const char* what;
    std::string toml;
    int line;
    std::vector<std::string> expected;
};

TEST(RuleConfig, EveryMistakeNamesFileLineRuleAndKey) {
    const std::string ok = "name = \"ok\"\nmodel = \"dtmi:x:Door;1\"\ncondition = \"gyro > 65\"\n";
    const std::vector<Mistake> mistakes = {
        {"unknown key",
         "[[rule]]\nname = \"a\"\ntwin = \"Door\"\ncondition = \"gyro > 1\"\nwhen = 3\n",
         6,
         {"rule #1 (a): when: unknown key"}},
        {"name missing", "[[rule]]\ntwin = \"Door\"\ncondition = \"gyro > 1\"\n", 2, {"rule #1: name: is missing"}},
        {"name with spaces",
         "[[rule]]\nname = \"door slam\"\ntwin = \"Door\"\ncondition = \"x\"\n",
         3,
         {"rule #1: name: \"door slam\" is not a rule name"}},
        {"duplicate name",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ncondition = \"x\"\n"
         "[[rule]]\nname = \"a\"\ntwin = \"E\"\ncondition = \"y\"\n",
         7,
         {"rule #2 (a): name: \"a\" is already the name of rule #1"}},
        {"no selector",
         "[[rule]]\nname = \"a\"\ncondition = \"x > 1\"\n",
         2,
         {"rule #1 (a): model: model or twin is missing"}},
        {"both selectors",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\nmodel = \"dtmi:x:D;1\"\ncondition = \"x\"\n",
         4,
         {"rule #1 (a): twin: both model and twin"}},
        {"model not a DTMI",
         "[[rule]]\nname = \"a\"\nmodel = \"Door\"\ncondition = \"x\"\n",
         4,
         {"rule #1 (a): model: \"Door\" is not a DTMI"}},
        {"neither condition nor detector",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\n",
         2,
         {"rule #1 (a): condition: condition or detector is missing"}},
        {"both condition and detector",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ncondition = \"x > 1\"\n"
         "detector = { kind = \"range\", property = \"x\", min = 0, max = 1 }\n",
         6,
         {"rule #1 (a): detector: both condition and detector"}},
        {"condition does not parse",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ncondition = \"ABS(gyro > 65\"\n",
         5,
         {"rule #1 (a): condition 1:14: expected ',' or ')' but found end of input"}},
        {"condition with an unknown function",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ncondition = \"FOO(gyro)\"\n",
         5,
         {"rule #1 (a): condition 1:1:"}},
        {"condition not a string",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ncondition = 65\n",
         5,
         {"rule #1 (a): condition: must be a string"}},
        {"alias not in related",
         "[[rule]]\nname = \"a\"\ntwin = \"Room1\"\nrelated = { door = \"incoming:connects\" }\n"
         "condition = \"motion AND dor.doorState = 'open'\"\n",
         6,
         {"rule #1 (a): condition 1:12: \"dor\" is not an alias of related"}},
        {"related value malformed",
         "[[rule]]\nname = \"a\"\ntwin = \"Room1\"\nrelated = { door = \"connects\" }\ncondition = \"door.x\"\n",
         5,
         {"rule #1 (a): related.door: must be \"incoming:<relationship>\""}},
        {"unknown detector kind",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"spike\", property = \"co2\" }\n",
         5,
         {"rule #1 (a): detector.kind: \"spike\" is not a detector"}},
        {"detector key of another kind",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"range\", property = \"co2\", min = 0, max = 1, "
         "history_size = 5 }\n",
         5,
         {"rule #1 (a): detector.history_size: unknown key (expected one of: kind, property, min, max)"}},
        {"detector without property",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"no_data\" }\n",
         5,
         {"rule #1 (a): detector.property: is missing"}},
        {"detector parameter out of range",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"spike_and_dip\", property = \"co2\", "
         "confidence = 150 }\n",
         5,
         {"rule #1 (a): detector.confidence:"}},
        {"range min above max",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"range\", property = \"co2\", min = 10, "
         "max = 1 }\n",
         5,
         {"rule #1 (a): detector.min: must not exceed max"}},
        {"unknown spike mode",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"spike_and_dip\", property = \"co2\", "
         "mode = \"both\" }\n",
         5,
         {"rule #1 (a): detector.mode: \"both\" is not a mode"}},
        {"threshold without thresholds",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"threshold\", property = \"gyro\" }\n",
         5,
         {"rule #1 (a): detector.high: at least one of high and low is required"}},
        {"threshold with an unknown direction",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"threshold\", property = \"gyro\", "
         "direction = \"up\", high = 5 }\n",
         5,
         {"rule #1 (a): detector.direction: \"up\" is not a direction"}},
        {"threshold band upside down",
         "[[rule]]\nname = \"a\"\ntwin = \"D\"\ndetector = { kind = \"threshold\", property = \"co2\", "
         "direction = \"above\", high = 1000, low = 1200 }\n",
         5,
         {"rule #1 (a): detector."}},
        {"negative for_ms", "[[rule]]\n" + ok + "for_ms = -1\n", 6, {"rule #1 (ok): for_ms: -1 is out of range"}},
        {"for_ms not an integer",
         "[[rule]]\n" + ok + "for_ms = \"5s\"\n",
         6,
         {"rule #1 (ok): for_ms: must be an integer"}},
        {"zero repeat_ms", "[[rule]]\n" + ok + "repeat_ms = 0\n", 6, {"rule #1 (ok): repeat_ms: 0 is out of range"}},
        {"unknown severity",
         "[[rule]]\n" + ok + "severity = \"high\"\n",
         6,
         {"rule #1 (ok): severity: \"high\" is not a severity"}},
        {"set without reset",
         "[[rule]]\n" + ok + "set = { slammedAnomaly = \"slammed\" }\n",
         6,
         {"rule #1 (ok): set.slammedAnomaly: has no value in reset"}},
        {"reset without set",
         "[[rule]]\n" + ok + "set = { a = 1 }\nreset = { a = 0, b = 0 }\n",
         7,
         {"rule #1 (ok): reset.b: is not in set"}},
        {"set value not a scalar",
         "[[rule]]\n" + ok + "set = { a = [1, 2] }\nreset = { a = 0 }\n",
         6,
         {"rule #1 (ok): set.a: must be a string, number or true/false"}},
        {"set not a table",
         "[[rule]]\n" + ok + "set = \"slammed\"\n",
         6,
         {"rule #1 (ok): set: must be an inline table"}},
        {"alert not a bool",
         "[[rule]]\n" + ok + "alert = \"yes\"\n",
         6,
         {"rule #1 (ok): alert: must be true or false"}},
        {"rule that does nothing",
         "[[rule]]\n" + ok + "alert = false\n",
         6,
         {"rule #1 (ok): alert: the rule does nothing"}},
        {"message with an open brace",
         "[[rule]]\n" + ok + "message = \"{twin slammed\"\n",
         6,
         {"rule #1 (ok): message: has a '{' without its '}'"}},
        {"rule not a table array", "rule = \"x\"\n", 2, {"\"rule\" must be an array of tables"}},
    };
    ASSERT_GE(mistakes.size(), 15U);
    for (std::size_t i = 0; i < mistakes.size(); ++i) {
        const auto& mistake = mistakes[i];
        const auto path = write_temp("mistake-" + std::to_string(i) + ".toml",
                                     "# " + std::string(mistake.what) + "\n" + mistake.toml);
        Config config;
        const auto message = error_of([&] { config.load_file(path); });
        EXPECT_EQ(message.rfind(path + ":" + std::to_string(mistake.line) + ": ", 0), 0U)
            << mistake.what << ": " << message;
        for (const auto& part : mistake.expected) {
            EXPECT_NE(message.find(part), std::string::npos) << mistake.what << ": " << message;
        }
        EXPECT_TRUE(config.rules().empty()) << mistake.what << ": the configuration must stay unchanged";
    }
}

TEST(RuleConfig, RulesCannotBeGivenWithSet) {
    Config config;
    EXPECT_NE(error_of([&] { config.apply_override("rule.a.condition=x"); }).find("config file ([[rule]] tables)"),
              std::string::npos);
}

TEST(RuleConfig, ModelCheckNamesTheRuleAndTheUnknownProperty) {
    const auto models = prototype_models();
    const auto check = [&](const std::string& rule_toml) {
        Config config;
        config.load_file(write_temp("model-check.toml", rule_toml));
        const auto result = dtwin::app::check_rules_against_models(config.rules(), models);
        if (result) {
            return std::string("ok");
        }
        // The error starts with the file and the line of the rule's [[rule]] header.
        const std::string text = result.error().to_string();
        const std::string file_line = write_temp("model-check.toml", rule_toml) + ":1: ";
        EXPECT_TRUE(text.starts_with(file_line)) << text;
        return text.starts_with(file_line) ? text.substr(file_line.size()) : text;
    };
    const std::string door = "[[rule]]\nname = \"slam\"\nmodel = \"dtmi:dtwin:example:Door;1\"\n";
    const std::string room = "[[rule]]\nname = \"air\"\nmodel = \"dtmi:dtwin:example:Room;1\"\n";

    EXPECT_EQ(check(door + "condition = \"ABS(gyr) > 65\"\n"),
              "rule slam: condition 1:5: \"gyr\" is not a property of dtmi:dtwin:example:Door;1");
    EXPECT_EQ(check(room + "detector = { kind = \"range\", property = \"co\", min = 0, max = 5000 }\n"),
              "rule air: detector.property: \"co\" is not a property of dtmi:dtwin:example:Room;1");
    EXPECT_EQ(check(door + "condition = \"gyro > 65\"\nset = { slamAnomaly = \"slammed\" }\n"
                           "reset = { slamAnomaly = \"none\" }\n"),
              "rule slam: set.slamAnomaly: \"slamAnomaly\" is not a property of dtmi:dtwin:example:Door;1");
    EXPECT_EQ(check(room + "related = { door = \"incoming:opens\" }\ncondition = \"door.doorState = 'open'\"\n"),
              "rule air: related.door: \"opens\" is not a relationship of any loaded model");
    EXPECT_EQ(check("[[rule]]\nname = \"w\"\nmodel = \"dtmi:x:Window;1\"\ncondition = \"open\"\n"),
              "rule w: model: \"dtmi:x:Window;1\" is not loaded (dtwin model import)");
    // Aliases, $ names and twin rules are not the model's properties to check.
    EXPECT_EQ(check(room + "related = { door = \"incoming:connects\" }\n"
                           "condition = \"door.doorState = 'open' AND $dtId = 'Room1' AND co2 > 1\"\n"),
              "ok");
    EXPECT_EQ(check("[[rule]]\nname = \"t\"\ntwin = \"Room1\"\ncondition = \"anything > 1\"\n"), "ok");
}
