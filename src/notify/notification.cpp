#include "notify/notification.hpp"

namespace dtwin::notify {

namespace json = boost::json;

std::string_view alert_state_name(AlertState state) {
    switch (state) {
    case AlertState::firing:
        return "firing";
    case AlertState::resolved:
        return "resolved";
    }
    return "firing";
}

std::optional<AlertState> parse_alert_state(std::string_view name) {
    if (name == "firing") {
        return AlertState::firing;
    }
    if (name == "resolved") {
        return AlertState::resolved;
    }
    return std::nullopt;
}

std::chrono::microseconds lateness(const Notification& notification) {
    const auto late = notification.report_time - notification.event_time;
    return late > std::chrono::microseconds::zero() ? late : std::chrono::microseconds::zero();
}

json::object notification_to_json(const Notification& notification) {
    json::object out;
    if (!notification.id.empty()) {
        out["id"] = notification.id;
    }
    out["twinId"] = notification.twin_id;
    out["rule"] = notification.rule;
    out["severity"] = notification.severity;
    out["state"] = alert_state_name(notification.state);
    out["eventTime"] = core::format_time(notification.event_time);
    out["reportTime"] = core::format_time(notification.report_time);
    out["latenessSeconds"] = std::chrono::duration<double>(lateness(notification)).count();
    out["values"] = notification.values;
    out["subject"] = notification.subject;
    out["text"] = notification.text_body;
    return out;
}

} // namespace dtwin::notify
