// One step of an alert's lifecycle, as AlertTracker emits it: what the engine persists
// (store AlertRecord) and, when `notify` is set, hands to the sinks after the commit.
//
// Pure value; any thread.
#pragma once

#include "core/alerts/alert_state.hpp"
#include "core/time.hpp"

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>

namespace dtwin::core::alerts {

struct AlertTransition {
    AlertState from = AlertState::inactive;
    AlertState to = AlertState::inactive; ///< equal to `from` for repeated and acknowledged
    /// The alert instance (1, 2, ... per tracker): a new one each time the condition starts
    /// to hold after it did not. A pending instance that clears keeps its number unused.
    std::uint64_t instance = 0;
    TimePoint started_at{};                 ///< event time the condition began to hold
    std::optional<TimePoint> fired_at{};    ///< event time the instance became firing, once it has
    std::optional<TimePoint> resolved_at{}; ///< event time it resolved, once it has
    /// When the transition took effect, on the event-time axis: started_at for `started`,
    /// fired_at for `fired` (started_at + for_duration, even when a later sample or timer
    /// found it), the sample's event time for `cleared` and `resolved`, the timer's or
    /// sample's instant for `repeated`, the user's instant for `acknowledged`.
    TimePoint event_time{};
    /// When dtwin learned of it: the report (receive) time of the sample that caused it, or
    /// the `now` of on_timer()/acknowledge().
    TimePoint report_time{};
    /// report_time - event_time, 0 when negative (a source clock ahead of ours): how late
    /// the alert is, e.g. a slam replayed from a gateway's backlog after an outage.
    std::chrono::microseconds lateness{0};
    /// Whether sinks should deliver it: fired and repeated always, resolved when the policy
    /// says so; false when silenced (then reason is `silenced`).
    bool notify = false;
    TransitionReason reason = TransitionReason::started;
    bool acknowledged = false; ///< the instance has been acknowledged (at or before this)
    /// The rule's inputs at the sample that caused it (or the last sample, for timers); the
    /// engine fills them from the twin (e.g. {"angularSpeed": -80.2}) for the message.
    boost::json::object values{};
};

} // namespace dtwin::core::alerts
