#include "notify/outbox.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <system_error>

namespace dtwin::notify {

namespace json = boost::json;

namespace {

core::Error payload_error(std::string message, std::string_view where) {
    return {core::ErrorCode::invalid_json, "outbox payload: " + std::move(message), std::string(where)};
}

/// The string member @p key of @p object, or an error naming it.
core::Result<std::string> string_field(const json::object& object, std::string_view key, std::string_view where) {
    const json::value* value = object.if_contains(key);
    if (value == nullptr || !value->is_string()) {
        return std::unexpected(payload_error("\"" + std::string(key) + "\" missing or not a string", where));
    }
    return std::string(value->get_string());
}

core::Result<core::TimePoint> time_field(const json::object& object, std::string_view key, std::string_view where) {
    auto text = string_field(object, key, where);
    if (!text) {
        return std::unexpected(text.error());
    }
    auto time = core::parse_time(*text);
    if (!time) {
        return std::unexpected(payload_error("\"" + std::string(key) + "\" is not a time: " + *text, where));
    }
    return *time;
}

} // namespace

std::string outbox_payload(const Notification& notification) {
    json::object payload = notification_to_json(notification);
    payload["html"] = notification.html_body;
    return json::serialize(payload);
}

core::Result<Notification> notification_from_payload(std::string_view payload, std::string_view where) {
    std::error_code parse_error;
    json::value parsed = json::parse(payload, parse_error);
    if (parse_error || !parsed.is_object()) {
        return std::unexpected(payload_error("not a JSON object", where));
    }
    const json::object& object = parsed.get_object();
    Notification notification;
    if (const json::value* id = object.if_contains("id"); id != nullptr && id->is_string()) {
        notification.id = std::string(id->get_string());
    }
    for (auto [key, target] : {std::pair{"twinId", &notification.twin_id}, std::pair{"rule", &notification.rule},
                               std::pair{"severity", &notification.severity}, std::pair{"subject", &notification.subject},
                               std::pair{"text", &notification.text_body}, std::pair{"html", &notification.html_body}}) {
        auto value = string_field(object, key, where);
        if (!value) {
            return std::unexpected(value.error());
        }
        *target = std::move(*value);
    }
    auto state_text = string_field(object, "state", where);
    if (!state_text) {
        return std::unexpected(state_text.error());
    }
    auto state = parse_alert_state(*state_text);
    if (!state) {
        return std::unexpected(payload_error("\"state\" is neither firing nor resolved: " + *state_text, where));
    }
    notification.state = *state;
    auto event_time = time_field(object, "eventTime", where);
    auto report_time = time_field(object, "reportTime", where);
    if (!event_time || !report_time) {
        return std::unexpected(!event_time ? event_time.error() : report_time.error());
    }
    notification.event_time = *event_time;
    notification.report_time = *report_time;
    if (const json::value* values = object.if_contains("values"); values != nullptr && values->is_object()) {
        notification.values = values->get_object();
    }
    return notification;
}

std::string outbox_record_id(std::string_view notification_id, std::string_view sink) {
    std::string id(notification_id);
    id += '#';
    id += sink;
    return id;
}

void enqueue_notification(store::WriteBatch& batch, const Notification& notification,
                          std::span<const std::string> sinks, core::TimePoint now) {
    if (sinks.empty()) {
        return;
    }
    const std::string payload = outbox_payload(notification);
    for (const std::string& sink : sinks) {
        batch.put_outbox({.id = outbox_record_id(notification.id, sink),
                          .sink = sink,
                          .payload = payload,
                          .created_time = now,
                          .next_attempt_time = now,
                          .attempts = 0,
                          .last_error = {},
                          .failed = false});
    }
}

std::chrono::milliseconds retry_delay(std::uint32_t attempts, std::chrono::milliseconds min,
                                      std::chrono::milliseconds max) {
    std::chrono::milliseconds delay = min;
    for (std::uint32_t i = 1; i < attempts && delay < max; ++i) {
        delay *= 2;
    }
    return std::min(delay, max);
}

} // namespace dtwin::notify
