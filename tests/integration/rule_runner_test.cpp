// RuleRunner over the door-and-two-rooms graph: expression rules, their set/reset writes,
// alert transitions, aliases through relationships, for_duration timers, run-time errors
// and message templates. Times are passed in; no engine, no store writes.
#include "core/query/parser.hpp"
#include "engine/rule_runner.hpp"
#include "engine_test_support.hpp"

#include <gtest/gtest.h>

namespace dtwin::engine::testing {
namespace {

using core::alerts::AlertState;
using core::alerts::TransitionReason;

RuleDefinition expression_rule(std::string name, std::string condition) {
    RuleDefinition rule;
    rule.name = std::move(name);
    auto parsed = core::query::parse_expression(condition);
    EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().to_string());
    rule.condition = parsed ? *parsed : nullptr;
    rule.condition_text = std::move(condition);
    return rule;
}

RuleDefinition slam_rule() {
    RuleDefinition rule = expression_rule("slam", "ABS(gyro) > 50");
    rule.selector.model = k_door_model;
    rule.severity = Severity::critical;
    rule.message = "{severity}: {twin} slammed at {gyro} deg/s ({rule}, {missing})";
    rule.set_properties = {{"slammedAnomaly", "slammed"}};
    rule.reset_properties = {{"slammedAnomaly", "none"}};
    return rule;
}

RuleDefinition conflict_rule() {
    RuleDefinition rule = expression_rule("conflict", "magnet = true AND angle > 10");
    rule.selector.twin = "Door";
    rule.set_properties = {{"conflictAnomaly", "conflict"}};
    rule.reset_properties = {{"conflictAnomaly", "none"}};
    return rule;
}

RuleDefinition air_quality_rule() {
    RuleDefinition rule = expression_rule("air", "co2 > 2000");
    rule.selector.twin = "Room1";
    rule.set_properties = {{"airQualityState", "too_high"}};
    rule.reset_properties = {{"airQualityState", "normal"}};
    return rule;
}

class RuleRunnerTest : public EngineTest {
protected:
    /// Writes `values` into `twin` stamped `t`, runs the rules as the engine would, and
    /// applies their writes to the graph.
    std::vector<RuleOutcome> update(const std::string& twin, const json::object& values, TimePoint t) {
        std::map<std::string, json::value> previous;
        json::array patch;
        for (const auto& [name, value] : values) {
            const json::value* old = m_graph->find_twin(twin)->property(name);
            if (old != nullptr) {
                previous[std::string(name)] = *old;
            }
            patch.push_back(json::object{{"op", "add"}, {"path", "/" + std::string(name)}, {"value", value}});
        }
        auto written = m_graph->patch_twin(twin, patch, {.source_time = t});
        EXPECT_TRUE(written.has_value()) << (written ? "" : written.error().to_string());
        std::vector<std::string> changed;
        for (const auto& operation : written ? written->applied : std::vector<core::PatchOperation>{}) {
            changed.push_back(operation.path.substr(1));
        }
        auto outcomes = m_runner.on_twin_updated(*m_graph, twin, changed, previous, t, t);
        apply(outcomes);
        return outcomes;
    }

    std::vector<RuleOutcome> timers(TimePoint now) {
        auto outcomes = m_runner.on_timers(now);
        apply(outcomes);
        return outcomes;
    }

    void apply(const std::vector<RuleOutcome>& outcomes) {
        for (const auto& outcome : outcomes) {
            if (outcome.writes.empty()) {
                continue;
            }
            json::array patch;
            for (const auto& [name, value] : outcome.writes) {
                patch.push_back(json::object{{"op", "add"}, {"path", "/" + std::string(name)}, {"value", value}});
            }
            auto written = m_graph->patch_twin(outcome.twin_id, patch);
            EXPECT_TRUE(written.has_value()) << (written ? "" : written.error().to_string());
        }
    }

    std::vector<RuleDefinition> m_rules;
    RuleRunner m_runner{m_rules};
};

/// The single transition of the single outcome, or a failure.
const core::alerts::AlertTransition& only_transition(const std::vector<RuleOutcome>& outcomes) {
    static const core::alerts::AlertTransition none{};
    EXPECT_EQ(outcomes.size(), 1U);
    if (outcomes.size() != 1 || outcomes.front().transitions.size() != 1) {
        ADD_FAILURE() << "expected exactly one transition";
        return none;
    }
    return outcomes.front().transitions.front();
}

TEST_F(RuleRunnerTest, SlamInBothDirectionsFiresOncePerInstanceAndResets) {
    m_rules = {slam_rule()};

    for (const double gyro : {80.0, -80.0}) {
        const auto base = gyro > 0 ? 1s : 10s;
        const auto fired = update("Door", {{"gyro", gyro}}, at(base));
        const auto& transition = only_transition(fired);
        EXPECT_EQ(transition.to, AlertState::firing);
        EXPECT_TRUE(transition.notify);
        EXPECT_EQ(transition.instance, gyro > 0 ? 1U : 2U);
        EXPECT_EQ(fired.front().writes, (json::object{{"slammedAnomaly", "slammed"}}));
        EXPECT_EQ(property("Door", "slammedAnomaly"), "\"slammed\"");

        // Still slamming: no second notification, no write.
        EXPECT_TRUE(update("Door", {{"gyro", gyro * 1.1}}, at(base + 1s)).empty());

        const auto resolved = update("Door", {{"gyro", 0.0}}, at(base + 2s));
        const auto& end = only_transition(resolved);
        EXPECT_EQ(end.to, AlertState::resolved);
        EXPECT_FALSE(end.notify); // notify_resolved is off
        EXPECT_EQ(resolved.front().writes, (json::object{{"slammedAnomaly", "none"}}));
        EXPECT_EQ(property("Door", "slammedAnomaly"), "\"none\"");
    }
    ASSERT_NE(m_runner.find_tracker("Door", "slam"), nullptr);
    EXPECT_EQ(m_runner.find_tracker("Door", "slam")->instance(), 2U);
    EXPECT_EQ(m_runner.find_tracker("Room1", "slam"), nullptr); // model rule: doors only
}

TEST_F(RuleRunnerTest, MessageTemplateIsRenderedAtFiring) {
    m_rules = {slam_rule()};
    const auto fired = update("Door", {{"gyro", -80.5}}, at(1s));
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired.front().message, "critical: Door slammed at -80.5 deg/s (slam, (undefined))");
    EXPECT_EQ(fired.front().transitions.front().values.at("gyro"), json::value(-80.5));
    // No message on resolve.
    const auto resolved = update("Door", {{"gyro", 0.0}}, at(2s));
    ASSERT_EQ(resolved.size(), 1U);
    EXPECT_EQ(resolved.front().message, "");
}

TEST_F(RuleRunnerTest, ConflictBetweenMagnetAndAngle) {
    m_rules = {conflict_rule()};
    EXPECT_TRUE(update("Door", {{"magnet", true}, {"angle", 2.0}}, at(1s)).empty());
    const auto fired = update("Door", {{"angle", 45.0}}, at(2s));
    EXPECT_EQ(only_transition(fired).to, AlertState::firing);
    EXPECT_EQ(property("Door", "conflictAnomaly"), "\"conflict\"");
    const auto resolved = update("Door", {{"magnet", false}}, at(3s));
    EXPECT_EQ(only_transition(resolved).to, AlertState::resolved);
    EXPECT_EQ(property("Door", "conflictAnomaly"), "\"none\"");
}

TEST_F(RuleRunnerTest, Co2SetsAndResetsAirQualityOfRoom1Only) {
    m_rules = {air_quality_rule()};
    EXPECT_TRUE(update("Room1", {{"co2", 800.0}}, at(1s)).empty());
    EXPECT_TRUE(update("Room2", {{"co2", 2500.0}}, at(1s)).empty()); // twin rule: Room1 only
    EXPECT_EQ(only_transition(update("Room1", {{"co2", 2100.0}}, at(2s))).to, AlertState::firing);
    EXPECT_EQ(property("Room1", "airQualityState"), "\"too_high\"");
    EXPECT_EQ(property("Room2", "airQualityState"), "\"normal\"");
    EXPECT_EQ(only_transition(update("Room1", {{"co2", 1900.0}}, at(3s))).to, AlertState::resolved);
    EXPECT_EQ(property("Room1", "airQualityState"), "\"normal\"");
}

TEST_F(RuleRunnerTest, AliasReadsTheDoorOfTheRoomAndFollowsItsChanges) {
    RuleDefinition rule = expression_rule("stuffy-open", "door.doorState = 'open' AND co2 > 1000");
    rule.selector.model = k_room_model;
    rule.related = {{"door", "incoming:connects"}};
    rule.message = "{twin}: door {door.doorState}, co2 {co2}";
    m_rules = {rule};

    EXPECT_TRUE(update("Room1", {{"co2", 1500.0}}, at(1s)).empty()); // the door is closed
    // The door opens: the rule of every room it connects is evaluated again; Room2 has no co2.
    const auto fired = update("Door", {{"doorState", "open"}}, at(2s));
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired.front().twin_id, "Room1");
    EXPECT_EQ(only_transition(fired).to, AlertState::firing);
    EXPECT_EQ(fired.front().message, "Room1: door open, co2 1500");
    EXPECT_NE(m_runner.find_tracker("Room2", "stuffy-open"), nullptr);
    EXPECT_EQ(m_runner.find_tracker("Door", "stuffy-open"), nullptr);

    const auto resolved = update("Door", {{"doorState", "closed"}}, at(3s));
    ASSERT_EQ(resolved.size(), 1U);
    EXPECT_EQ(only_transition(resolved).to, AlertState::resolved);
}

TEST_F(RuleRunnerTest, PreviousReadsTheValueBeforeTheUpdate) {
    RuleDefinition rule = expression_rule("shut", "PREVIOUS(magnet) = false AND magnet = true");
    rule.selector.twin = "Door";
    m_rules = {rule};
    EXPECT_TRUE(update("Door", {{"magnet", true}}, at(1s)).empty()); // no previous value
    EXPECT_TRUE(update("Door", {{"magnet", false}}, at(2s)).empty());
    EXPECT_EQ(only_transition(update("Door", {{"magnet", true}}, at(3s))).to, AlertState::firing);
    // magnet unchanged: PREVIOUS(magnet) is its current value, so the condition clears.
    EXPECT_EQ(only_transition(update("Door", {{"angle", 0.0}}, at(4s))).to, AlertState::resolved);
}

TEST_F(RuleRunnerTest, ForDurationFiresByTimer) {
    RuleDefinition rule = air_quality_rule();
    rule.for_duration = 10s;
    rule.message = "{twin} co2 {co2} for 10 s";
    m_rules = {rule};

    const auto started = update("Room1", {{"co2", 2500.0}}, at(1s));
    EXPECT_EQ(only_transition(started).to, AlertState::pending);
    EXPECT_TRUE(started.front().writes.empty());
    EXPECT_EQ(m_runner.next_deadline(), at(11s));
    EXPECT_TRUE(timers(at(10s)).empty());
    EXPECT_EQ(property("Room1", "airQualityState"), "\"normal\"");

    const auto fired = timers(at(11s));
    const auto& transition = only_transition(fired);
    EXPECT_EQ(transition.to, AlertState::firing);
    EXPECT_EQ(transition.reason, TransitionReason::fired);
    EXPECT_EQ(fired.front().message, "Room1 co2 2500 for 10 s");
    EXPECT_EQ(property("Room1", "airQualityState"), "\"too_high\"");
    EXPECT_EQ(m_runner.next_deadline(), std::nullopt);
}

TEST_F(RuleRunnerTest, RuntimeErrorIsAnOutcomeNotAnException) {
    RuleDefinition rule = expression_rule("broken", "co2 / 0 > 1");
    rule.selector.model = k_room_model;
    m_rules = {rule, air_quality_rule()};

    std::vector<RuleOutcome> outcomes;
    EXPECT_NO_THROW(outcomes = update("Room1", {{"co2", 2500.0}}, at(1s)));
    ASSERT_EQ(outcomes.size(), 2U);
    ASSERT_TRUE(outcomes[0].error.has_value());
    EXPECT_EQ(outcomes[0].rule, "broken");
    EXPECT_NE(outcomes[0].error->message.find("division by zero"), std::string::npos) << outcomes[0].error->to_string();
    EXPECT_NE(outcomes[0].error->where.find("broken on Room1"), std::string::npos);
    EXPECT_TRUE(outcomes[0].transitions.empty());
    // The other rule still ran.
    EXPECT_FALSE(outcomes[1].error.has_value());
    EXPECT_EQ(property("Room1", "airQualityState"), "\"too_high\"");
}

} // namespace
} // namespace dtwin::engine::testing
