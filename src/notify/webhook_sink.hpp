// A webhook: every notification as one HTTP POST of its JSON rendering
// (notification_to_json, the body documented in docs/architecture.md "Notification
// sinks") to a URL, with optional extra headers such as Authorization.
//
// Threads: send() blocks for up to options.timeout. Call it from a delivery worker, never
// from the engine's thread or the io_context (see sink.hpp). One WebhookSink is used by
// one thread at a time; create() and the destructor on any thread.
#pragma once

#include "core/error.hpp"
#include "notify/sink.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace dtwin::notify {

struct HttpHeader {
    std::string name;
    std::string value;
};

/// Field by field: `WebhookSinkOptions{.url = "https://hooks.example.org/dtwin",
/// .headers = {{"Authorization", "Bearer ..."}}}`.
struct WebhookSinkOptions {
    /// "http://host[:port]/path?query" or "https://..."; no credentials in the URL (send
    /// an Authorization header instead) and no fragment.
    std::string url{};
    /// Sent with every request after dtwin's own (Content-Type: application/json,
    /// User-Agent: dtwin/<version>); one of the same name replaces dtwin's. Names must be
    /// HTTP tokens, values must not hold control characters; Content-Length, Host and
    /// Transfer-Encoding are refused (curl sets them).
    std::vector<HttpHeader> headers{};
    TlsOptions tls{};
    /// Bounds one send() completely: connection, TLS, request and reply.
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    /// Bounds the TCP connection and the TLS handshake; capped at `timeout`.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
};

class WebhookSink final : public Sink {
public:
    /// Checks the options (invalid_value, `where` = the option: url, headers, timeout) and
    /// makes the curl handle (io when it cannot). Does not connect.
    static core::Result<WebhookSink> create(WebhookSinkOptions options);

    WebhookSink(WebhookSink&&) noexcept;
    WebhookSink& operator=(WebhookSink&&) noexcept;
    WebhookSink(const WebhookSink&) = delete;
    WebhookSink& operator=(const WebhookSink&) = delete;
    ~WebhookSink() override;

    /// POSTs serialize(notification_to_json(notification)). Succeeds on any 2xx status.
    /// Fails (io, `where` = endpoint()) on a status outside 2xx ("returned HTTP status
    /// 500", with the start of the reply body; redirects are not followed, so 3xx fails
    /// too), and with curl's reason when there is no reply: server down, timeout, TLS.
    /// A connection kept alive from the previous send is reused.
    SendResult send(const Notification& notification) override;

    /// "http://host:port" or "https://host:port": the path and query are left out (they
    /// often hold the webhook's secret).
    [[nodiscard]] const std::string& endpoint() const override;
    [[nodiscard]] const WebhookSinkOptions& options() const;

private:
    struct State;
    explicit WebhookSink(std::unique_ptr<State> state);

    std::unique_ptr<State> m_state;
};

} // namespace dtwin::notify
