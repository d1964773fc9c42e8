#include "core/alerts/alert_tracker.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace dtwin::core::alerts {

namespace {

AlertPolicy checked(AlertPolicy policy) {
    if (auto valid = validate(policy); !valid) {
        throw std::invalid_argument("alert policy: " + valid.error().to_string());
    }
    return policy;
}

} // namespace

AlertTracker::AlertTracker(AlertKey key, AlertPolicy policy) : m_key(std::move(key)), m_policy(checked(policy)) {}

AlertTracker::AlertTracker(AlertKey key, AlertPolicy policy, AlertSnapshot snapshot)
    : m_key(std::move(key)), m_policy(checked(policy)), m_snapshot(std::move(snapshot)) {}

std::vector<AlertTransition> AlertTracker::on_condition(bool holds, TimePoint event_time, TimePoint report_time,
                                                        boost::json::object values, const Silences& silences) {
    std::vector<AlertTransition> out;
    if (m_snapshot.last_sample_at && event_time < *m_snapshot.last_sample_at) {
        ++m_ignored_samples;
        return out;
    }
    m_snapshot.last_sample_at = event_time;
    // Never before the last state change: a source clock lagging behind a timer that fired.
    const TimePoint at = std::max(event_time, m_snapshot.changed_at);

    // The condition held until this sample: a deadline it passed meanwhile fires first, with
    // the values that were in force then.
    if (const auto deadline = fire_deadline(); deadline && *deadline <= at) {
        fire(AlertState::pending, *deadline, report_time, silences, out);
    }
    if (!values.empty()) {
        m_snapshot.values = std::move(values);
    }

    const AlertState state = m_snapshot.state;
    if (holds && (state == AlertState::inactive || state == AlertState::resolved)) {
        start(at, report_time, silences, out);
    } else if (!holds && (state == AlertState::pending || state == AlertState::firing)) {
        finish(at, report_time, silences, out);
    } else if (const auto due = repeat_deadline(); holds && due && *due <= report_time) {
        repeat(at, report_time, silences, out);
    }
    return out;
}

std::vector<AlertTransition> AlertTracker::on_timer(TimePoint now, const Silences& silences) {
    std::vector<AlertTransition> out;
    if (const auto deadline = fire_deadline(); deadline && *deadline <= now) {
        fire(AlertState::pending, *deadline, now, silences, out);
    } else if (const auto due = repeat_deadline(); due && *due <= now) {
        repeat(now, now, silences, out);
    }
    return out;
}

std::optional<TimePoint> AlertTracker::next_deadline() const noexcept {
    if (auto deadline = fire_deadline()) {
        return deadline;
    }
    return repeat_deadline();
}

Result<AlertTransition> AlertTracker::acknowledge(std::uint64_t instance, TimePoint at) {
    const std::string id = m_key.twin + "/" + m_key.rule + "/" + std::to_string(instance);
    if (m_snapshot.state != AlertState::firing) {
        return fail(ErrorCode::precondition_failed,
                    "only a firing alert can be acknowledged; this one is " +
                        std::string(alert_state_name(m_snapshot.state)),
                    id);
    }
    if (instance != m_snapshot.instance) {
        return fail(ErrorCode::precondition_failed,
                    "not the current instance; the firing one is " + std::to_string(m_snapshot.instance), id);
    }
    if (m_snapshot.acknowledged_at) {
        return fail(ErrorCode::precondition_failed,
                    "already acknowledged at " + format_time(*m_snapshot.acknowledged_at), id);
    }
    m_snapshot.acknowledged_at = at;
    return make_transition(AlertState::firing, TransitionReason::acknowledged, at, at);
}

AlertTransition AlertTracker::make_transition(AlertState from, TransitionReason reason, TimePoint event_time,
                                              TimePoint report_time) const {
    AlertTransition transition{.from = from,
                               .to = m_snapshot.state,
                               .instance = m_snapshot.instance,
                               .started_at = m_snapshot.started_at,
                               .fired_at = m_snapshot.fired_at,
                               .resolved_at = m_snapshot.resolved_at,
                               .event_time = event_time,
                               .report_time = report_time,
                               .lateness = std::max(report_time - event_time, std::chrono::microseconds{0}),
                               .notify = false,
                               .reason = reason,
                               .acknowledged = m_snapshot.acknowledged_at.has_value(),
                               .values = m_snapshot.values};
    return transition;
}

void AlertTracker::start(TimePoint at, TimePoint report_time, const Silences& silences,
                         std::vector<AlertTransition>& out) {
    const AlertState from = m_snapshot.state;
    ++m_snapshot.instance;
    m_snapshot.started_at = at;
    m_snapshot.fired_at.reset();
    m_snapshot.resolved_at.reset();
    m_snapshot.acknowledged_at.reset();
    m_snapshot.last_notified_at.reset();
    if (m_policy.for_duration.count() == 0) {
        fire(from, at, report_time, silences, out);
        return;
    }
    m_snapshot.state = AlertState::pending;
    m_snapshot.changed_at = at;
    out.push_back(make_transition(from, TransitionReason::started, at, report_time));
}

void AlertTracker::fire(AlertState from, TimePoint at, TimePoint report_time, const Silences& silences,
                        std::vector<AlertTransition>& out) {
    m_snapshot.state = AlertState::firing;
    m_snapshot.fired_at = at;
    m_snapshot.changed_at = at;
    m_snapshot.last_notified_at = report_time;
    auto transition = make_transition(from, TransitionReason::fired, at, report_time);
    notify_unless_silenced(transition, silences);
    out.push_back(std::move(transition));
}

void AlertTracker::repeat(TimePoint at, TimePoint report_time, const Silences& silences,
                          std::vector<AlertTransition>& out) {
    m_snapshot.last_notified_at = report_time;
    auto transition = make_transition(AlertState::firing, TransitionReason::repeated, at, report_time);
    notify_unless_silenced(transition, silences);
    out.push_back(std::move(transition));
}

void AlertTracker::finish(TimePoint at, TimePoint report_time, const Silences& silences,
                          std::vector<AlertTransition>& out) {
    const AlertState from = m_snapshot.state;
    m_snapshot.changed_at = at;
    if (from == AlertState::pending) {
        m_snapshot.state = AlertState::inactive;
        out.push_back(make_transition(from, TransitionReason::cleared, at, report_time));
        return;
    }
    m_snapshot.state = AlertState::resolved;
    m_snapshot.resolved_at = at;
    auto transition = make_transition(from, TransitionReason::resolved, at, report_time);
    if (m_policy.notify_resolved) {
        notify_unless_silenced(transition, silences);
    }
    out.push_back(std::move(transition));
}

void AlertTracker::notify_unless_silenced(AlertTransition& transition, const Silences& silences) const {
    if (silences.is_silenced(m_key.twin, m_key.rule, transition.event_time)) {
        transition.notify = false;
        transition.reason = TransitionReason::silenced;
        return;
    }
    transition.notify = true;
}

std::optional<TimePoint> AlertTracker::fire_deadline() const noexcept {
    if (m_snapshot.state != AlertState::pending) {
        return std::nullopt;
    }
    return m_snapshot.started_at + m_policy.for_duration;
}

std::optional<TimePoint> AlertTracker::repeat_deadline() const noexcept {
    if (m_snapshot.state != AlertState::firing || !m_policy.repeat_interval || m_snapshot.acknowledged_at ||
        !m_snapshot.last_notified_at) {
        return std::nullopt;
    }
    return *m_snapshot.last_notified_at + *m_policy.repeat_interval;
}

} // namespace dtwin::core::alerts
