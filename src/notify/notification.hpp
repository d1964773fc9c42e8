// What an alert sink delivers: one notification about one (twin, rule) alert that started
// firing or resolved, as plain data, and its JSON rendering (the webhook body,
// docs/architecture.md "Notification sinks").
//
// Threads: plain values and pure functions; any thread.
#pragma once

#include "core/time.hpp"

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dtwin::notify {

/// Which transition of the alert a notification reports.
enum class AlertState {
    firing,   ///< the rule's condition started to hold (after its `for` duration)
    resolved, ///< the condition no longer holds
};

/// "firing" / "resolved": the names in JSON, config and mail texts.
[[nodiscard]] std::string_view alert_state_name(AlertState state);
/// The inverse of alert_state_name; nullopt for any other text.
[[nodiscard]] std::optional<AlertState> parse_alert_state(std::string_view name);

/// One notification, filled in by whoever raises the alert. Sinks only transport it: the
/// texts are not rebuilt from the structured fields (write_default_texts() in
/// notification_text.hpp does that for callers without texts of their own).
struct Notification {
    /// Stable id of this notification: retries of the same notification carry the same id,
    /// so receivers can drop duplicates (it becomes the mail's Message-ID and the webhook
    /// body's "id"). Empty: none; the SMTP sink then makes a random Message-ID per send.
    std::string id{};
    /// One line; control characters are replaced by spaces when it goes into a mail header.
    std::string subject{};
    /// The plain-text body (UTF-8).
    std::string text_body{};
    /// The HTML body (UTF-8): a complete document or a fragment. Empty: the mail has only
    /// the plain-text part.
    std::string html_body{};

    std::string twin_id{};
    /// The rule's name as configured.
    std::string rule{};
    /// As configured for the rule (e.g. "info", "warning", "critical"); free text here.
    std::string severity{};
    AlertState state = AlertState::firing;
    /// When what the alert reports happened: the source time of the sample that made the
    /// condition start (firing) or stop (resolved) holding.
    core::TimePoint event_time{};
    /// When dtwin learnt of it (the receive time of that sample; later than event_time when
    /// the sample arrived in a backlog after an outage).
    core::TimePoint report_time{};
    /// The values the rule looked at, by name (e.g. {"angularSpeed": 143.2}).
    boost::json::object values{};
};

/// report_time - event_time, or zero when the report is not later (a source clock slightly
/// ahead of ours).
[[nodiscard]] std::chrono::microseconds lateness(const Notification& notification);

/// The webhook body:
/// {"id": ..., "twinId": ..., "rule": ..., "severity": ..., "state": "firing"|"resolved",
///  "eventTime": ..., "reportTime": ..., "latenessSeconds": number, "values": {...},
///  "subject": ..., "text": ...}
/// Times as core::format_time writes them; "id" is left out when empty; the HTML body is
/// not included.
[[nodiscard]] boost::json::object notification_to_json(const Notification& notification);

} // namespace dtwin::notify
