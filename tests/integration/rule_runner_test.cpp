// RuleRunner over the door-and-two-rooms graph: expression rules, their set/reset writes,
// alert transitions, aliases through relationships, for_duration timers, run-time errors
// and message templates; detector rules (stuck sensor, range, spike and dip, rate of
// change, no data); restore, acknowledge and silences. Times are passed in; no engine, no
// store writes.
#include "core/query/parser.hpp"
#include "engine/rule_runner.hpp"
#include "engine_test_support.hpp"

#include <algorithm>
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

/// A detector rule on every Room (or, for a Door property, every Door).
RuleDefinition detector_rule(std::string name, DetectorCondition detector, std::string message = {}) {
    RuleDefinition rule;
    rule.name = std::move(name);
    const std::string& property = std::visit([](const auto& d) -> const std::string& { return d.property; }, detector);
    rule.selector.model =
        property == "angle" || property == "gyro" || property == "doorState" ? k_door_model : k_room_model;
    rule.detector = std::move(detector);
    rule.message = std::move(message);
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
        // Every property the sample wrote, a repeat of the stored value included (detectors
        // count repeats: RuleRunner::on_twin_updated); not the ones that were stale.
        std::vector<std::string> changed;
        for (const auto& [name, value] : values) {
            const std::string path = "/" + std::string(name);
            if (written && std::ranges::none_of(written->stale, [&](const auto& s) { return s.path == path; })) {
                changed.emplace_back(name);
            }
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

// ---- detector rules -------------------------------------------------------------------

TEST_F(RuleRunnerTest, StuckSensorFiresOnTheNthFlatSampleAndClearsOnChange) {
    m_rules = {detector_rule("temperature-stuck",
                             StuckSensorCondition{"temperature", {.min_samples = 5, .epsilon = 0.0}},
                             "Temperature sensor of {twin} stuck at {temperature} degC")};

    for (int i = 1; i <= 4; ++i) {
        // Room2's sensor is flat too, but for 4 samples only: each twin has its own run.
        EXPECT_TRUE(update("Room1", {{"temperature", 21.5}}, at(std::chrono::seconds(5 * i))).empty())
            << "sample " << i;
        EXPECT_TRUE(update("Room2", {{"temperature", 19.0}}, at(std::chrono::seconds(5 * i))).empty())
            << "sample " << i;
    }
    const auto fired = update("Room1", {{"temperature", 21.5}}, at(25s)); // the 5th flat sample
    const auto& transition = only_transition(fired);
    EXPECT_EQ(transition.to, AlertState::firing);
    EXPECT_TRUE(transition.notify);
    EXPECT_EQ(transition.event_time, at(25s));
    EXPECT_EQ(transition.values.at("temperature"), json::value(21.5));
    EXPECT_EQ(transition.values.at("run_length"), json::value(5));
    EXPECT_EQ(transition.values.at("stuck_since"), json::value(core::format_time(at(5s))));
    EXPECT_EQ(fired.front().message, "Temperature sensor of Room1 stuck at 21.5 degC");

    EXPECT_TRUE(update("Room1", {{"temperature", 21.5}}, at(30s)).empty()); // still stuck: no second alert
    const auto resolved = update("Room1", {{"temperature", 21.51}}, at(35s));
    EXPECT_EQ(only_transition(resolved).to, AlertState::resolved);
    EXPECT_EQ(only_transition(resolved).event_time, at(35s));
    EXPECT_EQ(m_runner.find_tracker("Room2", "temperature-stuck")->state(), AlertState::inactive);
    EXPECT_EQ(m_runner.evaluations(), 11U); // one per sample: 7 of Room1, 4 of Room2
}

TEST_F(RuleRunnerTest, StuckSensorIgnoresUpdatesOfOtherProperties) {
    m_rules = {detector_rule("temperature-stuck", StuckSensorCondition{"temperature", {.min_samples = 3}})};
    EXPECT_TRUE(update("Room1", {{"temperature", 21.5}}, at(1s)).empty());
    EXPECT_TRUE(update("Room1", {{"temperature", 21.5}}, at(2s)).empty());
    for (int i = 3; i < 10; ++i) {
        EXPECT_TRUE(update("Room1", {{"co2", 600.0 + i}}, at(std::chrono::seconds(i))).empty());
    }
    EXPECT_EQ(only_transition(update("Room1", {{"temperature", 21.5}}, at(10s))).to, AlertState::firing);
    EXPECT_EQ(m_runner.evaluations(), 3U);
}

TEST_F(RuleRunnerTest, RangeFiresOutsideTheMhZ19Range) {
    RuleDefinition rule = detector_rule("co2-out-of-range", RangeCondition{"co2", {.min = 0.0, .max = 5000.0}},
                                        "CO2 sensor of {twin} reports {co2} ppm ({violation})");
    rule.severity = Severity::critical;
    m_rules = {rule};

    EXPECT_TRUE(update("Room1", {{"co2", 600.0}}, at(1s)).empty());
    EXPECT_TRUE(update("Room1", {{"co2", 5000.0}}, at(2s)).empty()); // the bound itself is in range
    const auto fired = update("Room1", {{"co2", 5001.0}}, at(3s));
    EXPECT_EQ(only_transition(fired).to, AlertState::firing);
    EXPECT_EQ(only_transition(fired).instance, 1U);
    EXPECT_EQ(only_transition(fired).values.at("violation"), json::value("above"));
    EXPECT_EQ(fired.front().message, "CO2 sensor of Room1 reports 5001 ppm (above)");
    EXPECT_TRUE(update("Room1", {{"co2", 6000.0}}, at(4s)).empty());
    EXPECT_EQ(only_transition(update("Room1", {{"co2", 4999.0}}, at(5s))).to, AlertState::resolved);

    const auto below = update("Room1", {{"co2", -1.0}}, at(6s));
    EXPECT_EQ(only_transition(below).instance, 2U);
    EXPECT_EQ(below.front().message, "CO2 sensor of Room1 reports -1 ppm (below)");
}

TEST_F(RuleRunnerTest, ThresholdWithHysteresisDoesNotFlapAtTheLimit) {
    // CO2 too high above 1400 ppm, normal again only below 1000 ppm.
    m_rules = {detector_rule("co2-band",
                             ThresholdCondition{"co2", {.direction = core::detectors::ThresholdDirection::above,
                                                        .high = 1400.0,
                                                        .low = 1000.0}},
                             "CO2 in {twin} above {threshold} ppm: {co2}")};
    EXPECT_TRUE(update("Room1", {{"co2", 1390.0}}, at(1s)).empty());
    const auto fired = update("Room1", {{"co2", 1410.0}}, at(2s));
    EXPECT_EQ(only_transition(fired).to, AlertState::firing);
    EXPECT_EQ(fired.front().message, "CO2 in Room1 above 1400 ppm: 1410");
    // Hovering around the upper limit, and down to 1001: still the same alert.
    TimePoint t = at(3s);
    for (double co2 : {1395.0, 1405.0, 1200.0, 1001.0}) {
        EXPECT_TRUE(update("Room1", {{"co2", co2}}, t).empty()) << co2;
        t += 1s;
    }
    const auto resolved = update("Room1", {{"co2", 999.0}}, at(2min));
    EXPECT_EQ(only_transition(resolved).to, AlertState::resolved);
    EXPECT_EQ(only_transition(resolved).values.at("threshold"), json::value(1000.0));
}

TEST_F(RuleRunnerTest, SpikeFiresOnceOnASpikeAndNotOnASlowRise) {
    // The prototype's build A detector: confidence 99, history 120, window 1000 s.
    m_rules = {detector_rule("co2-spike", SpikeAndDipCondition{"co2", {}}, "CO2 spike or dip in {twin}: {co2} ppm")};

    // A room filling up: +1 ppm per reading every 5 s with +-2 ppm of sensor noise, for
    // 250 readings (longer than the 120 of history and than the 1000 s window).
    TimePoint t = at(0s);
    double co2 = 600;
    for (int i = 0; i < 250; ++i) {
        t += 5s;
        co2 += 1.0;
        const double noise = static_cast<double>((i * 7) % 5) - 2.0;
        ASSERT_TRUE(update("Room1", {{"co2", co2 + noise}}, t).empty()) << "reading " << i << ": " << co2 + noise;
    }
    t += 5s;
    const auto fired = update("Room1", {{"co2", co2 + 400.0}}, t);
    const auto& transition = only_transition(fired);
    EXPECT_EQ(transition.to, AlertState::firing);
    EXPECT_LE(transition.values.at("score").as_double(), 0.01);
    EXPECT_EQ(fired.front().message, "CO2 spike or dip in Room1: 1250 ppm");

    // Back to normal: the spike resolves and nothing fires again.
    std::size_t firings = 0;
    for (int i = 0; i < 20; ++i) {
        t += 5s;
        co2 += 1.0;
        for (const auto& outcome : update("Room1", {{"co2", co2}}, t)) {
            for (const auto& step : outcome.transitions) {
                firings += step.to == AlertState::firing ? 1 : 0;
            }
        }
    }
    EXPECT_EQ(firings, 0U);
    EXPECT_EQ(m_runner.find_tracker("Room1", "co2-spike")->state(), AlertState::resolved);
    EXPECT_EQ(m_runner.find_tracker("Room1", "co2-spike")->instance(), 1U);
}

TEST_F(RuleRunnerTest, RateOfChangeOfTheDoorAngle) {
    m_rules = {detector_rule("door-too-fast", RateOfChangeCondition{"angle", {.max_rate_per_second = 65.0}},
                             "{twin} turned at {rate_per_second} deg/s")};
    EXPECT_TRUE(update("Door", {{"angle", 0.0}}, at(1s)).empty());    // no rate yet
    EXPECT_TRUE(update("Door", {{"angle", 65.0}}, at(2s)).empty());   // exactly the limit
    const auto fired = update("Door", {{"angle", 20.0}}, at(2500ms)); // -45 deg in 0.5 s
    EXPECT_EQ(only_transition(fired).to, AlertState::firing);
    EXPECT_EQ(fired.front().message, "Door turned at -90 deg/s");
    EXPECT_EQ(only_transition(update("Door", {{"angle", 21.0}}, at(3s))).to, AlertState::resolved);
}

TEST_F(RuleRunnerTest, NoDataFiresAtLastSamplePlusTimeoutByTimerAndClearsOnANewSample) {
    m_rules = {detector_rule("room-node-silent", NoDataCondition{"temperature", {.timeout = 60s}},
                             "No reading from the node of {twin} since {last_seen} ({temperature} degC)")};
    EXPECT_EQ(m_runner.next_deadline(), std::nullopt);
    EXPECT_TRUE(update("Room1", {{"temperature", 21.0}}, at(1s)).empty());
    EXPECT_EQ(m_runner.next_deadline(), at(61s));
    // A repeat of the same reading is a sample too; another property is not.
    EXPECT_TRUE(update("Room1", {{"temperature", 21.0}}, at(10s)).empty());
    EXPECT_TRUE(update("Room1", {{"co2", 700.0}}, at(30s)).empty());
    EXPECT_EQ(m_runner.next_deadline(), at(70s));

    EXPECT_TRUE(timers(at(69s)).empty());
    const auto fired = timers(at(70s)); // half-open: silent at exactly last sample + timeout
    const auto& transition = only_transition(fired);
    EXPECT_EQ(transition.to, AlertState::firing);
    EXPECT_TRUE(transition.notify);
    EXPECT_EQ(transition.event_time, at(70s));
    EXPECT_EQ(transition.values.at("silent_since"), json::value(core::format_time(at(70s))));
    EXPECT_EQ(fired.front().message,
              "No reading from the node of Room1 since " + core::format_time(at(10s)) + " (21 degC)");
    EXPECT_EQ(m_runner.next_deadline(), std::nullopt); // silent: nothing more until a sample
    EXPECT_TRUE(timers(at(200s)).empty());

    const auto resolved = update("Room1", {{"temperature", 21.5}}, at(300s));
    EXPECT_EQ(only_transition(resolved).to, AlertState::resolved);
    EXPECT_EQ(only_transition(resolved).event_time, at(300s));
    EXPECT_EQ(m_runner.next_deadline(), at(360s));
    // Room2 never had a temperature: not watched.
    EXPECT_EQ(m_runner.find_tracker("Room2", "room-node-silent"), nullptr);
}

TEST_F(RuleRunnerTest, TimersFireOnlyWhatIsDueInDeadlineOrderWhenDeadlinesMove) {
    // Two rooms watched for silence and a door alert pending for 2 s: three deadlines that
    // move as readings come, fired in their order, each once.
    RuleDefinition held = expression_rule("held-open", "angle > 30");
    held.selector.twin = "Door";
    held.for_duration = 2s;
    m_rules = {detector_rule("room-node-silent", NoDataCondition{"temperature", {.timeout = 60s}}), held};
    update("Room1", {{"temperature", 21.0}}, at(1s));
    update("Room2", {{"temperature", 19.0}}, at(2s));
    EXPECT_EQ(m_runner.next_deadline(), at(61s));
    update("Room1", {{"temperature", 21.0}}, at(30s)); // Room1's deadline moves to 90 s
    EXPECT_EQ(m_runner.next_deadline(), at(62s));
    update("Door", {{"angle", 45.0}}, at(61s)); // pending until 63 s
    EXPECT_EQ(m_runner.next_deadline(), at(62s));

    const auto first = timers(at(63s)); // Room2 (62 s), then the door (63 s); not Room1
    ASSERT_EQ(first.size(), 2U);
    EXPECT_EQ(first[0].twin_id, "Room2");
    EXPECT_EQ(first[1].twin_id, "Door");
    EXPECT_EQ(first[1].transitions.front().to, AlertState::firing);
    EXPECT_EQ(m_runner.next_deadline(), at(90s));
    EXPECT_TRUE(timers(at(89s)).empty());
    const auto second = timers(at(90s));
    ASSERT_EQ(second.size(), 1U);
    EXPECT_EQ(second[0].twin_id, "Room1");
    EXPECT_EQ(m_runner.next_deadline(), std::nullopt);
    EXPECT_TRUE(timers(at(1h)).empty());
}

TEST_F(RuleRunnerTest, NoDataSilenceSeenOnlyByTheNextSampleFiresAndResolvesAtOnce) {
    m_rules = {detector_rule("room-node-silent", NoDataCondition{"temperature", {.timeout = 60s}},
                             "{twin} silent since {silent_since}")};
    EXPECT_TRUE(update("Room1", {{"temperature", 21.0}}, at(1s)).empty());
    const auto late = update("Room1", {{"temperature", 21.0}}, at(100s)); // no timer ran
    ASSERT_EQ(late.size(), 1U);
    ASSERT_EQ(late.front().transitions.size(), 2U);
    EXPECT_EQ(late.front().transitions[0].to, AlertState::firing);
    EXPECT_EQ(late.front().transitions[0].event_time, at(61s));
    EXPECT_EQ(late.front().transitions[0].lateness, 39s);
    EXPECT_EQ(late.front().transitions[1].to, AlertState::resolved);
    EXPECT_EQ(late.front().message, "Room1 silent since " + core::format_time(at(61s)));
}

TEST_F(RuleRunnerTest, NoDataWatchesTwinsThatHaveThePropertyFromStartUp) {
    m_rules = {detector_rule("room-node-silent", NoDataCondition{"temperature", {.timeout = 60s}})};
    EXPECT_TRUE(update("Room1", {{"temperature", 21.0}}, at(1s)).empty());
    // A restarted runner: Room1 has a temperature, Room2 none.
    RuleRunner restarted{m_rules};
    restarted.watch_twins(*m_graph, at(500s));
    EXPECT_EQ(restarted.next_deadline(), at(560s));
    const auto fired = restarted.on_timers(at(560s));
    ASSERT_EQ(fired.size(), 1U);
    EXPECT_EQ(fired.front().twin_id, "Room1");
    EXPECT_EQ(only_transition(fired).to, AlertState::firing);
}

TEST_F(RuleRunnerTest, DetectorOnANonNumericOrMissingValueIsAnErrorOutcome) {
    m_rules = {detector_rule("state-range", RangeCondition{"doorState", {}}),
               detector_rule("co2-out-of-range", RangeCondition{"co2", {}})};

    std::vector<RuleOutcome> outcomes;
    EXPECT_NO_THROW(outcomes = update("Door", {{"doorState", "open"}}, at(1s)));
    ASSERT_EQ(outcomes.size(), 1U);
    ASSERT_TRUE(outcomes.front().error.has_value());
    EXPECT_EQ(outcomes.front().error->code, core::ErrorCode::invalid_value);
    EXPECT_EQ(outcomes.front().error->to_string(),
              "state-range on Door: the detector's property doorState is not a number: \"open\"");
    EXPECT_TRUE(outcomes.front().transitions.empty());

    // co2 removed: listed as changed, but it has no value.
    EXPECT_TRUE(update("Room1", {{"co2", 900.0}}, at(1s)).empty());
    ASSERT_TRUE(m_graph->patch_twin("Room1", json::parse(R"([{"op":"remove","path":"/co2"}])"), {.source_time = at(2s)})
                    .has_value());
    EXPECT_NO_THROW(outcomes = m_runner.on_twin_updated(*m_graph, "Room1", {"co2"}, {{"co2", 900.0}}, at(2s), at(2s)));
    ASSERT_EQ(outcomes.size(), 1U);
    ASSERT_TRUE(outcomes.front().error.has_value());
    EXPECT_EQ(outcomes.front().error->to_string(),
              "co2-out-of-range on Room1: the detector's property co2 has no value");
    EXPECT_EQ(m_runner.find_tracker("Room1", "co2-out-of-range")->snapshot().last_sample_at, at(1s));
}

// ---- restore, acknowledge, silences ----------------------------------------------------

TEST_F(RuleRunnerTest, RestoredFiringAlertDoesNotFireAgain) {
    m_rules = {air_quality_rule()};
    core::alerts::AlertSnapshot snapshot;
    snapshot.state = AlertState::firing;
    snapshot.instance = 3;
    snapshot.started_at = at(1s);
    snapshot.fired_at = at(1s);
    snapshot.changed_at = at(1s);
    snapshot.last_notified_at = at(1s);
    snapshot.last_sample_at = at(1s);
    snapshot.values = {{"co2", 2100.0}};

    EXPECT_FALSE(m_runner.restore("Room1", "no-such-rule", snapshot));
    EXPECT_EQ(m_runner.find_tracker("Room1", "no-such-rule"), nullptr);
    ASSERT_TRUE(m_runner.restore("Room1", "air", snapshot));
    ASSERT_NE(m_runner.find_tracker("Room1", "air"), nullptr);
    EXPECT_EQ(m_runner.find_tracker("Room1", "air")->snapshot(), snapshot);

    EXPECT_TRUE(update("Room1", {{"co2", 2500.0}}, at(10s)).empty()); // still firing: no second alert
    const auto resolved = update("Room1", {{"co2", 1000.0}}, at(20s));
    EXPECT_EQ(only_transition(resolved).to, AlertState::resolved);
    EXPECT_EQ(only_transition(resolved).instance, 3U);
    EXPECT_EQ(resolved.front().writes, (json::object{{"airQualityState", "normal"}}));
    const auto again = update("Room1", {{"co2", 3000.0}}, at(30s));
    EXPECT_EQ(only_transition(again).to, AlertState::firing);
    EXPECT_EQ(only_transition(again).instance, 4U);
}

TEST_F(RuleRunnerTest, RestoredDetectorAlertDoesNotFireAgain) {
    m_rules = {detector_rule("co2-out-of-range", RangeCondition{"co2", {}})};
    core::alerts::AlertSnapshot snapshot;
    snapshot.state = AlertState::firing;
    snapshot.instance = 1;
    snapshot.started_at = snapshot.changed_at = at(1s);
    snapshot.fired_at = snapshot.last_notified_at = snapshot.last_sample_at = at(1s);
    ASSERT_TRUE(m_runner.restore("Room2", "co2-out-of-range", snapshot));
    EXPECT_TRUE(update("Room2", {{"co2", 5200.0}}, at(10s)).empty());
    EXPECT_EQ(only_transition(update("Room2", {{"co2", 800.0}}, at(20s))).to, AlertState::resolved);
}

TEST_F(RuleRunnerTest, AcknowledgeErrorsAndStopsRepeats) {
    RuleDefinition rule = air_quality_rule();
    rule.repeat_interval = 60s;
    m_rules = {rule};

    auto unknown = m_runner.acknowledge("Room1", "air", 1, at(1s));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, core::ErrorCode::unknown_alert);
    EXPECT_EQ(unknown.error().where, "Room1/air/1");

    EXPECT_TRUE(update("Room1", {{"co2", 800.0}}, at(1s)).empty());
    auto inactive = m_runner.acknowledge("Room1", "air", 1, at(2s));
    ASSERT_FALSE(inactive.has_value());
    EXPECT_EQ(inactive.error().code, core::ErrorCode::precondition_failed);

    EXPECT_EQ(only_transition(update("Room1", {{"co2", 2500.0}}, at(3s))).to, AlertState::firing);
    EXPECT_EQ(m_runner.next_deadline(), at(63s)); // the repeat
    auto stale = m_runner.acknowledge("Room1", "air", 2, at(4s));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, core::ErrorCode::precondition_failed);
    EXPECT_EQ(stale.error().where, "Room1/air/2");

    auto acknowledged = m_runner.acknowledge("Room1", "air", 1, at(5s));
    ASSERT_TRUE(acknowledged.has_value()) << acknowledged.error().to_string();
    EXPECT_EQ(acknowledged->reason, TransitionReason::acknowledged);
    EXPECT_EQ(acknowledged->to, AlertState::firing);
    EXPECT_TRUE(acknowledged->acknowledged);
    EXPECT_EQ(m_runner.next_deadline(), std::nullopt); // no more repeats
    EXPECT_TRUE(timers(at(120s)).empty());

    auto twice = m_runner.acknowledge("Room1", "air", 1, at(6s));
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, core::ErrorCode::precondition_failed);
}

TEST_F(RuleRunnerTest, SilenceMakesTheFireTransitionNotNotify) {
    m_rules = {detector_rule("co2-out-of-range", RangeCondition{"co2", {}}),
               detector_rule("room-node-silent", NoDataCondition{"temperature", {.timeout = 60s}})};
    core::alerts::Silences silences;
    ASSERT_TRUE(silences.add({"Room1", "*", at(0s), at(100s)}).has_value());
    m_runner.set_silences(silences);

    const auto silenced = update("Room1", {{"co2", 6000.0}, {"temperature", 20.0}}, at(1s));
    const auto& transition = only_transition(silenced);
    EXPECT_EQ(transition.to, AlertState::firing); // the alert still fires and is recorded
    EXPECT_FALSE(transition.notify);
    EXPECT_EQ(transition.reason, TransitionReason::silenced);
    const auto other_room = update("Room2", {{"co2", 6000.0}}, at(1s));
    EXPECT_TRUE(only_transition(other_room).notify);

    // The timers see the silences too: Room1 falls silent at 61 s, inside the window.
    const auto silent = timers(at(61s));
    EXPECT_EQ(only_transition(silent).to, AlertState::firing);
    EXPECT_FALSE(only_transition(silent).notify);

    // Replaced by an empty set: the next instance notifies.
    m_runner.set_silences({});
    EXPECT_EQ(only_transition(update("Room1", {{"co2", 900.0}}, at(62s))).to, AlertState::resolved);
    const auto loud = update("Room1", {{"co2", 6000.0}}, at(63s));
    EXPECT_TRUE(only_transition(loud).notify);
    EXPECT_EQ(only_transition(loud).reason, TransitionReason::fired);
}
} // namespace
} // namespace dtwin::engine::testing
