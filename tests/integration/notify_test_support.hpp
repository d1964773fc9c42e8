// What the notification sink tests share: a typical notification (the prototype's door
// slam, reported late from a gateway's backlog). Tests only.
#pragma once

#include "core/time.hpp"
#include "notify/notification.hpp"
#include "notify/notification_text.hpp"

#include <boost/json/parse.hpp>
#include <string>
#include <string_view>

namespace dtwin::notify::testing {

/// 2026-11-24T21:26:15Z: when the slam happened.
inline core::TimePoint slam_time() {
    return *core::parse_time("2026-11-24T21:26:15Z");
}

/// The prototype's slam, reported 3 min 25.5 s after it happened, texts from
/// write_default_texts.
inline Notification door_slam() {
    Notification notification;
    notification.id = "door-1/door-slam/7";
    notification.twin_id = "door-1";
    notification.rule = "door-slam";
    notification.severity = "warning";
    notification.state = AlertState::firing;
    notification.event_time = slam_time();
    notification.report_time = slam_time() + std::chrono::milliseconds(205'500);
    notification.values = boost::json::parse(R"({"angularSpeed": 143.25, "doorOpen": true})").as_object();
    write_default_texts(notification, "The door was slammed");
    return notification;
}

inline bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

} // namespace dtwin::notify::testing
