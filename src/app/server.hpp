// The loop of `dtwin serve`: MQTT in, engine, store, MQTT out.
//
// One thread (the caller of run()) owns the engine. It takes the messages the MQTT
// client's library thread queued, feeds them to the engine, groups whatever is waiting
// into one commit (up to ServeOptions::max_group messages), and after the commit
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
// Threads: run() on one thread; request_stop() from any thread or a signal handler.
#pragma once

#include "core/time.hpp"
#include "engine/engine.hpp"
#include "mqtt/mqtt_client.hpp"
#include "notify/outbox_delivery.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
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

class Server {
public:
    /// Borrows all of them; they must outlive the server. The client is not connected yet.
    /// @p outbox (may be null: no sinks configured) is woken after commits with alerts.
    Server(engine::Engine& engine, mqtt::MqttClient& client, const core::Clock& clock, ServeOptions options,
           notify::OutboxDelivery* outbox = nullptr);

    /// Subscribes, connects and runs until `stop` becomes true; then commits what is
    /// pending, publishes "offline" and disconnects. Returns the process exit status:
    /// 0 after a requested stop, 1 when a commit failed (the store is then behind the
    /// graph: a restart reloads it and gateways replay).
    int run(const std::atomic<bool>& stop);

private:
    void handle(mqtt::MqttEvent& event);
    [[nodiscard]] bool commit_and_publish();
    void publish_rejections();
    void publish_counters();
    [[nodiscard]] std::chrono::milliseconds wait_budget() const;
    void publish(std::string_view topic, std::string_view payload, int qos, bool retain);

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
};

} // namespace dtwin::app
