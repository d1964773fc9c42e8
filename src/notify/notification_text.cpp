#include "notify/notification_text.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <utility>
#include <vector>

namespace dtwin::notify {

namespace {

using namespace std::chrono;

/// "<n> <unit> <m> <subunit>", the second part left out when it is zero.
std::string two_units(long long whole, const char* unit, long long part, const char* subunit) {
    std::string out = std::to_string(whole) + " " + unit;
    if (part != 0) {
        out += " " + std::to_string(part) + " " + subunit;
    }
    return out;
}

/// A value as a reader expects it: numbers in their shortest round-trip form ("143.25",
/// not Boost.JSON's "1.4325E2"), strings without quotes, anything else as JSON.
std::string format_value(const boost::json::value& value) {
    if (value.is_double()) {
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value.get_double());
        return ec == std::errc{} ? std::string(buffer, end) : boost::json::serialize(value);
    }
    if (value.is_string()) {
        return std::string(value.get_string());
    }
    return boost::json::serialize(value);
}

/// The rows both bodies show, as (label, text) pairs, in order.
std::vector<std::pair<std::string, std::string>> fact_rows(const Notification& notification) {
    const std::string late = format_duration(lateness(notification));
    return {
        {"Twin", notification.twin_id},
        {"Rule", notification.rule},
        {"Severity", notification.severity},
        {"State", std::string(alert_state_name(notification.state))},
        {"Event time", core::format_time(notification.event_time)},
        {"Reported", core::format_time(notification.report_time)},
        {"Lateness", late},
    };
}

std::string text_body(const Notification& notification, std::string_view message) {
    std::string out;
    if (!message.empty()) {
        out.append(message).append("\n\n");
    }
    for (const auto& [label, text] : fact_rows(notification)) {
        out += label + ":" + std::string(12 - label.size(), ' ') + text + "\n";
    }
    out += "Values:";
    if (notification.values.empty()) {
        out += "      (none)";
    }
    out += "\n";
    for (const auto& [name, value] : notification.values) {
        out += "  " + std::string(name) + ": " + format_value(value) + "\n";
    }
    out += "\n-- \ndtwin\n";
    return out;
}

std::string html_body(const Notification& notification, std::string_view message) {
    std::string out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" +
                      escape_html(notification.subject) + "</title></head>\n<body>\n";
    if (!message.empty()) {
        out += "<p>" + escape_html(message) + "</p>\n";
    }
    out += "<table>\n";
    for (const auto& [label, text] : fact_rows(notification)) {
        out += "<tr><th align=\"left\">" + label + "</th><td>" + escape_html(text) + "</td></tr>\n";
    }
    out += "</table>\n<h3>Values</h3>\n";
    if (notification.values.empty()) {
        out += "<p>(none)</p>\n";
    } else {
        out += "<table>\n";
        for (const auto& [name, value] : notification.values) {
            out += "<tr><th align=\"left\">" + escape_html(name) + "</th><td>" + escape_html(format_value(value)) +
                   "</td></tr>\n";
        }
        out += "</table>\n";
    }
    out += "</body></html>\n";
    return out;
}

} // namespace

void write_default_texts(Notification& notification, std::string_view message) {
    std::string subject = "[dtwin] " + notification.rule + " " + std::string(alert_state_name(notification.state)) +
                          " on " + notification.twin_id;
    if (notification.state == AlertState::firing && !notification.severity.empty()) {
        subject += " (" + notification.severity + ")";
    }
    if (!message.empty()) {
        subject.append(": ").append(message);
    }
    notification.subject = std::move(subject);
    notification.text_body = text_body(notification, message);
    notification.html_body = html_body(notification, message);
}

std::string format_duration(microseconds duration) {
    if (duration < microseconds::zero()) {
        return "-" + format_duration(-duration);
    }
    if (duration == microseconds::zero()) {
        return "0 s";
    }
    if (duration < seconds(1)) {
        return std::to_string(duration_cast<milliseconds>(duration).count()) + " ms";
    }
    if (duration < minutes(1)) {
        // One decimal, rounded down: "12.5 s".
        const long long tenths = duration_cast<milliseconds>(duration).count() / 100;
        std::string out = std::to_string(tenths / 10);
        if (tenths % 10 != 0) {
            out += "." + std::to_string(tenths % 10);
        }
        return out + " s";
    }
    const long long total_seconds = duration_cast<seconds>(duration).count();
    if (duration < hours(1)) {
        return two_units(total_seconds / 60, "min", total_seconds % 60, "s");
    }
    if (duration < days(1)) {
        return two_units(total_seconds / 3600, "h", total_seconds % 3600 / 60, "min");
    }
    return two_units(total_seconds / 86400, "d", total_seconds % 86400 / 3600, "h");
}

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace dtwin::notify
