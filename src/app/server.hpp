// The loop of `dtwin serve`: MQTT in, engine, store, MQTT out.
//
// One boost::asio::io_context, run by the caller of run(), owns the engine: everything
// that touches twin state is a handler on it (the design's "one io_context per daemon";
// the HTTP API joins the same loop). The MQTT client's library thread queues messages and
// wakes the loop through MqttWakeup; a drain handler feeds what is waiting to the engine,
// groups it into one commit (up to ServeOptions::max_group messages), and after the commit
// publishes the acks, change events and connectivity events. Rejections are logged
// (rate-limited per reason) and published to the diagnostics topic; counters are
// published every stats interval. Timers (occupancy, silence, retention) fire at their
// instant even when no message arrives. Every second the engine reads the acknowledgements
// and silences users wrote into the store (`dtwin alerts ack|silence`); after a commit that
// put alert notifications into the outbox, the outbox worker is woken.
//
// Topics (docs/protocol.md, "Server topics"):
//   dtwin/server/status                 "online" / "offline", retained; "offline" is also the last will
//   dtwin/gw/{gateway}/ack              acks, retained (protocol v1)
//   dtwin/events/twins/{twin}           change events (serve.publish_events)
//   dtwin/events/connectivity/{twin}    connectivity events (serve.publish_events)
//   dtwin/alerts/{twin}                 alert notifications of [[rule]]s (firing, resolved)
//   dtwin/diagnostics/rejections        one document per rejection
//   dtwin/diagnostics/counters          the engine's counters, retained
//
// Threads: run() on one thread (it runs the io_context); `stop` may be set from any
// thread or a signal handler; MqttWakeup::notify() is called on the MQTT library thread.
#pragma once

#include "core/time.hpp"
#include "engine/engine.hpp"
#include "mqtt/mqtt_client.hpp"
#include "notify/outbox_delivery.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dtwin::app {

inline constexpr std::string_view k_status_topic = "dtwin/server/status";
inline constexpr std::string_view k_twin_events_prefix = "dtwin/events/twins/";
inline constexpr std::string_view k_connectivity_events_prefix = "dtwin/events/connectivity/";
inline constexpr std::string_view k_alerts_prefix = "dtwin/alerts/";
inline constexpr std::string_view k_rejections_topic = "dtwin/diagnostics/rejections";
inline constexpr std::string_view k_counters_topic = "dtwin/diagnostics/counters";

struct ServeOptions {
    bool publish_events = true;
    /// Counters are published this often; a rejection reason is logged at most this often.
    std::chrono::milliseconds stats_interval{10'000};
    /// Most messages in one commit.
    std::size_t max_group = 5'000;
    /// Most rejection documents published per stats interval (the rest are counted only).
    std::size_t max_rejections_published = 1'000;
};

/// The bridge from the MQTT library thread to the server's io_context: give
/// `[&wakeup] { wakeup.notify(); }` as MqttClientOptions::on_event_queued. At most one
/// drain is posted at a time, however many messages arrive meanwhile.
class MqttWakeup {
public:
    explicit MqttWakeup(boost::asio::io_context& io) : m_io(io) {}
    /// Sets what a wake-up runs on the io_context (the Server sets it before connecting).
    void set_handler(std::function<void()> handler) { m_handler = std::move(handler); }
    /// Any thread: posts the handler unless one is already posted and not yet started.
    void notify();

private:
    boost::asio::io_context& m_io;
    std::function<void()> m_handler;
    std::atomic<bool> m_posted{false};
};

class Server {
public:
    /// Borrows all of them; they must outlive the server. The client is not connected yet
    /// and was created with `wakeup` as its on_event_queued. @p outbox (may be null: no
    /// sinks configured) is woken after commits with alerts.
    Server(boost::asio::io_context& io, MqttWakeup& wakeup, engine::Engine& engine, mqtt::MqttClient& client,
           const core::Clock& clock, ServeOptions options, notify::OutboxDelivery* outbox = nullptr);

    /// Subscribes, connects and runs the io_context until `stop` becomes true (noticed
    /// within 100 ms); then commits what is pending, publishes "offline" and disconnects.
    /// Returns the process exit status:
    /// 0 after a requested stop, 1 when a commit failed (the store is then behind the
    /// graph: a restart reloads it and gateways replay).
    int run(const std::atomic<bool>& stop);

    /// Commits soon (a handler posted to the io_context): for API writes, which answer
    /// their clients after that commit. Several requests before it run share one commit.
    void request_commit();

    /// True while the MQTT connection is up (for /readyz). io_context thread.
    [[nodiscard]] bool mqtt_connected() const noexcept { return m_mqtt_connected; }

private:
    /// Feeds the queued MQTT events to the engine (one group), then runs after_input().
    void drain();
    /// Timers, alert requests, the commit and what is published after it; arms the timer.
    void after_input();
    void arm_timer();
    void fail();
    void handle(mqtt::MqttEvent& event);
    [[nodiscard]] bool commit_and_publish();
    void publish_rejections();
    void publish_counters();
    [[nodiscard]] std::chrono::milliseconds wait_budget() const;
    void publish(std::string_view topic, std::string_view payload, int qos, bool retain);

    boost::asio::io_context& m_io;
    MqttWakeup& m_wakeup;
    boost::asio::steady_timer m_timer;
    std::optional<std::chrono::steady_clock::time_point> m_timer_due; ///< when m_timer fires; none: not armed
    const std::atomic<bool>* m_stop = nullptr;
    bool m_failed = false;
    engine::Engine& m_engine;
    mqtt::MqttClient& m_client;
    const core::Clock& m_clock;
    ServeOptions m_options;
    notify::OutboxDelivery* m_outbox;
    core::TimePoint m_next_stats;
    core::TimePoint m_next_alert_sync;
    core::TimePoint m_window_start;
    std::size_t m_published_rejections = 0;
    std::uint64_t m_unpublished_rejections = 0;
    /// Per reason: when it was last logged, and how many were not logged since.
    std::map<std::string, std::pair<core::TimePoint, std::uint64_t>, std::less<>> m_log_state;
    bool m_connected_once = false;
    bool m_mqtt_connected = false;
    bool m_commit_requested = false;
};

} // namespace dtwin::app
