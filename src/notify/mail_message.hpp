// The mail an SmtpSink sends: an RFC 5322 message with MIME (RFC 2045-2047) built from a
// notification, ready for the DATA phase of SMTP: CRLF line ends, every line under 998
// octets, only 7-bit characters (the UTF-8 bodies are base64, a non-ASCII subject or
// sender name is an RFC 2047 encoded word), so any SMTP server takes it as it is.
//
// Threads: pure functions; any thread.
#pragma once

#include "core/time.hpp"
#include "notify/notification.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::notify {

/// The header fields that do not come from the notification.
struct MailHeaders {
    /// The From address, bare ("alerts@example.org"); also the envelope sender.
    std::string from{};
    /// The name shown with it ("dtwin alerts"); may be empty or non-ASCII.
    std::string from_name{};
    /// Bare addresses; at least one.
    std::vector<std::string> to{};
    /// Without the angle brackets: "dtwin.1234@example.org" (see make_message_id).
    std::string message_id{};
    /// When the message was written (the Date field).
    core::TimePoint date{};
};

/// The whole message: Date, From, To, Subject, Message-ID, MIME-Version, Auto-Submitted
/// (auto-generated, so vacation responders stay quiet), then a multipart/alternative body
/// with the plain-text part first and the HTML part second (readers show the last part
/// they can), each UTF-8 in base64. Without an HTML body, a single text/plain body.
[[nodiscard]] std::string render_mail_message(const MailHeaders& headers, const Notification& notification);

/// A header field's value as it goes on the wire after `name` and ": ": control characters
/// (CR and LF too: no header injection) replaced by spaces; printable ASCII as it is,
/// folded at spaces to keep lines near 78 characters; anything else (or a word too long to
/// fold) as RFC 2047 "=?UTF-8?B?...?=" encoded words of at most 75 characters, split
/// between UTF-8 characters, one per line.
[[nodiscard]] std::string encode_header_value(std::string_view name, std::string_view value);

/// RFC 5322 date-time in UTC: "Tue, 24 Nov 2026 21:26:15 +0000".
[[nodiscard]] std::string format_mail_date(core::TimePoint time);

/// "dtwin.<id>@<domain of from>" with every character of `notification_id` other than
/// letters, digits, '-' and '_' written as %XX; a random 128-bit hex id instead when
/// `notification_id` is empty; "dtwin.invalid" when `from` has no domain.
[[nodiscard]] std::string make_message_id(std::string_view notification_id, std::string_view from);

/// Whether `address` is a bare address an SmtpSink accepts: local@domain, both parts
/// non-empty, printable ASCII without spaces, angle brackets, quotes, commas, semicolons,
/// parentheses or backslashes (so it needs no quoting anywhere).
[[nodiscard]] bool is_plain_mail_address(std::string_view address);

} // namespace dtwin::notify
