#include "engine/alert_records.hpp"

#include "notify/notification_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <system_error>

namespace dtwin::engine {

namespace json = boost::json;
using core::alerts::AlertSnapshot;
using core::alerts::AlertState;
using core::alerts::AlertTransition;

namespace {

void put_time(json::object& details, std::string_view key, const std::optional<core::TimePoint>& time) {
    if (time) {
        details[key] = core::format_time(*time);
    }
}

/// An optional time member: nullopt when absent, an error when present but no time.
core::Result<std::optional<core::TimePoint>> read_time(const json::object& details, std::string_view key,
                                                       const std::string& where) {
    const json::value* value = details.if_contains(key);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (value->is_string()) {
        if (auto time = core::parse_time(value->get_string())) {
            return time;
        }
    }
    return core::fail(core::ErrorCode::invalid_json, "alert details: \"" + std::string(key) + "\" is not a time",
                      where);
}

std::string string_member(const json::object& details, std::string_view key) {
    const json::value* value = details.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

} // namespace

std::string alert_id(std::string_view twin, std::string_view rule, std::uint64_t instance) {
    std::string id(twin);
    id += '/';
    id += rule;
    id += '/';
    id += std::to_string(instance);
    return id;
}

store::AlertRecord alert_record(const core::alerts::AlertKey& key, const AlertText& text,
                                const AlertTransition& transition, const AlertSnapshot& snapshot, const AckInfo& ack) {
    json::object details{
        {"severity", text.severity},
        {"message", text.message},
        {"instance", transition.instance},
        {"reason", core::alerts::transition_reason_name(transition.reason)},
        {"eventTime", core::format_time(transition.event_time)},
        {"reportTime", core::format_time(transition.report_time)},
        {"latenessMs", std::chrono::duration_cast<std::chrono::milliseconds>(transition.lateness).count()},
        {"values", transition.values},
    };
    put_time(details, "firedAt", transition.fired_at);
    const bool current = snapshot.instance == transition.instance;
    if (current) {
        put_time(details, "acknowledgedAt", snapshot.acknowledged_at);
        put_time(details, "lastNotifiedAt", snapshot.last_notified_at);
        put_time(details, "lastSampleAt", snapshot.last_sample_at);
    }
    if (!ack.by.empty()) {
        details["acknowledgedBy"] = ack.by;
    }
    if (!ack.comment.empty()) {
        details["ackComment"] = ack.comment;
    }
    return {alert_id(key.twin, key.rule, transition.instance),
            key.twin,
            key.rule,
            std::string(core::alerts::alert_state_name(transition.to)),
            transition.started_at,
            current ? snapshot.changed_at : transition.event_time,
            transition.resolved_at,
            json::serialize(details)};
}

notify::Notification alert_notification(const core::alerts::AlertKey& key, const AlertText& text,
                                        const AlertTransition& transition) {
    notify::Notification notification;
    notification.id = alert_id(key.twin, key.rule, transition.instance) + "/" +
                      std::string(core::alerts::transition_reason_name(transition.reason));
    if (transition.reason == core::alerts::TransitionReason::repeated) {
        notification.id += "/" + std::to_string(transition.report_time.time_since_epoch().count());
    }
    notification.twin_id = key.twin;
    notification.rule = key.rule;
    notification.severity = text.severity;
    notification.state =
        transition.to == AlertState::resolved ? notify::AlertState::resolved : notify::AlertState::firing;
    notification.event_time = transition.event_time;
    notification.report_time = transition.report_time;
    notification.values = transition.values;
    notify::write_default_texts(notification, text.message);
    return notification;
}

core::Result<RestoredAlert> restore_alert(const store::AlertRecord& record) {
    std::error_code parse_error;
    json::value parsed = json::parse(record.details, parse_error);
    if (parse_error || !parsed.is_object()) {
        return core::fail(core::ErrorCode::invalid_json, "alert details are not a JSON object", record.id);
    }
    const json::object& details = parsed.get_object();
    const auto state = core::alerts::parse_alert_state(record.state);
    const json::value* instance = details.if_contains("instance");
    if (!state || instance == nullptr || !instance->is_number()) {
        return core::fail(core::ErrorCode::invalid_json, "alert record without a valid state or instance", record.id);
    }
    RestoredAlert restored;
    AlertSnapshot& snapshot = restored.snapshot;
    snapshot.state = *state;
    std::error_code number_error;
    snapshot.instance = instance->to_number<std::uint64_t>(number_error);
    if (number_error) {
        return core::fail(core::ErrorCode::invalid_json, "alert details: \"instance\" is not a count", record.id);
    }
    snapshot.started_at = record.raised_time;
    snapshot.changed_at = record.updated_time;
    snapshot.resolved_at = record.resolved_time;
    for (auto [key, target] :
         {std::pair{"firedAt", &snapshot.fired_at}, std::pair{"acknowledgedAt", &snapshot.acknowledged_at},
          std::pair{"lastNotifiedAt", &snapshot.last_notified_at},
          std::pair{"lastSampleAt", &snapshot.last_sample_at}}) {
        auto time = read_time(details, key, record.id);
        if (!time) {
            return std::unexpected(time.error());
        }
        *target = *time;
    }
    if (const json::value* values = details.if_contains("values"); values != nullptr && values->is_object()) {
        snapshot.values = values->get_object();
    }
    restored.text = {string_member(details, "severity"), string_member(details, "message")};
    restored.ack = {string_member(details, "acknowledgedBy"), string_member(details, "ackComment")};
    return restored;
}

/// The time and author of an acknowledgement dtwin serve already applied, as the alert's
/// details hold them ("acknowledgedAt", "acknowledgedBy"); empty when there is none.
namespace {

std::string applied_acknowledgement(const store::AlertRecord& alert) {
    std::error_code ec;
    const json::value details = json::parse(alert.details, ec);
    if (ec || !details.is_object()) {
        return {};
    }
    const json::value* at = details.get_object().if_contains("acknowledgedAt");
    if (at == nullptr || !at->is_string()) {
        return {};
    }
    std::string text(at->get_string());
    const json::value* by = details.get_object().if_contains("acknowledgedBy");
    if (by != nullptr && by->is_string() && !by->get_string().empty()) {
        text += " by " + std::string(by->get_string());
    }
    return text;
}

} // namespace

core::Result<void> check_acknowledgeable(store::Store& store, const store::AlertRecord& alert) {
    if (alert.state != "firing") {
        return core::fail(core::ErrorCode::invalid_value,
                          "the alert is " + alert.state + "; only a firing alert can be acknowledged", alert.id);
    }
    if (const std::string applied = applied_acknowledgement(alert); !applied.empty()) {
        return core::fail(core::ErrorCode::already_exists, "the alert was already acknowledged at " + applied,
                          alert.id);
    }
    auto acks = store.list_alert_acks();
    if (!acks) {
        return std::unexpected(acks.error());
    }
    for (const auto& ack : *acks) {
        if (ack.alert_id == alert.id) {
            return core::fail(core::ErrorCode::already_exists,
                              "an acknowledgement was already requested at " + core::format_time(ack.requested_time) +
                                  "; dtwin serve has not applied it yet",
                              alert.id);
        }
    }
    return {};
}

} // namespace dtwin::engine
