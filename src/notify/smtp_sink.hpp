// Email over SMTP with libcurl: one multipart/alternative message (plain text + HTML, see
// mail_message.hpp) per notification, to every configured recipient at once, over
// smtp:// with optional STARTTLS or over smtps://, with optional AUTH.
//
// Threads: send() blocks for up to options.timeout. Call it from a delivery worker, never
// from the engine's thread or the io_context (see sink.hpp). One SmtpSink is used by one
// thread at a time; create() and the destructor on any thread.
#pragma once

#include "core/error.hpp"
#include "notify/sink.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::notify {

/// STARTTLS on smtp:// URLs (curl's CURLOPT_USE_SSL). Ignored for smtps://, which is TLS
/// from the first byte.
enum class StartTls {
    none,       ///< never: everything, credentials included, in clear text
    if_offered, ///< when the server offers it ("try"); clear text otherwise
    required,   ///< fail unless the server offers it and the handshake succeeds
};

/// "none", "try", "required": the names in config (notify.smtp.starttls).
[[nodiscard]] std::string_view starttls_name(StartTls mode);
/// The inverse of starttls_name; nullopt for any other text.
[[nodiscard]] std::optional<StartTls> parse_starttls(std::string_view name);

/// Field by field: `SmtpSinkOptions{.url = "smtp://127.0.0.1:2525", .from = "dtwin@example.org",
/// .to = {"ops@example.org"}}`.
struct SmtpSinkOptions {
    /// "smtp://host[:port]" (default port 25) or "smtps://host[:port]" (465). No path,
    /// query or credentials (see parse_endpoint_url).
    std::string url{};
    /// The default "try" (if_offered) keeps working with a local relay without TLS and
    /// encrypts whenever the server can; "required" for anything beyond loopback.
    StartTls starttls = StartTls::if_offered;
    /// Set: AUTH with the best mechanism both sides know (curl's choice, LOGIN or PLAIN
    /// with most servers), when the server offers AUTH; the server decides whether it is
    /// needed. Over smtp:// without TLS the password crosses the network in clear text.
    std::optional<std::string> username{};
    /// Only together with a username; unset: empty.
    std::optional<std::string> password{};
    /// The bare sender address: envelope sender (MAIL FROM) and From field.
    std::string from{};
    /// The name shown with `from`; empty: the bare address.
    std::string from_name = "dtwin";
    /// Bare addresses, at least one; all get the same message (To field lists them all).
    /// When the server refuses any recipient nothing is sent and send() fails.
    std::vector<std::string> to{};
    TlsOptions tls{};
    /// Bounds one send() completely: connection, TLS, dialogue and upload.
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    /// Bounds the TCP connection (and the smtps:// handshake); capped at `timeout`.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
};

class SmtpSink final : public Sink {
public:
    /// Checks the options (invalid_value, `where` = the option: url, from, to,
    /// password, timeout) and makes the curl handle (io when it cannot). Does not connect.
    static core::Result<SmtpSink> create(SmtpSinkOptions options);

    SmtpSink(SmtpSink&&) noexcept;
    SmtpSink& operator=(SmtpSink&&) noexcept;
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;
    ~SmtpSink() override;

    /// Renders the mail (Date now, Message-ID from notification.id; see mail_message.hpp)
    /// and hands it to the server. Succeeds once the server accepted the message for all
    /// recipients. Fails (io, `where` = endpoint()) with curl's reason and the server's
    /// error reply code when it sent one ("Login denied (server replied 535)"): server
    /// down or not answering within the timeout, STARTTLS required but not offered,
    /// certificate not trusted, AUTH refused (535) or required (530), sender or a
    /// recipient refused. A connection that stayed open from the previous send is reused.
    SendResult send(const Notification& notification) override;

    /// "smtp://host:port" or "smtps://host:port".
    [[nodiscard]] const std::string& endpoint() const override;
    [[nodiscard]] const SmtpSinkOptions& options() const;

private:
    struct State;
    explicit SmtpSink(std::unique_ptr<State> state);

    std::unique_ptr<State> m_state;
};

} // namespace dtwin::notify
