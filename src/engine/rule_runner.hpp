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
//
// Detector rules (RuleDefinition::detector, detector_rule.hpp) keep one detector per
// (twin, rule) beside its tracker. When an update lists the rule's property among the
// changed properties, its value is fed to the detector and the condition holds while the
// detector reports an anomaly; the alert's values are {<property>: value} plus the
// detector's figures (score, run_length, violation, rate_per_second, ...) and whatever
// else the message template names. An absent or (for all but no_data) non-numeric value is
// a run-time error outcome. A sample the detector ignores (not newer than its last one)
// does not reach the tracker. Detectors are not persisted: after a restart they start
// afresh (a restored firing alert resolves at the first sample that is not an anomaly).
//
// no_data rules have nothing to fire on: they run on the engine's clock (report times).
// Every sample of the property (at its report_time) keeps the source alive; on_timers(now)
// makes the condition hold, at event time last sample + timeout, for a twin silent that
// long; the next sample clears it (one that arrives after the deadline without a timer in
// between fires and clears in the same outcome). A twin is watched from the first update
// the runner sees in which it has the property, or from watch_twins() (start-up).
//
// Values: a tracker gets the values of a sample only when the sample may change the alert
// (the condition holds, or the alert is pending or firing) and, for no_data, of every
// sample; otherwise it keeps those of the last such sample (AlertSnapshot::values), which
// spares the common sample that changes nothing building them.
//
// Threads: not synchronised; one owner (the engine's strand, the graph's writer).
#pragma once

#include "core/alerts/alert_tracker.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "core/twin_graph.hpp"
#include "engine/detector_rule.hpp"
#include "engine/rule_definition.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
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
    /// @p rules are kept by reference and must outlive the runner, unchanged from the
    /// first on_twin_updated() or watch_twins() on (the runner works out per rule what it
    /// can once); every rule must have a valid AlertPolicy and detector parameters (checked
    /// at load time; a bad one throws std::invalid_argument at first use, a bug).
    explicit RuleRunner(const std::vector<RuleDefinition>& rules);

    /// Twin @p twin_id of @p graph was updated: @p changed_properties are the root
    /// properties the update wrote and @p previous_values their values before it (a
    /// listed property missing from it had none). Detector rules count every listed
    /// property as a sample, so list a newer sample that repeats the stored value too (a
    /// stuck sensor repeats itself; a no_data rule must see a node that keeps sending the
    /// same reading); with its value in previous_values, PREVIOUS reads the same either way.
    /// @p event_time is the sample's source time, @p report_time when the engine received
    /// it (the engine's clock). Never throws on evaluation errors: they come back as
    /// outcomes. An unknown twin gives no outcome.
    std::vector<RuleOutcome> on_twin_updated(const core::TwinGraph& graph, std::string_view twin_id,
                                             const std::vector<std::string>& changed_properties,
                                             const std::map<std::string, boost::json::value>& previous_values,
                                             core::TimePoint event_time, core::TimePoint report_time);

    /// The engine's clock reached @p now: no_data rules whose twin has been silent for
    /// their timeout start to hold, the due trackers fire pending alerts whose for_duration
    /// passed and repeat firing ones (AlertTracker::on_timer). Messages are rendered from
    /// the values remembered at the last evaluation.
    std::vector<RuleOutcome> on_timers(core::TimePoint now);

    /// The earliest deadline of all trackers and no_data rules; nullopt when none is armed.
    /// Amortised constant time (a heap of armed deadlines): dtwin serve asks after every
    /// message group.
    [[nodiscard]] std::optional<core::TimePoint> next_deadline() const;

    /// Start-up, after the graph is loaded (and restore()): every no_data rule starts
    /// watching each twin it applies to that has its property, as if a sample had come at
    /// @p now (a grace of one timeout), so that a node that died while dtwin was down is
    /// reported even if its twin is never updated again. Twins already watched are left alone.
    void watch_twins(const core::TwinGraph& graph, core::TimePoint now);

    /// Puts back the tracker of (@p twin_id, @p rule) from a persisted snapshot (after a
    /// restart), replacing any tracker of that pair. Returns false (and does nothing) when
    /// no rule has that name. A detector rule's detector starts afresh.
    bool restore(std::string_view twin_id, std::string_view rule, const core::alerts::AlertSnapshot& snapshot);

    /// The silences every tracker checks from now on (core/alerts/silence.hpp), replacing
    /// the previous set.
    void set_silences(core::alerts::Silences silences);

    /// A user acknowledged instance @p instance of (@p twin_id, @p rule) at @p at: it stays
    /// firing and stops repeating. Errors: unknown_alert (where "<twin>/<rule>/<instance>")
    /// when there is no tracker for (twin, rule); otherwise AlertTracker::acknowledge's
    /// (precondition_failed: not firing, not the current instance, already acknowledged).
    core::Result<core::alerts::AlertTransition> acknowledge(std::string_view twin_id, std::string_view rule,
                                                            std::uint64_t instance, core::TimePoint at);

    /// The tracker of (twin, rule), or nullptr when that rule was never evaluated there.
    [[nodiscard]] const core::alerts::AlertTracker* find_tracker(std::string_view twin_id, std::string_view rule) const;

    /// Rule evaluations so far: expression conditions evaluated plus samples fed to
    /// detectors (errors included).
    [[nodiscard]] std::uint64_t evaluations() const noexcept { return m_evaluations; }

private:
    struct TrackedAlert {
        const RuleDefinition* rule;
        core::alerts::AlertTracker tracker;
        std::optional<DetectorRule> detector; ///< detector rules: created at the first sample
        /// The deadline this tracker has in m_deadlines (nullopt: none); a heap entry with
        /// another instant is stale and skipped.
        std::optional<core::TimePoint> scheduled{};
    };
    /// A tracker's deadline in the heap: earliest first.
    struct Deadline {
        core::TimePoint at;
        TrackedAlert* tracked;
        bool operator>(const Deadline& other) const noexcept { return at > other.at; }
    };
    /// Orders (twin, rule) keys and finds them by string_view without building strings.
    struct KeyLess {
        using is_transparent = void;
        template <typename A, typename B> bool operator()(const A& a, const B& b) const noexcept {
            const std::string_view a_twin = a.first;
            const std::string_view b_twin = b.first;
            return a_twin < b_twin || (a_twin == b_twin && std::string_view(a.second) < std::string_view(b.second));
        }
    };
    /// Hashes std::string and std::string_view alike (lookups without building a string).
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };
    /// A "{path}" of a rule's message (not twin, rule or severity): dotted and split.
    struct MessagePath {
        std::string dotted;
        std::vector<std::string> path;
    };

    /// Works out the message paths of every rule, once (again if the number of rules changed).
    void prepare();
    /// Whether rule @p index applies to @p twin (model selectors cached per twin layout).
    [[nodiscard]] bool applies(std::size_t index, const core::Twin& twin);
    /// Evaluates rule @p index on @p twin and feeds its tracker; appends an outcome when
    /// something happened.
    void evaluate(std::size_t index, const core::TwinGraph& graph, const core::Twin& twin,
                  const std::vector<std::string>& changed_properties,
                  const std::map<std::string, boost::json::value>& previous_values, core::TimePoint event_time,
                  core::TimePoint report_time, std::vector<RuleOutcome>& out);
    /// The same for a detector rule: feeds its detector when the property is among @p changed_properties.
    void evaluate_detector(std::size_t index, const core::TwinGraph& graph, const core::Twin& twin,
                           const std::vector<std::string>& changed_properties,
                           const std::map<std::string, boost::json::value>& previous_values, core::TimePoint event_time,
                           core::TimePoint report_time, std::vector<RuleOutcome>& out);
    /// The values a detector rule's alert carries: {property: @p value}, the figures of
    /// @p detector (none when null), and the other paths of the message read from @p twin.
    [[nodiscard]] boost::json::object
    detector_values(std::size_t index, const core::TwinGraph& graph, const core::Twin& twin,
                    const boost::json::value& value, const DetectorRule* detector,
                    const std::vector<std::string>& changed_properties,
                    const std::map<std::string, boost::json::value>& previous_values) const;
    /// Puts @p tracked's earliest deadline (tracker or detector) into m_deadlines after
    /// anything changed it; call after every change of a tracker or its detector.
    void schedule(TrackedAlert& tracked);
    /// The tracker of rule @p index on @p twin_id, created (inactive) if it has none yet.
    TrackedAlert& tracker_for(std::size_t index, const std::string& twin_id);
    /// The detector of @p tracked, created watching since @p now if it has none yet.
    static DetectorRule& detector_of(TrackedAlert& tracked, core::TimePoint now);

    const std::vector<RuleDefinition>& m_rules;
    std::map<std::pair<std::string, std::string>, TrackedAlert, KeyLess> m_trackers;
    /// Per twin, its entries of m_trackers by rule index (null: not looked up yet): one hash
    /// lookup per evaluation instead of a walk down the map comparing ids.
    std::unordered_map<std::string, std::vector<TrackedAlert*>, StringHash, std::equal_to<>> m_twin_trackers;
    core::alerts::Silences m_silences;
    /// Every armed deadline, so that next_deadline() and on_timers() touch only the
    /// trackers that are due instead of all of them; stale entries are dropped lazily
    /// (mutable: next_deadline() drops them too).
    mutable std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> m_deadlines;
    std::uint64_t m_evaluations = 0;
    std::vector<std::vector<MessagePath>> m_message_paths; ///< per rule, by index
    /// Per twin layout (one per model; held so that its address is not reused): whether
    /// each rule's model selector accepts that model.
    std::vector<std::pair<core::TwinLayoutPtr, std::vector<bool>>> m_model_matches;
};

} // namespace dtwin::engine
