#include "notify/mail_message.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/core/detail/base64.hpp>
#include <cctype>
#include <cstdio>
#include <random>

namespace dtwin::notify {

namespace {

namespace base64 = boost::beast::detail::base64;

constexpr std::string_view k_crlf = "\r\n";
/// RFC 5322 2.1.1: lines SHOULD stay within 78 characters.
constexpr std::size_t k_preferred_line = 78;
/// RFC 5322 2.1.1: lines MUST stay within 998 characters (without the CRLF).
constexpr std::size_t k_max_line = 998;
/// RFC 2047 2: a line holding an encoded word MUST stay within 76 characters.
constexpr std::size_t k_encoded_word_line = 76;
/// "=?UTF-8?B?" + "?=".
constexpr std::size_t k_encoded_word_overhead = 12;
/// RFC 2045 6.8: base64 lines of at most 76 characters.
constexpr std::size_t k_base64_line = 76;
/// Never inside a base64 body: '-', '_' and '=' followed by anything but line end are
/// not base64 (RFC 2045 5.1 suggests "=_" for this reason).
constexpr std::string_view k_boundary = "=_dtwin_alternative_0";

std::string encode_base64(std::string_view bytes) {
    std::string out(base64::encoded_size(bytes.size()), '\0');
    out.resize(base64::encode(out.data(), bytes.data(), bytes.size()));
    return out;
}

/// `bytes` in base64, CRLF after every k_base64_line characters and at the end.
std::string base64_body(std::string_view bytes) {
    const std::string encoded = encode_base64(bytes);
    std::string out;
    for (std::size_t pos = 0; pos < encoded.size(); pos += k_base64_line) {
        out.append(encoded, pos, k_base64_line).append(k_crlf);
    }
    return out;
}

std::string without_controls(std::string_view value) {
    std::string out(value);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            c = ' ';
        }
    }
    return out;
}

bool is_printable_ascii(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte > 0x7e) {
            return false;
        }
    }
    return true;
}

/// Printable ASCII folded before spaces so that lines stay near k_preferred_line; empty
/// when some word is too long for a line at all (the caller then encodes).
std::string fold_ascii(std::string_view value, std::size_t used) {
    std::string out;
    std::size_t line = used;
    std::size_t pos = 0;
    while (pos < value.size()) {
        // A piece is a run of spaces plus the word after it: folding goes before the spaces.
        std::size_t end = value.find_first_not_of(' ', pos);
        end = end == std::string_view::npos ? value.size() : value.find(' ', end);
        end = end == std::string_view::npos ? value.size() : end;
        const std::string_view piece = value.substr(pos, end - pos);
        // Never fold before spaces alone: a line of only white space is not allowed.
        const bool has_word = piece.find_first_not_of(' ') != std::string_view::npos;
        if (line + piece.size() > k_preferred_line && pos != 0 && piece.front() == ' ' && has_word) {
            out.append(k_crlf);
            line = 0;
        }
        if (line + piece.size() > k_max_line) {
            return {};
        }
        out.append(piece);
        line += piece.size();
        pos = end;
    }
    return out;
}

/// RFC 2047 B-encoded words, each on its own line within k_encoded_word_line, split only
/// before a byte that starts a UTF-8 character.
std::string encoded_words(std::string_view value, std::size_t used) {
    std::string out;
    std::size_t pos = 0;
    do {
        const std::size_t line = out.empty() ? used : 1; // continuation lines start with a space
        // Base64 characters that fit on the line (at least one group of 4: 3 bytes).
        const std::size_t room = line + k_encoded_word_overhead + 4 <= k_encoded_word_line
                                     ? k_encoded_word_line - line - k_encoded_word_overhead
                                     : 4;
        const std::size_t fits = std::min(room / 4 * 3, value.size() - pos);
        std::size_t take = fits;
        while (take > 0 && pos + take < value.size() &&
               (static_cast<unsigned char>(value[pos + take]) & 0xc0U) == 0x80U) {
            --take; // do not cut a multi-byte character
        }
        if (take == 0) {
            take = fits; // not UTF-8: cut anywhere
        }
        if (!out.empty()) {
            out.append(k_crlf).append(" ");
        }
        out.append("=?UTF-8?B?").append(encode_base64(value.substr(pos, take))).append("?=");
        pos += take;
    } while (pos < value.size());
    return out;
}

/// Letters, digits, spaces and RFC 5322 atext symbols: a phrase that needs no quotes.
bool is_plain_phrase(std::string_view text) {
    static constexpr std::string_view k_atext_symbols = "!#$%&'*+-/=?^_`{|}~ ";
    return std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || k_atext_symbols.find(c) != std::string_view::npos;
    });
}

/// A display name as a phrase: as it is when it needs no quotes, a quoted string when
/// ASCII, encoded words otherwise.
std::string display_name(std::string_view name, std::size_t used) {
    const std::string clean = without_controls(name);
    if (is_plain_phrase(clean) && clean.find("=?") == std::string::npos) {
        return clean;
    }
    if (is_printable_ascii(clean) && clean.find("=?") == std::string::npos) {
        std::string quoted = "\"";
        for (const char c : clean) {
            if (c == '"' || c == '\\') {
                quoted += '\\';
            }
            quoted += c;
        }
        return quoted + "\"";
    }
    return encoded_words(clean, used);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append(k_crlf);
}

void append_part(std::string& out, std::string_view content_type, std::string_view body) {
    out.append("Content-Type: ").append(content_type).append("; charset=utf-8").append(k_crlf);
    out.append("Content-Transfer-Encoding: base64").append(k_crlf).append(k_crlf);
    out.append(base64_body(body));
}

} // namespace

std::string encode_header_value(std::string_view name, std::string_view value) {
    const std::string clean = without_controls(value);
    const std::size_t used = name.size() + 2;
    // "=?" in plain text would be read as the start of an encoded word.
    if (is_printable_ascii(clean) && clean.find("=?") == std::string::npos) {
        std::string folded = fold_ascii(clean, used);
        if (!folded.empty() || clean.empty()) {
            return folded;
        }
    }
    return encoded_words(clean, used);
}

std::string format_mail_date(core::TimePoint time) {
    using namespace std::chrono;
    static constexpr std::array<const char*, 7> k_weekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss clock{floor<seconds>(time - day)};
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d +0000", k_weekdays[weekday{day}.c_encoding()],
                  static_cast<unsigned>(date.day()), k_months[static_cast<unsigned>(date.month()) - 1],
                  static_cast<int>(date.year()), static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()));
    return buffer;
}

std::string make_message_id(std::string_view notification_id, std::string_view from) {
    static constexpr std::string_view k_hex = "0123456789abcdef";
    std::string local = "dtwin.";
    if (notification_id.empty()) {
        std::random_device random;
        for (int i = 0; i < 32; ++i) {
            local += k_hex[random() % 16];
        }
    }
    for (const char c : notification_id) {
        const auto byte = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            local += c;
        } else {
            static constexpr std::string_view k_upper_hex = "0123456789ABCDEF";
            local += '%';
            local += k_upper_hex[byte >> 4U];
            local += k_upper_hex[byte & 0xfU];
        }
    }
    const std::size_t at = from.rfind('@');
    const std::string_view domain = at == std::string_view::npos ? std::string_view{} : from.substr(at + 1);
    return local + "@" + (is_plain_mail_address("x@" + std::string(domain)) ? std::string(domain) : "dtwin.invalid");
}

bool is_plain_mail_address(std::string_view address) {
    const std::size_t at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size() || address.size() > 254) {
        return false;
    }
    for (const char c : address) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte > 0x7e || std::string_view("<>\"(),;:\\[]").find(c) != std::string_view::npos) {
            return false;
        }
    }
    return address.find('@') == at; // exactly one '@'
}

std::string render_mail_message(const MailHeaders& headers, const Notification& notification) {
    std::string out;
    append_field(out, "Date", format_mail_date(headers.date));
    std::string from = "<" + headers.from + ">";
    if (!headers.from_name.empty()) {
        const std::string name = display_name(headers.from_name, std::string_view("From: ").size());
        // An encoded word's line must stay within 76 characters: the address goes on its own.
        from = name + (name.starts_with("=?") ? "\r\n " : " ") + from;
    }
    append_field(out, "From", from);
    std::string to;
    for (const std::string& address : headers.to) {
        to += (to.empty() ? "" : ",\r\n ") + address;
    }
    append_field(out, "To", to);
    append_field(out, "Subject", encode_header_value("Subject", notification.subject));
    append_field(out, "Message-ID", "<" + headers.message_id + ">");
    append_field(out, "MIME-Version", "1.0");
    append_field(out, "Auto-Submitted", "auto-generated");
    if (notification.html_body.empty()) {
        append_part(out, "text/plain", notification.text_body);
        return out;
    }
    out.append("Content-Type: multipart/alternative; boundary=\"").append(k_boundary).append("\"").append(k_crlf);
    out.append(k_crlf);
    out.append("This is a MIME message: a plain-text and an HTML version of the same text.").append(k_crlf);
    out.append("--").append(k_boundary).append(k_crlf);
    append_part(out, "text/plain", notification.text_body);
    out.append("--").append(k_boundary).append(k_crlf);
    append_part(out, "text/html", notification.html_body);
    out.append("--").append(k_boundary).append("--").append(k_crlf);
    return out;
}

} // namespace dtwin::notify
