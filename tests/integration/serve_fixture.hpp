// What the `dtwin serve` integration tests share: a real mosquitto, a data directory
// holding the example's models and twins (imported with the real `dtwin` binary), a
// `dtwin serve` process started and stopped by PID, and an MQTT client of the test's own
// that publishes and watches the server's topics. Tests only; one thread.
#pragma once

#include "core/time.hpp"
#include "mosquitto_process.hpp"
#include "mqtt/mqtt_client.hpp"
#include "store/store.hpp"

#include <boost/json/value.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dtwin::testing {

namespace fs = std::filesystem;

/// The example the tests run: examples/door-and-two-rooms.
fs::path example_dir();

/// A received MQTT message with the time the test saw it.
struct Received {
    std::string topic;
    std::string payload;
    std::chrono::steady_clock::time_point at;
};

/// The test's own MQTT client: publishes with QoS 1, records everything it receives.
class TestClient {
public:
    TestClient(const std::string& url, const std::string& client_id);
    ~TestClient();

    void subscribe(const std::string& filter);
    /// Publishes and waits for the broker's PUBACK (throws on failure).
    void publish(const std::string& topic, const std::string& payload, bool retain = false);
    /// Publishes without waiting.
    void publish_async(const std::string& topic, const std::string& payload);

    /// Waits until a message on `topic` (exact) whose JSON payload satisfies `accept`
    /// arrives; earlier ones count too. Returns its JSON, nullopt after `timeout`.
    std::optional<boost::json::value> wait_json(const std::string& topic,
                                                const std::function<bool(const boost::json::value&)>& accept,
                                                std::chrono::milliseconds timeout = std::chrono::seconds{10});
    /// Waits until a message on `topic` with exactly `payload` arrives.
    bool wait_text(const std::string& topic, const std::string& payload,
                   std::chrono::milliseconds timeout = std::chrono::seconds{10});
    /// Every message received so far on `topic`.
    std::vector<Received> received(const std::string& topic);
    /// Takes whatever events are queued now (records messages).
    void pump(std::chrono::milliseconds wait = std::chrono::milliseconds{0});
    void forget();

    mqtt::MqttClient& client() { return *m_client; }

private:
    std::unique_ptr<mqtt::MqttClient> m_client;
    std::vector<Received> m_received;
    std::vector<int> m_acked;
};

/// Broker + data directory + dtwin serve.
class ServeTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    /// What the test's own client subscribes to (before the server starts).
    virtual std::vector<std::string> observed_topics() const { return {"dtwin/#"}; }

    /// Writes a config file (TOML text) for the server and returns its path.
    fs::path write_config(const std::string& text);
    /// The example's dtwin.toml text.
    static std::string example_config();

    /// Starts `dtwin serve` with `config` and waits until its status is "online".
    void start_server(const fs::path& config, const std::vector<std::string>& extra_args = {});
    /// SIGTERM and waits: the exit status (expects a clean stop).
    int stop_server();
    /// SIGKILL.
    void kill_server();

    /// Runs `dtwin --data <data> ARGS...` to completion and returns its exit status.
    int run_dtwin(const std::vector<std::string>& args);

    /// Opens the data directory's store read-only (works while the server runs).
    std::unique_ptr<store::Store> open_store() const;
    /// The stored twin document.
    boost::json::value twin_json(const std::string& id) const;
    /// History of one property.
    std::vector<store::HistorySample> history(const std::string& twin, const std::string& property) const;

    fs::path m_dir;
    fs::path m_data;
    std::unique_ptr<MosquittoProcess> m_broker;
    std::unique_ptr<class ChildProcess> m_server;
    std::unique_ptr<TestClient> m_client;
    int m_config_count = 0;
    /// The port dtwin serve's API listens on (api.listen), free when the test started.
    int m_api_port = 0;
};

/// ISO-8601 of now + offset (device timestamps in payloads).
std::string iso_now(std::chrono::milliseconds offset = std::chrono::milliseconds{0});

} // namespace dtwin::testing
