// The standard subject, plain-text and HTML body of a notification, made from its
// structured fields, for callers (the alert lifecycle, tests, `dtwin` tools) that have no
// texts of their own. Every body names the twin, the rule, the severity, the state, the
// event time, when it was reported and how late, and every value.
//
// Threads: pure functions; any thread.
#pragma once

#include "notify/notification.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace dtwin::notify {

/// Sets notification.subject, text_body and html_body from its other fields. `message` is
/// the rule's rendered message template (one line, may be empty): it leads both bodies and
/// ends the subject. HTML special characters of every field are escaped.
///
/// Subject: "[dtwin] <rule> firing on <twin> (<severity>): <message>" or
///          "[dtwin] <rule> resolved on <twin>: <message>".
void write_default_texts(Notification& notification, std::string_view message);

/// A short human duration: "0 s", "850 ms", "12.5 s", "3 min 25 s", "2 h 5 min", "3 d 4 h".
[[nodiscard]] std::string format_duration(std::chrono::microseconds duration);

/// `text` with &, <, >, " and ' replaced by their HTML character references.
[[nodiscard]] std::string escape_html(std::string_view text);

} // namespace dtwin::notify
