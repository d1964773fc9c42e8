// AlertTracker: the lifecycle of the alerts of one rule on one twin, as a pure state machine
// (alert_state.hpp has the diagram). The engine keeps one per (twin, rule), feeds it the
// rule's condition after every evaluation, arms a timer for next_deadline(), persists
// every transition and notifies after the commit for those with notify = true.
//
// Time. Samples are applied in event-time order per tracker: a sample stamped before the
// last one applied is ignored (counted in ignored_samples()); one at the same instant is
// applied (a rule reading two properties stamped alike sees the second). Between samples
// the condition is taken to keep its last value, so:
//   - the for_duration deadline is on the event-time axis: pending from started_at, the
//     alert fires at started_at + for_duration (inclusive: holding exactly for_duration
//     fires). A later sample fires it first if the deadline has passed (a backlog replayed
//     after an outage: fired_at is the deadline, lateness says how late we learned it),
//     then applies its own value; on_timer(now) fires it when no sample comes.
//   - repeats are on the engine's clock: repeat_interval after the last notification's
//     report_time (a backlog fire does not repeat at once for its old event time).
//   - a sample stamped before the last transition (a timer that ran ahead of a source
//     whose clock lags) takes effect at that transition's instant, so resolved_at >=
//     fired_at >= started_at always.
// on_timer(now) assumes nothing earlier than `now` is still to come from this source. For
// a live source the engine's clock is right; while a gateway's backlog drains, the engine
// should let the backlog's samples decide (not fire pending alerts by timer for it).
//
// Notifications: one when an instance fires; none while it keeps firing unless
// repeat_interval is set and it is not acknowledged; one on resolve when notify_resolved.
// It can fire again only as a new instance, after the condition cleared (the prototype's
// "one email per (twin, anomaly) when it starts"). A notification that a Silence covers at
// the transition's event_time is emitted with notify = false and reason `silenced`; it
// still counts as the last notification for repeats (a repeat after the silence notifies).
//
// Persistence (store AlertRecord), one record per instance that reached firing (pending
// instances may be stored too, as state "pending", and deleted if they clear):
//   id            = twin + "/" + rule + "/" + instance (decimal)
//   twin, rule    = key()
//   state         = alert_state_name(state) ("pending", "firing", "resolved")
//   raised_time   = started_at
//   updated_time  = the last state change's event_time (AlertSnapshot::changed_at); acks
//                   and repeats are on the engine's clock and go to details instead
//   resolved_time = resolved_at
//   details       = JSON of the rest of AlertSnapshot: instance, fired_at, acknowledged_at,
//                   last_notified_at, last_sample_at, values; a restart rebuilds the tracker
//                   from the newest record of (twin, rule) with AlertTracker(key, policy, snapshot).
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/alerts/alert_policy.hpp"
#include "core/alerts/alert_state.hpp"
#include "core/alerts/alert_transition.hpp"
#include "core/alerts/silence.hpp"
#include "core/time.hpp"

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dtwin::core::alerts {

/// Which alert a tracker follows.
struct AlertKey {
    std::string twin{};
    std::string rule{};

    bool operator==(const AlertKey&) const = default;
};

/// Everything a tracker remembers: what the engine persists and restores.
struct AlertSnapshot {
    AlertState state = AlertState::inactive;
    std::uint64_t instance = 0; ///< the latest instance started (0: none yet)
    TimePoint started_at{};
    std::optional<TimePoint> fired_at{};
    std::optional<TimePoint> resolved_at{};
    std::optional<TimePoint> acknowledged_at{};
    TimePoint changed_at{};                      ///< event_time of the last state change (not ack/repeat)
    std::optional<TimePoint> last_notified_at{}; ///< report_time of the last (would-be) notification
    std::optional<TimePoint> last_sample_at{};   ///< event time of the last sample applied
    boost::json::object values{};                ///< values of the last sample applied

    bool operator==(const AlertSnapshot&) const = default;
};

class AlertTracker {
public:
    /// A tracker with no history (state inactive, no instance yet).
    /// @throws std::invalid_argument when validate(policy) fails (a bug: the engine
    ///         validates rules at start-up).
    AlertTracker(AlertKey key, AlertPolicy policy);

    /// A tracker resumed from what was persisted (after a restart).
    /// @throws std::invalid_argument when validate(policy) fails.
    AlertTracker(AlertKey key, AlertPolicy policy, AlertSnapshot snapshot);

    /// The rule's condition was evaluated on a sample stamped @p event_time (source time),
    /// received at @p report_time (the engine's clock). Returns the transitions it caused,
    /// oldest first: none, one, or two (a passed for_duration deadline fires, then this
    /// sample clears it). Nothing when the sample is older than the last one applied.
    /// @p values replace the remembered inputs when not empty; @p silences are checked at
    /// each transition's event_time.
    std::vector<AlertTransition> on_condition(bool holds, TimePoint event_time, TimePoint report_time,
                                              boost::json::object values = {},
                                              const Silences& silences = Silences::none());

    /// No sample came and the engine's clock reached @p now: fires a pending alert whose
    /// for_duration deadline is at or before @p now, and repeats a firing one whose repeat
    /// is due (once, however many intervals passed). Call at next_deadline() or later.
    std::vector<AlertTransition> on_timer(TimePoint now, const Silences& silences = Silences::none());

    /// When on_timer() would next do something, if the condition keeps its value:
    /// started_at + for_duration while pending, last notification + repeat_interval while
    /// firing unacknowledged with a repeat interval; nullopt otherwise.
    [[nodiscard]] std::optional<TimePoint> next_deadline() const noexcept;

    /// A user acknowledged instance @p instance at @p at: it stays firing and repeats stop.
    /// Errors (precondition_failed, where = the alert id): the tracker is not firing, the
    /// instance is not the current one (a stale id), or it is already acknowledged.
    Result<AlertTransition> acknowledge(std::uint64_t instance, TimePoint at);

    [[nodiscard]] AlertState state() const noexcept { return m_snapshot.state; }
    [[nodiscard]] std::uint64_t instance() const noexcept { return m_snapshot.instance; }
    [[nodiscard]] bool acknowledged() const noexcept { return m_snapshot.acknowledged_at.has_value(); }
    [[nodiscard]] const AlertSnapshot& snapshot() const noexcept { return m_snapshot; }
    [[nodiscard]] const AlertKey& key() const noexcept { return m_key; }
    [[nodiscard]] const AlertPolicy& policy() const noexcept { return m_policy; }
    /// Samples ignored because they were older than the last one applied.
    [[nodiscard]] std::uint64_t ignored_samples() const noexcept { return m_ignored_samples; }

private:
    /// A transition from @p from to the current state, carrying the current snapshot.
    [[nodiscard]] AlertTransition make_transition(AlertState from, TransitionReason reason, TimePoint event_time,
                                                  TimePoint report_time) const;
    void start(TimePoint at, TimePoint report_time, const Silences& silences, std::vector<AlertTransition>& out);
    void fire(AlertState from, TimePoint at, TimePoint report_time, const Silences& silences,
              std::vector<AlertTransition>& out);
    void repeat(TimePoint at, TimePoint report_time, const Silences& silences, std::vector<AlertTransition>& out);
    void finish(TimePoint at, TimePoint report_time, const Silences& silences, std::vector<AlertTransition>& out);
    void notify_unless_silenced(AlertTransition& transition, const Silences& silences) const;
    [[nodiscard]] std::optional<TimePoint> fire_deadline() const noexcept;
    [[nodiscard]] std::optional<TimePoint> repeat_deadline() const noexcept;

    AlertKey m_key;
    AlertPolicy m_policy;
    AlertSnapshot m_snapshot;
    std::uint64_t m_ignored_samples = 0;
};

} // namespace dtwin::core::alerts
