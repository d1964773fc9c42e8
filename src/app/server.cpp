#include "app/server.hpp"

#include "engine/event_json.hpp"
#include "ingest/envelope.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>
#include <type_traits>

namespace dtwin::app {

namespace json = boost::json;

namespace {

/// Longest wait for the next MQTT event: how soon a stop request is noticed.
constexpr std::chrono::milliseconds k_max_wait{100};
/// How often acknowledgements and silences written by the CLI are read from the store.
constexpr std::chrono::seconds k_alert_sync_interval{1};

} // namespace

void MqttWakeup::notify() {
    if (!m_posted.exchange(true)) {
        boost::asio::post(m_io, [this] {
            m_posted.store(false); // events queued from now on post again
            if (m_handler) {
                m_handler();
            }
        });
    }
}

Server::Server(boost::asio::io_context& io, MqttWakeup& wakeup, engine::Engine& engine, mqtt::MqttClient& client,
               const core::Clock& clock, ServeOptions options, notify::OutboxDelivery* outbox)
    : m_io(io), m_wakeup(wakeup), m_timer(io), m_engine(engine), m_client(client), m_clock(clock), m_options(options),
      m_outbox(outbox) {
    m_window_start = m_clock.now();
    m_next_stats = m_window_start + m_options.stats_interval;
    m_next_alert_sync = m_window_start + k_alert_sync_interval;
}

void Server::publish(std::string_view topic, std::string_view payload, int qos, bool retain) {
    if (auto sent = m_client.publish(topic, payload, qos, retain); !sent) {
        spdlog::debug("publish to {} failed: {}", topic, sent.error().to_string());
    }
}

std::chrono::milliseconds Server::wait_budget() const {
    const core::TimePoint now = m_clock.now();
    auto until = std::min(m_next_stats, m_next_alert_sync);
    if (auto deadline = m_engine.next_deadline(); deadline && *deadline < until) {
        until = *deadline;
    }
    if (until <= now) {
        return std::chrono::milliseconds{0};
    }
    // Round up: waking a little after a deadline is fine, spinning before it is not.
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - now);
    return std::min(wait, k_max_wait);
}

int Server::run(const std::atomic<bool>& stop) {
    for (const auto& filter : m_engine.subscriptions()) {
        if (auto subscribed = m_client.subscribe(filter, 1); !subscribed) {
            spdlog::error("cannot subscribe to {}: {}", filter, subscribed.error().to_string());
            return 1;
        }
        spdlog::info("subscribed to {}", filter);
    }
    m_stop = &stop;
    m_wakeup.set_handler([this] { drain(); });
    if (auto connected = m_client.connect(); !connected) {
        spdlog::error("cannot start the MQTT client: {}", connected.error().to_string());
        return 1;
    }
    // Corrections staged by Engine::start() (derived state that expired while down).
    if (!commit_and_publish()) {
        return 1;
    }
    arm_timer();
    m_io.run();
    m_wakeup.set_handler({});
    if (m_failed) {
        return 1;
    }
    const bool committed = !m_engine.has_pending() || commit_and_publish();
    publish_rejections();
    publish_counters();
    publish(k_status_topic, "offline", 1, true);
    // Give the last publishes a moment to reach the broker before DISCONNECT.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    while (std::chrono::steady_clock::now() < give_up) {
        auto event = m_client.next_event_for(std::chrono::milliseconds{50});
        if (!event) {
            break;
        }
    }
    m_client.stop();
    spdlog::info("stopped");
    return committed ? 0 : 1;
}

void Server::drain() {
    if (m_failed) {
        return;
    }
    while (m_engine.pending_messages() < m_options.max_group) {
        auto event = m_client.try_next_event();
        if (!event) {
            break;
        }
        handle(*event);
    }
    if (m_engine.pending_messages() >= m_options.max_group) {
        // A full group: commit it, then come back for the rest.
        boost::asio::post(m_io, [this] { drain(); });
    }
    after_input();
}

void Server::after_input() {
    if (m_failed) {
        return;
    }
    if (auto deadline = m_engine.next_deadline(); deadline && *deadline <= m_clock.now()) {
        m_engine.on_timers();
    }
    if (m_clock.now() >= m_next_alert_sync) {
        m_next_alert_sync = m_clock.now() + k_alert_sync_interval;
        if (auto synced = m_engine.sync_alert_requests(); !synced) {
            spdlog::warn("cannot read alert acknowledgements and silences: {}", synced.error().to_string());
        }
    }
    if (m_engine.has_pending() && !commit_and_publish()) {
        fail();
        return;
    }
    publish_rejections();
    if (m_clock.now() >= m_next_stats) {
        publish_counters();
    }
    arm_timer();
}

void Server::request_commit() {
    if (!m_commit_requested) {
        m_commit_requested = true;
        boost::asio::post(m_io, [this] {
            m_commit_requested = false;
            after_input();
        });
    }
}

void Server::arm_timer() {
    // Re-arming costs a system call and a cancelled handler; under load a drain runs per
    // message, so the timer only moves when the next deadline came closer. Firing early
    // is harmless: the handler looks at the deadlines again.
    const auto due = std::chrono::steady_clock::now() + wait_budget();
    if (m_timer_due && *m_timer_due <= due) {
        return;
    }
    m_timer_due = due;
    m_timer.expires_at(due);
    m_timer.async_wait([this](const boost::system::error_code& error) {
        if (error) {
            return; // cancelled: re-armed by whoever cancelled it
        }
        m_timer_due.reset();
        if (m_stop != nullptr && m_stop->load()) {
            m_io.stop();
            return;
        }
        after_input();
    });
}

void Server::fail() {
    m_failed = true;
    m_timer.cancel();
    m_io.stop();
}

void Server::handle(mqtt::MqttEvent& event) {
    std::visit(
        [&](auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, mqtt::Message>) {
                m_engine.on_message(value.topic, value.payload, m_clock.now());
            } else if constexpr (std::is_same_v<T, mqtt::Connected>) {
                spdlog::info("connected to {} (session {})", m_client.options().broker_url,
                             value.session_present ? "resumed" : "new");
                m_connected_once = true;
                m_mqtt_connected = true;
                publish(k_status_topic, "online", 1, true);
            } else if constexpr (std::is_same_v<T, mqtt::ConnectionLost>) {
                m_mqtt_connected = false;
                spdlog::warn("MQTT connection to {} lost: {} (retrying)", m_client.options().broker_url, value.reason);
            } else if constexpr (std::is_same_v<T, mqtt::Subscribed>) {
                for (int granted : value.granted_qos) {
                    if (granted == 128) {
                        spdlog::error("the broker refused a subscription");
                    }
                }
            }
        },
        event);
}

bool Server::commit_and_publish() {
    auto output = m_engine.commit();
    if (!output) {
        spdlog::critical("commit failed, stopping: {}", output.error().to_string());
        return false; // the engine already told its waiters (false)
    }
    if (m_outbox != nullptr && !output->alerts.empty()) {
        m_outbox->wake();
    }
    // API writes answer their clients now that the commit made them durable.
    for (auto& waiter : output->waiters) {
        waiter(true);
    }
    for (const auto& ack : output->acks) {
        publish(ingest::ack_topic(ack.gateway), ingest::encode_ack(ack.gateway, ack.highest_sequence), 1, true);
    }
    if (m_options.publish_events) {
        for (const auto& change : output->changes) {
            publish(std::string(k_twin_events_prefix) + change.twin_id,
                    json::serialize(engine::change_event_to_json(change)), 0, false);
        }
    }
    for (const auto& alert : output->alerts) {
        spdlog::warn("alert {} on {}: {} ({})", alert.rule, alert.twin_id,
                     core::alerts::alert_state_name(alert.transition.to), alert.message);
        publish(std::string(k_alerts_prefix) + alert.twin_id, json::serialize(engine::alert_notice_to_json(alert)), 1,
                false);
    }
    for (const auto& change : output->connectivity) {
        spdlog::info("twin {} is {} ({})", change.twin_id, change.online ? "online" : "offline", change.reason);
        if (m_options.publish_events) {
            publish(std::string(k_connectivity_events_prefix) + change.twin_id,
                    json::serialize(engine::connectivity_to_json(change)), 1, false);
        }
    }
    return true;
}

void Server::publish_rejections() {
    const core::TimePoint now = m_clock.now();
    for (const auto& report : m_engine.take_rejections()) {
        auto& [last_logged, suppressed] = m_log_state[report.reason];
        if (last_logged == core::TimePoint{} || now - last_logged >= m_options.stats_interval) {
            if (suppressed > 0) {
                spdlog::warn("rejected ({}): {} [and {} more {} since the last line]", report.reason, report.message,
                             suppressed, report.reason);
            } else {
                spdlog::warn("rejected ({}): {}", report.reason, report.message);
            }
            last_logged = now;
            suppressed = 0;
        } else {
            ++suppressed;
        }
        if (m_published_rejections < m_options.max_rejections_published) {
            ++m_published_rejections;
            publish(k_rejections_topic, json::serialize(engine::rejection_to_json(report)), 0, false);
        } else {
            ++m_unpublished_rejections;
        }
    }
}

void Server::publish_counters() {
    const core::TimePoint now = m_clock.now();
    json::object counters = engine::counters_to_json(m_engine.counters());
    counters["time"] = core::format_time(now);
    counters["rejectionsNotPublished"] = m_unpublished_rejections;
    publish(k_counters_topic, json::serialize(counters), 0, true);
    m_next_stats = now + m_options.stats_interval;
    m_window_start = now;
    m_published_rejections = 0;
}

} // namespace dtwin::app
