// An MQTT client over libmosquitto: connects in the background, reconnects by itself
// with backoff, re-issues its subscriptions after every reconnect, and hands everything
// it receives to its owner as MqttEvent values through a bounded queue.
//
// Threads. A network thread runs libmosquitto's loop (started by connect(), joined by
// stop() or the destructor). That thread only decodes and pushes events; it never
// calls back into the owner. Everything else happens on the owner's thread:
//   - create(), connect(), stop(), the destructor: one owner thread;
//   - publish(), subscribe(): any thread, also concurrently (libmosquitto locks);
//   - next_event(), next_event_for(), try_next_event(): any thread (normally the owner).
//
// Back-pressure: when the event queue is full the library thread waits for room, so it
// stops reading from the socket and the broker holds further messages. Drain the queue.
#pragma once

#include "core/error.hpp"
#include "mqtt/mqtt_event.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace dtwin::mqtt {

/// Files for TLS (mqtts:// URLs). Without a CA file the system's certificates
/// (/etc/ssl/certs) are trusted. A client certificate needs both cert and key.
struct TlsFiles {
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
};

/// The message the broker publishes on the client's behalf when its connection dies
/// without a DISCONNECT (crash, network loss, keepalive timeout).
struct LastWill {
    std::string topic;
    std::string payload;
    int qos = 1;
    bool retain = false;
};

struct MqttClientOptions {
    /// "mqtt://host[:port]" or "mqtts://host[:port]"; see parse_broker_url().
    std::string broker_url = "mqtt://127.0.0.1:1883";
    /// Must be non-empty: a persistent session is keyed by it.
    std::string client_id;
    /// false (default): the broker keeps subscriptions and queued QoS 1/2 messages for
    /// this client id while it is away. true: every connection starts afresh.
    bool clean_session = false;
    /// Longest silence before a PINGREQ; the broker drops the client after 1.5x this.
    /// libmosquitto requires at least 5 s.
    std::chrono::seconds keepalive{30};
    std::optional<std::string> username;
    /// Only used together with a username.
    std::optional<std::string> password;
    /// Only with an mqtts:// URL; mqtts:// without it trusts the system certificates.
    std::optional<TlsFiles> tls;
    std::optional<LastWill> last_will;
    /// Wait before the first reconnect attempt; it grows after each failed attempt up
    /// to the maximum (it doubles).
    std::chrono::milliseconds reconnect_backoff_min{std::chrono::seconds(1)};
    std::chrono::milliseconds reconnect_backoff_max{std::chrono::seconds(30)};
    /// QoS 1/2 messages sent but not yet acknowledged; further publishes wait in the
    /// library's own queue (publish() still succeeds). 0 = no limit.
    unsigned max_inflight = 20;
    /// TCP_NODELAY on the broker connection. On by default: a client that answers a
    /// received message with a small publish (an ack, an event) would otherwise have it
    /// held back by Nagle's algorithm until the broker's delayed ACK, up to 40 ms
    /// (measured: docs/benchmarks.md, "Ingest").
    bool tcp_nodelay = true;
    /// Capacity of the event queue (see back-pressure above).
    std::size_t event_queue_capacity = 10'000;
    /// Called on the library thread after each event was queued, so that an owner with
    /// an event loop can schedule a drain (e.g. post to its io_context) instead of
    /// blocking in next_event(). Must be quick, must not throw and must not call back
    /// into the client. Empty: none.
    std::function<void()> on_event_queued;
};

class MqttClient {
public:
    /// Checks the options (invalid_value naming the option or the URL) and sets up the
    /// library handle (io on failure). Does not connect yet.
    static core::Result<MqttClient> create(MqttClientOptions options);

    /// A moved-from client may only be destroyed or assigned to.
    MqttClient(MqttClient&&) noexcept;
    MqttClient& operator=(MqttClient&&) noexcept;
    MqttClient(const MqttClient&) = delete;
    MqttClient& operator=(const MqttClient&) = delete;
    /// stop(), then frees the library handle.
    ~MqttClient();

    /// Starts the library thread and the first connection attempt, without waiting for
    /// it: success arrives as Connected, failure as ConnectionLost, after which the
    /// client retries by itself with backoff. An unreachable broker is not an error here;
    /// options libmosquitto refuses are (invalid_value), as is a second call.
    core::Result<void> connect();

    /// Subscribes to `filter` at `qos` (0..2) and remembers it: after every reconnect all
    /// remembered subscriptions are issued again. While disconnected the filter is only
    /// remembered; subscribing to a remembered filter again changes its QoS. Returns the
    /// message id of the SUBSCRIBE (0 when none was sent now). Bad filter or qos:
    /// invalid_value.
    core::Result<int> subscribe(std::string filter, int qos);

    /// Queues a message; returns its message id, matched later by Published{mid}.
    /// While disconnected, QoS 1/2 messages wait in the library and go out after the
    /// reconnect; QoS 0 messages fail (io). Invalid topics or qos: invalid_value.
    core::Result<int> publish(std::string_view topic, std::string_view payload, int qos, bool retain = false);

    /// Sends DISCONNECT (so no last will), stops reconnecting and joins the library
    /// thread. Closes the event queue first: events not yet queued are dropped, queued
    /// ones can still be drained, then the next_event functions return nullopt.
    /// Idempotent.
    void stop();

    /// The next event; waits for one. nullopt once stopped and drained.
    std::optional<MqttEvent> next_event();
    /// The next event, waiting at most `timeout`; nullopt on timeout too.
    std::optional<MqttEvent> next_event_for(std::chrono::milliseconds timeout);
    /// The next event if one is queued, without waiting.
    std::optional<MqttEvent> try_next_event();

    /// How many library callbacks failed (an exception caught at the C boundary, such
    /// as out of memory while copying a message). Such events are lost.
    [[nodiscard]] std::uint64_t callback_failures() const;

    [[nodiscard]] const MqttClientOptions& options() const;

private:
    class Session;
    explicit MqttClient(std::unique_ptr<Session> session);

    std::unique_ptr<Session> m_session;
};

} // namespace dtwin::mqtt
