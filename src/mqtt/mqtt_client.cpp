#include "mqtt/mqtt_client.hpp"

#include "core/bounded_queue.hpp"
#include "mqtt/broker_url.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mosquitto.h>
#include <mutex>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

namespace dtwin::mqtt {

namespace {

void init_library_once() {
    static std::once_flag once;
    // Never paired with mosquitto_lib_cleanup(): clients may live until exit.
    std::call_once(once, [] { mosquitto_lib_init(); });
}

struct MosquittoDeleter {
    void operator()(mosquitto* handle) const noexcept { mosquitto_destroy(handle); }
};
using MosquittoHandle = std::unique_ptr<mosquitto, MosquittoDeleter>;

/// The largest payload the MQTT remaining-length field can carry.
constexpr std::size_t k_max_payload = 268'435'455;

core::Result<void> check_options(const MqttClientOptions& options, const BrokerAddress& address) {
    using core::ErrorCode;
    if (options.client_id.empty()) {
        return core::fail(ErrorCode::invalid_value, "an MQTT client needs a client id", "client_id");
    }
    if (options.keepalive < std::chrono::seconds(5)) {
        return core::fail(ErrorCode::invalid_value, "keepalive must be at least 5 s", "keepalive");
    }
    if (options.password && !options.username) {
        return core::fail(ErrorCode::invalid_value, "a password needs a username", "password");
    }
    if (options.tls && !address.tls) {
        return core::fail(ErrorCode::invalid_value, "TLS files given but the broker URL is not mqtts://", "tls");
    }
    if (options.tls && options.tls->cert_file.empty() != options.tls->key_file.empty()) {
        return core::fail(ErrorCode::invalid_value, "a client certificate needs both cert_file and key_file", "tls");
    }
    if (options.last_will) {
        if (options.last_will->topic.empty()) {
            return core::fail(ErrorCode::invalid_value, "the last will needs a topic", "last_will.topic");
        }
        if (options.last_will->qos < 0 || options.last_will->qos > 2) {
            return core::fail(ErrorCode::invalid_value, "qos must be 0, 1 or 2", "last_will.qos");
        }
    }
    if (options.reconnect_backoff_min <= std::chrono::milliseconds::zero() ||
        options.reconnect_backoff_max < options.reconnect_backoff_min) {
        return core::fail(ErrorCode::invalid_value, "reconnect backoff needs 0 < min <= max", "reconnect_backoff");
    }
    return {};
}

/// Maps a libmosquitto return code to an Error: argument problems are the caller's
/// (invalid_value), the rest is the connection's or the system's (io).
std::unexpected<core::Error> library_error(int rc, std::string_view what, std::string where) {
    const bool callers_fault = rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_MALFORMED_UTF8 ||
                               rc == MOSQ_ERR_NOT_SUPPORTED || rc == MOSQ_ERR_QOS_NOT_SUPPORTED;
    return core::fail(callers_fault ? core::ErrorCode::invalid_value : core::ErrorCode::io,
                      std::string(what) + ": " + mosquitto_strerror(rc), std::move(where));
}

std::string endpoint(const BrokerAddress& address) {
    return address.host + ":" + std::to_string(address.port);
}

} // namespace

// Owns the libmosquitto handle and everything its callbacks touch. It lives behind a
// unique_ptr so its address, handed to libmosquitto as the callbacks' context, stays
// the same when the MqttClient moves.
class MqttClient::Session {
public:
    Session(MqttClientOptions options, BrokerAddress address)
        : m_options(std::move(options)), m_address(std::move(address)), m_events(m_options.event_queue_capacity) {}

    ~Session() { stop(); }

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    core::Result<void> set_up() {
        init_library_once();
        m_handle.reset(mosquitto_new(m_options.client_id.c_str(), m_options.clean_session, this));
        if (!m_handle) {
            return core::fail(core::ErrorCode::io, "cannot create an MQTT client (out of memory?)",
                              m_options.client_id);
        }
        mosquitto* handle = m_handle.get();
        mosquitto_connect_with_flags_callback_set(handle, &Session::on_connect);
        mosquitto_disconnect_callback_set(handle, &Session::on_disconnect);
        mosquitto_message_callback_set(handle, &Session::on_message);
        mosquitto_publish_callback_set(handle, &Session::on_publish);
        mosquitto_subscribe_callback_set(handle, &Session::on_subscribe);

        int rc = mosquitto_max_inflight_messages_set(handle, m_options.max_inflight);
        if (rc != MOSQ_ERR_SUCCESS) {
            return library_error(rc, "cannot set the inflight limit", "max_inflight");
        }
        rc = mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, m_options.tcp_nodelay ? 1 : 0);
        if (rc != MOSQ_ERR_SUCCESS) {
            return library_error(rc, "cannot set TCP_NODELAY", "tcp_nodelay");
        }
        if (m_options.username) {
            const char* password = m_options.password ? m_options.password->c_str() : nullptr;
            rc = mosquitto_username_pw_set(handle, m_options.username->c_str(), password);
            if (rc != MOSQ_ERR_SUCCESS) {
                return library_error(rc, "cannot set the credentials", "username");
            }
        }
        if (const auto& will = m_options.last_will) {
            rc = mosquitto_will_set(handle, will->topic.c_str(), static_cast<int>(will->payload.size()),
                                    will->payload.data(), will->qos, will->retain);
            if (rc != MOSQ_ERR_SUCCESS) {
                return library_error(rc, "cannot set the last will", "last_will");
            }
        }
        if (m_address.tls) {
            if (auto tls = set_up_tls(); !tls) {
                return tls;
            }
        }
        return {};
    }

    core::Result<void> connect() {
        if (m_started || m_stopped) {
            return core::fail(core::ErrorCode::invalid_value, "connect() may be called once per client",
                              m_options.client_id);
        }
        const auto keepalive = static_cast<int>(m_options.keepalive.count());
        const int rc = mosquitto_connect_async(m_handle.get(), m_address.host.c_str(), m_address.port, keepalive);
        if (rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_NOMEM) {
            return library_error(rc, "cannot start connecting", m_options.broker_url);
        }
        if (rc != MOSQ_ERR_SUCCESS) {
            report_failed_attempt(rc);
        }
        // From now on run_network() owns the socket: publish() and subscribe() only queue
        // and wake it. (Until here the CONNECT went out at once, so a refused first
        // attempt fails right here, with the endpoint in its reason.)
        mosquitto_threaded_set(m_handle.get(), true);
        m_started = true;
        m_network = std::jthread([this, rc](std::stop_token stop) { run_network(stop, rc); });
        return {};
    }

    core::Result<int> subscribe(std::string filter, int qos) {
        if (qos < 0 || qos > 2) {
            return core::fail(core::ErrorCode::invalid_value, "qos must be 0, 1 or 2", filter);
        }
        if (mosquitto_sub_topic_check(filter.c_str()) != MOSQ_ERR_SUCCESS) {
            return core::fail(core::ErrorCode::invalid_value, "not a valid subscription filter", filter);
        }
        // Held across the SUBSCRIBE so that on_connect() either sees the new filter or
        // runs before it and leaves this call to send it on the new connection.
        std::lock_guard lock(m_subscriptions_mutex);
        int mid = 0;
        const int rc = mosquitto_subscribe(m_handle.get(), &mid, filter.c_str(), qos);
        if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN) {
            return library_error(rc, "cannot subscribe", filter);
        }
        // Subscribing to a filter again replaces its QoS, as it does at the broker.
        const auto known = std::ranges::find(m_subscriptions, filter, &Subscription::first);
        if (known != m_subscriptions.end()) {
            known->second = qos;
        } else {
            m_subscriptions.emplace_back(std::move(filter), qos);
        }
        return rc == MOSQ_ERR_NO_CONN ? 0 : mid; // 0: remembered, issued on the next connection
    }

    core::Result<int> publish(std::string_view topic, std::string_view payload, int qos, bool retain) {
        const std::string topic_text(topic);
        if (qos < 0 || qos > 2) {
            return core::fail(core::ErrorCode::invalid_value, "qos must be 0, 1 or 2", topic_text);
        }
        if (payload.size() > k_max_payload) {
            return core::fail(core::ErrorCode::invalid_value, "payload larger than MQTT allows", topic_text);
        }
        int mid = 0;
        const int rc = mosquitto_publish(m_handle.get(), &mid, topic_text.c_str(), static_cast<int>(payload.size()),
                                         payload.data(), qos, retain);
        // QoS 1/2 messages stay queued in the library while disconnected and are sent
        // after the reconnect, so "no connection" is only a failure for QoS 0.
        if (rc == MOSQ_ERR_SUCCESS || (rc == MOSQ_ERR_NO_CONN && qos > 0)) {
            return mid;
        }
        return library_error(rc, "cannot publish", topic_text);
    }

    void stop() {
        if (m_stopped) {
            return;
        }
        m_stopped = true;
        // Closed first: a library thread waiting for room in a full queue must not keep
        // the join below waiting for ever.
        m_events.close();
        if (m_network.joinable()) {
            {
                // Either the network thread sees the stop before its next attempt, or the
                // attempt it started is the one this DISCONNECT ends.
                std::lock_guard lock(m_attempt_mutex);
                m_network.request_stop();
                mosquitto_disconnect(m_handle.get());
            }
            m_network.join();
        }
    }

    core::BoundedQueue<MqttEvent>& events() { return m_events; }
    [[nodiscard]] std::uint64_t callback_failures() const { return m_callback_failures.load(); }
    [[nodiscard]] const MqttClientOptions& options() const { return m_options; }

private:
    core::Result<void> set_up_tls() {
        const TlsFiles files = m_options.tls.value_or(TlsFiles{});
        const auto or_null = [](const std::string& text) { return text.empty() ? nullptr : text.c_str(); };
        // Without a CA file, trust the system's certificate directory.
        const char* ca_path = files.ca_file.empty() ? "/etc/ssl/certs" : nullptr;
        const int rc = mosquitto_tls_set(m_handle.get(), or_null(files.ca_file), ca_path, or_null(files.cert_file),
                                         or_null(files.key_file), nullptr);
        if (rc != MOSQ_ERR_SUCCESS) {
            return library_error(rc, "cannot set up TLS (check the CA, cert and key files)", "tls");
        }
        return {};
    }

    /// The network thread, in place of mosquitto_loop_start(), whose thread (libmosquitto
    /// 2.0.11) idles when the first attempt failed at once (broker not up yet), and ends
    /// for good, often without a disconnect callback, on a TLS error (a server
    /// certificate its CA did not sign, a refused client certificate). This one reports
    /// every failure and retries with the backoff until stop(). `rc`: the first attempt's.
    void run_network(const std::stop_token& stop, int rc) noexcept {
        try {
            std::mutex mutex;
            std::condition_variable_any wake;
            std::chrono::milliseconds delay = m_options.reconnect_backoff_min;
            while (true) {
                if (rc == MOSQ_ERR_SUCCESS) {
                    // Until the connection ends: lost, refused, or closed by stop()'s DISCONNECT.
                    while ((rc = mosquitto_loop(m_handle.get(), -1, 1)) == MOSQ_ERR_SUCCESS) {
                    }
                    if (!m_loss_reported.exchange(false) && !stop.stop_requested()) {
                        queue_event(
                            ConnectionLost{"connection to " + endpoint(m_address) + " failed: " + describe(rc)});
                    }
                    if (m_connected.exchange(false)) {
                        delay = m_options.reconnect_backoff_min;
                    }
                }
                std::unique_lock lock(mutex);
                wake.wait_for(lock, stop, delay, [] { return false; });
                delay = std::min(delay * 2, m_options.reconnect_backoff_max);
                std::lock_guard attempt(m_attempt_mutex);
                if (stop.stop_requested()) {
                    return;
                }
                rc = mosquitto_reconnect_async(m_handle.get());
                if (rc != MOSQ_ERR_SUCCESS) {
                    report_failed_attempt(rc);
                }
            }
        } catch (...) {
            ++m_callback_failures;
        }
    }

    /// Call right after the attempt, while errno still belongs to it.
    void report_failed_attempt(int rc) {
        std::string failure = describe(rc);
        queue_event(ConnectionLost{"cannot connect to " + endpoint(m_address) + ": " + failure});
    }

    static std::string describe(int rc) {
        if (rc == MOSQ_ERR_ERRNO) {
            return mosquitto_strerror(rc) + std::string(" (") + std::strerror(errno) + ")";
        }
        return mosquitto_strerror(rc);
    }

    void queue_event(MqttEvent event) {
        // false once stop() closed the queue: the owner no longer listens.
        if (m_events.push(std::move(event)) && m_options.on_event_queued) {
            m_options.on_event_queued();
        }
    }

    static Session& from(void* context) { return *static_cast<Session*>(context); }

    // Trampolines, run on the library thread. Each one only decodes and queues; nothing
    // may unwind into libmosquitto's C frames.

    static void on_connect(mosquitto* handle, void* context, int rc, int flags) noexcept {
        Session& self = from(context);
        try {
            if (rc != 0) {
                self.queue_event(
                    ConnectionLost{std::string("broker refused the connection: ") + mosquitto_connack_string(rc)});
                return;
            }
            self.m_connected = true;
            self.resubscribe(handle);
            self.queue_event(Connected{(flags & 1) != 0});
        } catch (...) {
            ++self.m_callback_failures;
        }
    }

    static void on_disconnect(mosquitto*, void* context, int rc) noexcept {
        Session& self = from(context);
        try {
            self.m_loss_reported = true;
            self.queue_event(ConnectionLost{rc == 0 ? std::string("disconnected on request") : describe(rc)});
        } catch (...) {
            ++self.m_callback_failures;
        }
    }

    static void on_message(mosquitto*, void* context, const mosquitto_message* message) noexcept {
        Session& self = from(context);
        try {
            Message event;
            event.topic = message->topic;
            if (message->payloadlen > 0) {
                event.payload.assign(static_cast<const char*>(message->payload),
                                     static_cast<std::size_t>(message->payloadlen));
            }
            event.qos = message->qos;
            event.retain = message->retain;
            self.queue_event(std::move(event));
        } catch (...) {
            ++self.m_callback_failures;
        }
    }

    static void on_publish(mosquitto*, void* context, int mid) noexcept {
        Session& self = from(context);
        try {
            self.queue_event(Published{mid});
        } catch (...) {
            ++self.m_callback_failures;
        }
    }

    static void on_subscribe(mosquitto*, void* context, int mid, int count, const int* granted) noexcept {
        Session& self = from(context);
        try {
            Subscribed event{mid, {}};
            if (granted != nullptr && count > 0) {
                event.granted_qos.assign(granted, granted + count);
            }
            self.queue_event(std::move(event));
        } catch (...) {
            ++self.m_callback_failures;
        }
    }

    /// Issues every remembered subscription again on a new connection; needed when the
    /// broker kept no session (clean session, or a broker restart without persistence).
    void resubscribe(mosquitto* handle) {
        std::lock_guard lock(m_subscriptions_mutex);
        for (const auto& [filter, qos] : m_subscriptions) {
            const int rc = mosquitto_subscribe(handle, nullptr, filter.c_str(), qos);
            if (rc != MOSQ_ERR_SUCCESS) {
                ++m_callback_failures;
            }
        }
    }

    MqttClientOptions m_options;
    BrokerAddress m_address;
    core::BoundedQueue<MqttEvent> m_events;
    std::mutex m_subscriptions_mutex;
    using Subscription = std::pair<std::string, int>; // filter, qos
    std::vector<Subscription> m_subscriptions;
    std::atomic<std::uint64_t> m_callback_failures{0};
    bool m_started = false;
    bool m_stopped = false;
    MosquittoHandle m_handle;                 // destroyed after the thread using it was joined by stop()
    std::mutex m_attempt_mutex;               // orders stop() against a connection attempt
    std::atomic<bool> m_connected{false};     // a CONNACK came since run_network() last looked
    std::atomic<bool> m_loss_reported{false}; // on_disconnect() came since run_network() last looked
    std::jthread m_network;
};

core::Result<MqttClient> MqttClient::create(MqttClientOptions options) {
    auto address = parse_broker_url(options.broker_url);
    if (!address) {
        return std::unexpected(address.error());
    }
    if (auto checked = check_options(options, *address); !checked) {
        return std::unexpected(checked.error());
    }
    auto session = std::make_unique<Session>(std::move(options), std::move(*address));
    if (auto ready = session->set_up(); !ready) {
        return std::unexpected(ready.error());
    }
    return MqttClient(std::move(session));
}

MqttClient::MqttClient(std::unique_ptr<Session> session) : m_session(std::move(session)) {}
MqttClient::MqttClient(MqttClient&&) noexcept = default;
MqttClient& MqttClient::operator=(MqttClient&&) noexcept = default;
MqttClient::~MqttClient() = default;

core::Result<void> MqttClient::connect() {
    return m_session->connect();
}

core::Result<int> MqttClient::subscribe(std::string filter, int qos) {
    return m_session->subscribe(std::move(filter), qos);
}

core::Result<int> MqttClient::publish(std::string_view topic, std::string_view payload, int qos, bool retain) {
    return m_session->publish(topic, payload, qos, retain);
}

void MqttClient::stop() {
    if (m_session) {
        m_session->stop();
    }
}

std::optional<MqttEvent> MqttClient::next_event() {
    return m_session->events().pop();
}

std::optional<MqttEvent> MqttClient::next_event_for(std::chrono::milliseconds timeout) {
    return m_session->events().pop_for(timeout);
}

std::optional<MqttEvent> MqttClient::try_next_event() {
    return m_session->events().try_pop();
}

std::uint64_t MqttClient::callback_failures() const {
    return m_session->callback_failures();
}

const MqttClientOptions& MqttClient::options() const {
    return m_session->options();
}

} // namespace dtwin::mqtt
