// Where notifications go: the small interface every delivery sink implements (SMTP,
// webhook; MQTT later), so that the outbox that retries deliveries knows none of them.
//
// Threads: send() blocks on the network for up to the sink's timeout. Call it from a
// delivery worker thread, never from the engine's thread or the io_context: a slow mail
// server must not hold up ingestion. One sink object is not synchronised: one thread at a
// time (different sink objects may send concurrently from different threads).
#pragma once

#include "core/error.hpp"
#include "notify/notification.hpp"

#include <expected>
#include <string>

namespace dtwin::notify {

/// How a sink checks the server's certificate on TLS connections (smtps://, STARTTLS,
/// https://).
struct TlsOptions {
    /// A PEM file of CA certificates to trust instead of the system's (/etc/ssl/certs).
    /// Empty: the system's.
    std::string ca_file{};
    /// Skip checking the certificate and the host name. Tests and throwaway setups only:
    /// anyone on the path can read the mail and the credentials.
    bool insecure = false;
};

/// Why a delivery failed, and whether trying again later can help. `permanent` is set
/// when the server refused this notification for good (SMTP 5xx replies: recipient or
/// sender refused, authentication refused; HTTP 4xx other than 408, 425 and 429): the
/// outbox then stops retrying it and keeps it as failed. Everything else (server down,
/// timeout, TLS handshake, SMTP 4xx, HTTP 5xx) is worth retrying.
struct SendError : core::Error {
    bool permanent = false;
};

using SendResult = std::expected<void, SendError>;

class Sink {
public:
    virtual ~Sink() = default;

    /// Delivers one notification, blocking until the server took it or refused it, or
    /// the sink's timeout passed. Errors (ErrorCode::io) name the server in `where` (see
    /// endpoint()), say why in `message` and whether it is permanent; nothing is retried
    /// here (the outbox does).
    virtual SendResult send(const Notification& notification) = 0;

    /// The server, for logs and errors: "smtp://mail.example.org:587",
    /// "https://hooks.example.org:443". Never credentials, paths or queries (a webhook's
    /// path often holds its secret).
    [[nodiscard]] virtual const std::string& endpoint() const = 0;

protected:
    Sink() = default;
    Sink(const Sink&) = default;
    Sink(Sink&&) = default;
    Sink& operator=(const Sink&) = default;
    Sink& operator=(Sink&&) = default;
};

} // namespace dtwin::notify
