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

class Sink {
public:
    virtual ~Sink() = default;

    /// Delivers one notification, blocking until the server took it or refused it, or
    /// the sink's timeout passed. Errors (ErrorCode::io) name the server in `where` (see
    /// endpoint()) and say why in `message`; nothing is retried here (the outbox does).
    virtual core::Result<void> send(const Notification& notification) = 0;

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
