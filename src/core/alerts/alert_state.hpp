// The states of one alert (one (twin, rule) pair) and why it moved between them.
//
//   inactive --true--> pending --held for for_duration--> firing --false--> resolved
//       ^                 |                                  ^  |              |
//       +-----false-------+            (for_duration 0) -----+  +- ack/repeat   +--true--> pending / firing
//                                                                  (stays firing)           (a new instance)
//
// inactive: no condition holds and nothing is on record (also after a pending condition
// cleared before it fired). resolved: the last instance fired and has cleared; it stays the
// tracker's state until the condition holds again, which starts a new instance.
//
// Pure; any thread.
#pragma once

#include <optional>
#include <string_view>

namespace dtwin::core::alerts {

enum class AlertState {
    inactive, ///< the condition does not hold; no instance open
    pending,  ///< the condition holds, not yet for for_duration
    firing,   ///< the condition has held for for_duration and still holds
    resolved, ///< the instance fired and the condition no longer holds
};

/// Why a transition happened (also the "reason" of AlertTransition).
enum class TransitionReason {
    started,      ///< the condition began to hold: -> pending (no notification)
    fired,        ///< held for for_duration (or for_duration is 0): -> firing, notifies
    repeated,     ///< still firing, repeat_interval since the last notification: notifies again
    acknowledged, ///< a user acknowledged the firing instance: no more repeats
    cleared,      ///< the condition stopped holding while pending: -> inactive, never notifies
    resolved,     ///< the condition stopped holding while firing: -> resolved
    silenced,     ///< would have notified (fired, repeated, resolved) but a silence matched
};

/// "inactive", "pending", "firing", "resolved" (the store's AlertRecord::state).
[[nodiscard]] std::string_view alert_state_name(AlertState state) noexcept;

/// The inverse of alert_state_name; nullopt for any other text.
[[nodiscard]] std::optional<AlertState> parse_alert_state(std::string_view name) noexcept;

/// "started", "fired", "repeated", "acknowledged", "cleared", "resolved", "silenced".
[[nodiscard]] std::string_view transition_reason_name(TransitionReason reason) noexcept;

} // namespace dtwin::core::alerts
