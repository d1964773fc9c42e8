// The pure parts of notification delivery, table-driven: the texts made from a
// notification, its JSON (the webhook body), and the mail as it goes on the wire (header
// encoding and folding, Date, Message-ID, MIME structure). No I/O: these belong in
// tests/unit, and live here until the unit test binary links dtwin_notify; what a real
// server and Python's email package make of the mail is checked in notify_smtp_test.cpp.
#include "notify/mail_message.hpp"
#include "notify/notification_text.hpp"
#include "notify_test_support.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

namespace dtwin::notify {
namespace {

using namespace std::chrono_literals;
using testing::contains;
using testing::door_slam;
using testing::slam_time;

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find("\r\n", start);
        lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) {
            break;
        }
        start = end + 2;
    }
    return lines;
}

/// The decoded bytes of each "=?UTF-8?B?...?=" word in `value`.
std::vector<std::string> decoded_words(const std::string& value) {
    namespace base64 = boost::beast::detail::base64;
    std::vector<std::string> words;
    std::size_t pos = 0;
    while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
        const std::size_t begin = pos + 10;
        const std::size_t end = value.find("?=", begin);
        const std::string encoded = value.substr(begin, end - begin);
        std::string bytes(base64::decoded_size(encoded.size()), '\0');
        bytes.resize(base64::decode(bytes.data(), encoded.data(), encoded.size()).first);
        words.push_back(bytes);
        pos = end + 2;
    }
    return words;
}

TEST(NotifyDuration, ReadsAsAPersonWouldSayIt) {
    const std::vector<std::pair<std::chrono::microseconds, std::string>> cases = {
        {0us, "0 s"},         {850ms, "850 ms"},
        {999999us, "999 ms"}, {1s, "1 s"},
        {12'549ms, "12.5 s"}, {59'990ms, "59.9 s"},
        {60s, "1 min"},       {205'500ms, "3 min 25 s"},
        {3600s, "1 h"},       {2h + 5min + 59s, "2 h 5 min"},
        {24h, "1 d"},         {76h, "3 d 4 h"},
        {-5s, "-5 s"},
    };
    for (const auto& [duration, expected] : cases) {
        EXPECT_EQ(format_duration(duration), expected) << duration.count() << " us";
    }
}

TEST(NotifyTexts, DefaultTextsNameEverythingAndEscapeHtml) {
    Notification notification = door_slam();
    notification.twin_id = "<script>alert(1)</script>";
    notification.values["note"] = "a & b";
    write_default_texts(notification, "Tom's \"door\"");

    EXPECT_EQ(notification.subject, "[dtwin] door-slam firing on <script>alert(1)</script> (warning): Tom's \"door\"");
    EXPECT_TRUE(contains(notification.text_body, "Twin:        <script>alert(1)</script>\n"));
    EXPECT_TRUE(contains(notification.text_body, "Lateness:    3 min 25 s\n"));
    EXPECT_TRUE(contains(notification.text_body, "  angularSpeed: 143.25\n"));
    EXPECT_TRUE(contains(notification.text_body, "  note: a & b\n"));
    EXPECT_FALSE(contains(notification.html_body, "<script>"));
    EXPECT_TRUE(contains(notification.html_body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    EXPECT_TRUE(contains(notification.html_body, "<p>Tom&#39;s &quot;door&quot;</p>"));
    EXPECT_TRUE(contains(notification.html_body, "<td>a &amp; b</td>"));
}

TEST(NotifyJson, IsTheDocumentedWebhookBody) {
    const Notification notification = door_slam();
    const boost::json::object json = notification_to_json(notification);
    const std::set<std::string> keys = [&] {
        std::set<std::string> out;
        for (const auto& entry : json) {
            out.emplace(entry.key());
        }
        return out;
    }();
    EXPECT_EQ(keys, (std::set<std::string>{"id", "twinId", "rule", "severity", "state", "eventTime", "reportTime",
                                           "latenessSeconds", "values", "subject", "text"}));
    EXPECT_EQ(json.at("latenessSeconds").as_double(), 205.5);
    EXPECT_EQ(json.at("eventTime"), "2026-11-24T21:26:15.0000000Z");
    EXPECT_EQ(parse_alert_state("resolved"), AlertState::resolved);
    EXPECT_EQ(parse_alert_state("pending"), std::nullopt);
}

TEST(NotifyMailHeader, AsciiStaysReadableAndFoldsAtSpaces) {
    EXPECT_EQ(encode_header_value("Subject", "door slammed"), "door slammed");
    EXPECT_EQ(encode_header_value("Subject", ""), "");
    EXPECT_EQ(encode_header_value("Subject", "a\r\nBcc: x@example.org"), "a  Bcc: x@example.org");

    std::string long_subject;
    for (int i = 0; i < 30; ++i) {
        long_subject += "word" + std::to_string(i) + " ";
    }
    long_subject += "end";
    const std::string folded = encode_header_value("Subject", long_subject);
    const std::vector<std::string> lines = split_lines("Subject: " + folded);
    ASSERT_GT(lines.size(), 1U);
    std::string unfolded;
    for (const std::string& line : lines) {
        EXPECT_LE(line.size(), 78U) << line;
        EXPECT_NE(line.find_first_not_of(' '), std::string::npos) << "a line of only white space";
        unfolded += line;
    }
    EXPECT_EQ(unfolded, "Subject: " + long_subject); // unfolding = removing the CRLFs
}

TEST(NotifyMailHeader, NonAsciiBecomesEncodedWordsSplitBetweenCharacters) {
    const std::vector<std::string> values = {
        "Tür",
        "ein =?UTF-8?Q?nicht?= kodiertes Wort",                               // looks like an encoded word
        std::string(1200, 'x'),                                               // a word too long to fold
        "Ärger im Büro: Tür zugeknallt 🚪🚪🚪🚪🚪🚪🚪🚪 € ß " + std::string(40, 'y'), // 4-byte characters
    };
    for (const std::string& value : values) {
        const std::string encoded = encode_header_value("Subject", value);
        std::string joined;
        for (const std::string& line : split_lines("Subject: " + encoded)) {
            EXPECT_LE(line.size(), 76U) << line;
            for (const char c : line) {
                EXPECT_LT(static_cast<unsigned char>(c), 0x80U) << line;
            }
        }
        for (const std::string& word : decoded_words(encoded)) {
            ASSERT_FALSE(word.empty());
            EXPECT_NE(static_cast<unsigned char>(word.front()) & 0xc0U, 0x80U)
                << "an encoded word starts inside a character";
            joined += word;
        }
        EXPECT_EQ(joined, value);
    }
}

TEST(NotifyMailHeader, DateAndMessageId) {
    EXPECT_EQ(format_mail_date(slam_time() + 999ms), "Tue, 24 Nov 2026 21:26:15 +0000");
    EXPECT_EQ(format_mail_date(*core::parse_time("2000-02-29T00:00:05Z")), "Tue, 29 Feb 2000 00:00:05 +0000");

    EXPECT_EQ(make_message_id("door-1/door-slam/7", "alerts@example.org"), "dtwin.door-1%2Fdoor-slam%2F7@example.org");
    EXPECT_EQ(make_message_id("a b>c", "alerts@example.org"), "dtwin.a%20b%3Ec@example.org");
    EXPECT_EQ(make_message_id("x", "not-an-address"), "dtwin.x@dtwin.invalid");
    const std::string random_1 = make_message_id("", "alerts@example.org");
    const std::string random_2 = make_message_id("", "alerts@example.org");
    EXPECT_NE(random_1, random_2);
    EXPECT_EQ(random_1.size(), std::string("dtwin.@example.org").size() + 32);
}

TEST(NotifyMailHeader, OnlyBareAddressesAreAccepted) {
    for (const char* good : {"a@example.org", "first.last+tag@sub.example.org", "x@localhost"}) {
        EXPECT_TRUE(is_plain_mail_address(good)) << good;
    }
    for (const char* bad : {"", "a", "@example.org", "a@", "a@b@c", "A <a@example.org>", "a b@example.org",
                            "a@example.org\r\n", "\"a\"@example.org", "ä@example.org", "a,b@example.org"}) {
        EXPECT_FALSE(is_plain_mail_address(bad)) << bad;
    }
}

TEST(NotifyMailMessage, IsMultipartAlternativeWithCrlfLineEnds) {
    const Notification notification = door_slam();
    const std::string message = render_mail_message(MailHeaders{.from = "alerts@example.org",
                                                                .from_name = "dtwin alerts",
                                                                .to = {"a@example.org", "b@example.org"},
                                                                .message_id = "dtwin.1@example.org",
                                                                .date = slam_time()},
                                                    notification);
    for (std::size_t pos = message.find('\n'); pos != std::string::npos; pos = message.find('\n', pos + 1)) {
        ASSERT_TRUE(pos > 0 && message[pos - 1] == '\r') << "bare LF at " << pos;
    }
    EXPECT_TRUE(message.starts_with("Date: Tue, 24 Nov 2026 21:26:15 +0000\r\n"
                                    "From: dtwin alerts <alerts@example.org>\r\n"
                                    "To: a@example.org,\r\n b@example.org\r\n"
                                    "Subject: [dtwin] door-slam firing on door-1 (warning): The door was slammed\r\n"
                                    "Message-ID: <dtwin.1@example.org>\r\n"
                                    "MIME-Version: 1.0\r\n"
                                    "Auto-Submitted: auto-generated\r\n"
                                    "Content-Type: multipart/alternative; boundary=\"=_dtwin_alternative_0\"\r\n\r\n"))
        << message;
    const std::size_t text = message.find("Content-Type: text/plain; charset=utf-8\r\n");
    const std::size_t html = message.find("Content-Type: text/html; charset=utf-8\r\n");
    ASSERT_NE(text, std::string::npos);
    ASSERT_NE(html, std::string::npos);
    EXPECT_LT(text, html);
    EXPECT_TRUE(message.ends_with("\r\n--=_dtwin_alternative_0--\r\n"));
    for (const std::string& line : split_lines(message)) {
        EXPECT_LE(line.size(), 78U) << line;
    }
}

TEST(NotifyMailMessage, QuotesDisplayNamesThatNeedIt) {
    Notification notification = door_slam();
    const auto from_line = [&](const std::string& name) {
        const std::string message = render_mail_message(
            MailHeaders{.from = "a@example.org", .from_name = name, .to = {"b@example.org"}, .message_id = "m@x"},
            notification);
        const std::size_t start = message.find("From: ");
        return message.substr(start, message.find("\r\nTo:") - start);
    };
    EXPECT_EQ(from_line(""), "From: <a@example.org>");
    EXPECT_EQ(from_line("dtwin"), "From: dtwin <a@example.org>");
    EXPECT_EQ(from_line("dtwin (site \"north\")"), "From: \"dtwin (site \\\"north\\\")\" <a@example.org>");
    EXPECT_TRUE(from_line("Überwachung").starts_with("From: =?UTF-8?B?"));
}

} // namespace
} // namespace dtwin::notify
