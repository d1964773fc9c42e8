// RuleRunner: evaluates the `[[rule]]`s (rule_definition.hpp) after twin updates and
// drives one AlertTracker per (twin, rule). Pure over the twin graph: no store, no MQTT,
// no clock; the caller applies the writes, persists the transitions and notifies.
//
// Which twins: a rule applies to its selector's twin, or to every twin whose model is or
// extends the selector's model. After an update of twin X the runner evaluates
//   - every rule that applies to X, and
//   - every rule with a `related` alias that reaches X from another twin Y the rule
//     applies to (a Room rule reading door.doorState re-evaluates when the Door changes);
//     PREVIOUS then reads Y's current values (Y did not change).
// Only expression conditions are evaluated for now; detector rules are skipped (TODO in
// rule_runner.cpp).
//
// Threads: not synchronised; one owner (the engine's strand, the graph's writer).
#pragma once

#include "core/alerts/alert_tracker.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "core/twin_graph.hpp"
#include "engine/rule_definition.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dtwin::engine {

/// What one evaluation (or timer) of one rule on one twin did. Only evaluations that
/// caused a transition or failed produce an outcome.
struct RuleOutcome {
    std::string twin_id;
    std::string rule;
    /// The tracker's transitions, oldest first (empty on an error).
    std::vector<core::alerts::AlertTransition> transitions;
    /// Properties of twin_id to write: the rule's set_properties when a transition goes to
    /// firing, its reset_properties when one goes to resolved (the later one wins). Empty
    /// for rules without set/reset properties.
    boost::json::object writes;
    /// A run-time evaluation error ("'/': division by zero" at "1:5"), with `where`
    /// prefixed by "<rule> on <twin>"; the caller counts it. The tracker is not fed then.
    std::optional<core::Error> error;
    /// The rule's message template rendered when a transition goes to firing (fired or
    /// repeated): {twin}, {rule}, {severity} and {<property path>}; "(undefined)" for a
    /// path with no value. Empty otherwise.
    std::string message;
};

class RuleRunner {
public:
    /// @p rules are kept by reference and must outlive the runner; every expression rule
    /// must have a valid AlertPolicy (checked at load time; a bad one throws
    /// std::invalid_argument at first use, a bug).
    explicit RuleRunner(const std::vector<RuleDefinition>& rules);

    /// Twin @p twin_id of @p graph was updated: @p changed_properties are the root
    /// properties the update changed and @p previous_values their values before it (a
    /// changed property missing from it had none). @p event_time is the sample's source
    /// time, @p report_time when the engine received it. Never throws on evaluation
    /// errors: they come back as outcomes. An unknown twin gives no outcome.
    std::vector<RuleOutcome> on_twin_updated(const core::TwinGraph& graph, std::string_view twin_id,
                                             const std::vector<std::string>& changed_properties,
                                             const std::map<std::string, boost::json::value>& previous_values,
                                             core::TimePoint event_time, core::TimePoint report_time);

    /// The engine's clock reached @p now: the due trackers fire pending alerts whose
    /// for_duration passed and repeat firing ones (AlertTracker::on_timer). Messages are
    /// rendered from the values remembered at the last evaluation.
    std::vector<RuleOutcome> on_timers(core::TimePoint now);

    /// The earliest deadline of all trackers; nullopt when none is armed.
    [[nodiscard]] std::optional<core::TimePoint> next_deadline() const;

    /// The tracker of (twin, rule), or nullptr when that rule was never evaluated there.
    [[nodiscard]] const core::alerts::AlertTracker* find_tracker(std::string_view twin_id, std::string_view rule) const;

private:
    struct TrackedAlert {
        const RuleDefinition* rule;
        core::alerts::AlertTracker tracker;
    };

    [[nodiscard]] bool applies(const RuleDefinition& rule, const core::TwinGraph& graph, const core::Twin& twin) const;
    /// Evaluates @p rule on @p twin and feeds its tracker; appends an outcome when
    /// something happened.
    void evaluate(const RuleDefinition& rule, const core::TwinGraph& graph, const core::Twin& twin,
                  const std::vector<std::string>& changed_properties,
                  const std::map<std::string, boost::json::value>& previous_values, core::TimePoint event_time,
                  core::TimePoint report_time, std::vector<RuleOutcome>& out);
    TrackedAlert& tracker_for(const RuleDefinition& rule, const std::string& twin_id);

    const std::vector<RuleDefinition>& m_rules;
    std::map<std::pair<std::string, std::string>, TrackedAlert> m_trackers;
};

} // namespace dtwin::engine
