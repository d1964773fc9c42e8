// A real SMTP server for integration tests and benchmarks: Debian's aiosmtpd
// (`/usr/bin/python3 -m aiosmtpd`) on a loopback port chosen at run time, with a small
// handler, generated into the server's temporary directory, that records every message it
// accepts: the envelope (MAIL FROM, RCPT TO), the AUTH user, the raw message, and the
// message as Python's email package decodes it (header fields with RFC 2047 undone, each
// MIME part's text, and the defects it found). Optionally STARTTLS or implicit TLS with a
// throwaway self-signed certificate, and AUTH for one user.
//
// Tests only; create, use and destroy it from one thread. Everything it generates, keys
// included, lives in its temporary directory and goes with it.
#pragma once

#include "child_process.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dtwin::testing {

/// The one user the server lets in when it requires AUTH.
struct SmtpCredentials {
    std::string username;
    std::string password;
};

/// Field by field: `SmtpServerOptions{.starttls = true, .credentials = SmtpCredentials{"u", "p"}}`.
struct SmtpServerOptions {
    /// 127.0.0.1:`port`; 0: a free port.
    std::uint16_t port = 0;
    /// Offers STARTTLS and refuses MAIL before it (aiosmtpd's require_starttls).
    bool starttls = false;
    /// TLS from the first byte (smtps://). Not together with starttls.
    bool implicit_tls = false;
    /// Set: AUTH PLAIN and LOGIN for this user only, and MAIL is refused (530) before a
    /// successful AUTH. Implies starttls: aiosmtpd's command line offers AUTH only after
    /// STARTTLS (auth_require_tls cannot be switched off there).
    std::optional<SmtpCredentials> credentials{};
};

struct ReceivedMailPart {
    /// "text/plain", "text/html", ...
    std::string content_type;
    /// Declared charset ("utf-8"); empty when none.
    std::string charset;
    /// The decoded text (transfer encoding and charset undone).
    std::string text;
};

/// One message the server accepted.
struct ReceivedMail {
    /// The envelope: MAIL FROM and every RCPT TO, as the client sent them.
    std::string mail_from;
    std::vector<std::string> recipients;
    /// The user of a successful AUTH; empty without.
    std::string authenticated_user;
    /// Whether the session was encrypted (STARTTLS or implicit TLS).
    bool tls = false;
    /// The message as received (after SMTP dot-unstuffing), CRLF line ends.
    std::string content;
    /// Header fields in order, values decoded (RFC 2047 undone, folding removed).
    std::vector<std::pair<std::string, std::string>> headers;
    /// The leaf MIME parts in order (one for a single-part message).
    std::vector<ReceivedMailPart> parts;
    /// What Python's email parser found wrong with the message ("MissingHeaderBodySeparatorDefect", ...).
    std::vector<std::string> defects;
    /// The client's TCP port: mails with the same port came over one connection.
    std::uint16_t peer_port = 0;
    /// When the server received the MAIL command, the end of the DATA (the whole message),
    /// and when the message was recorded, just before the 250 reply that accepts it: ns
    /// since the epoch on CLOCK_REALTIME, comparable with std::chrono::system_clock here.
    std::int64_t mail_ns = 0;
    std::int64_t data_end_ns = 0;
    std::int64_t accepted_ns = 0;

    /// The decoded value of the first header field called `name` (any case); nullopt when
    /// there is none.
    [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
    /// The first part of `content_type`; nullptr when there is none.
    [[nodiscard]] const ReceivedMailPart* part(std::string_view content_type) const;
};

class SmtpServerProcess {
public:
    static constexpr const char* k_python = "/usr/bin/python3";
    /// Makes the TLS certificate.
    static constexpr const char* k_openssl_binary = "/usr/bin/openssl";

    /// Empty when k_python exists and can import aiosmtpd; otherwise why not, for
    /// GTEST_SKIP() (e.g. "... install python3-aiosmtpd: scripts/setup").
    static std::string unavailable_reason();
    /// Empty when k_openssl_binary is executable; otherwise why TLS options cannot work.
    static std::string tls_unavailable_reason();

    /// Starts the server and returns once it accepts connections. Throws
    /// std::runtime_error (with the server's output) when it cannot be started within a
    /// few seconds, or when openssl fails to make the certificate.
    explicit SmtpServerProcess(SmtpServerOptions options = {});
    /// stop(), then removes the temporary directory.
    ~SmtpServerProcess();

    SmtpServerProcess(const SmtpServerProcess&) = delete;
    SmtpServerProcess& operator=(const SmtpServerProcess&) = delete;

    /// SIGTERM, SIGKILL if it has not exited after a timeout; reaps it. Idempotent.
    /// Messages received so far stay readable.
    void stop();
    /// stop(), then the same server again on the same port (messages already received are
    /// kept and numbering goes on). Throws std::runtime_error when it does not start.
    void restart();

    [[nodiscard]] std::uint16_t port() const { return m_port; }
    /// "smtp://127.0.0.1:<port>", or "smtps://..." with implicit TLS.
    [[nodiscard]] std::string url() const;
    /// The server's self-signed certificate (PEM): what a client trusts as its CA file.
    /// Empty without TLS.
    [[nodiscard]] const std::filesystem::path& ca_file() const { return m_ca_file; }

    /// Every message accepted so far, in order of arrival.
    [[nodiscard]] std::vector<ReceivedMail> messages() const;
    /// Waits until at least `count` messages have arrived or `timeout` passes; returns all
    /// messages so far either way.
    [[nodiscard]] std::vector<ReceivedMail> wait_for_messages(std::size_t count,
                                                              std::chrono::milliseconds timeout) const;

    /// The server's stdout and stderr, for failure messages.
    [[nodiscard]] std::string output() const;

private:
    void write_handler() const;
    void write_certificate();
    bool start(std::uint16_t port);
    bool try_start(std::uint16_t port);
    [[nodiscard]] std::size_t message_count() const;

    SmtpServerOptions m_options;
    std::filesystem::path m_dir;
    std::filesystem::path m_mail_dir;
    std::filesystem::path m_ca_file;
    std::filesystem::path m_key_file;
    std::uint16_t m_port = 0;
    std::optional<ChildProcess> m_server;
};

} // namespace dtwin::testing
