// MqttClient against a real mosquitto on a loopback port of its own per test.
#include "mosquitto_process.hpp"
#include "mqtt/mqtt_client.hpp"
#include "mqtt_test_support.hpp"

#include <chrono>
#include <csignal>
#include <gtest/gtest.h>
#include <memory>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace dtwin::mqtt {
namespace {

using namespace std::chrono_literals;
using dtwin::testing::MosquittoProcess;
using testing::k_event_timeout;
using testing::wait_for;
using testing::wait_for_if;

constexpr auto k_reconnect_timeout = 10s;

class MqttClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!MosquittoProcess::available()) {
            GTEST_SKIP() << MosquittoProcess::k_binary << " is missing (install mosquitto: scripts/setup)";
        }
        m_broker = std::make_unique<MosquittoProcess>();
    }

    MqttClientOptions options_for(std::string client_id, bool clean_session = true) const {
        MqttClientOptions options;
        options.broker_url = m_broker->url();
        options.client_id = std::move(client_id);
        options.clean_session = clean_session;
        options.reconnect_backoff_min = 1s;
        options.reconnect_backoff_max = 2s;
        return options;
    }

    /// A client that has connected (Connected seen), or a test failure.
    static MqttClient connected(MqttClientOptions options, bool* session_present = nullptr) {
        auto client = MqttClient::create(std::move(options));
        if (!client) {
            throw std::runtime_error(client.error().to_string());
        }
        if (auto started = client->connect(); !started) {
            throw std::runtime_error(started.error().to_string());
        }
        const auto connected_event = wait_for<Connected>(*client);
        if (!connected_event) {
            throw std::runtime_error("no Connected event for " + client->options().client_id);
        }
        if (session_present != nullptr) {
            *session_present = connected_event->session_present;
        }
        return std::move(*client);
    }

    static void subscribe_and_wait(MqttClient& client, const std::string& filter, int qos) {
        const auto mid = client.subscribe(filter, qos);
        ASSERT_TRUE(mid.has_value()) << mid.error().to_string();
        const auto suback = wait_for_if<Subscribed>(client, [&](const Subscribed& s) { return s.mid == *mid; });
        ASSERT_TRUE(suback.has_value()) << "no SUBACK for " << filter;
        ASSERT_EQ(suback->granted_qos, std::vector<int>{qos});
    }

    std::unique_ptr<MosquittoProcess> m_broker;
};

TEST_F(MqttClientTest, Qos1MessageReachesSubscriberAndPublisherGetsPuback) {
    MqttClient subscriber = connected(options_for("sub-basic"));
    subscribe_and_wait(subscriber, "rooms/+/co2", 1);
    MqttClient publisher = connected(options_for("pub-basic"));

    const std::string payload("{\"ppm\":\0 612}", 13); // an embedded NUL must survive
    const auto mid = publisher.publish("rooms/kitchen/co2", payload, 1);
    ASSERT_TRUE(mid.has_value()) << mid.error().to_string();
    EXPECT_GT(*mid, 0);

    const auto acked = wait_for_if<Published>(publisher, [&](const Published& p) { return p.mid == *mid; });
    EXPECT_TRUE(acked.has_value()) << "no PUBACK for mid " << *mid;

    const auto message = wait_for<Message>(subscriber);
    ASSERT_TRUE(message.has_value()) << "subscriber received nothing";
    EXPECT_EQ(message->topic, "rooms/kitchen/co2");
    EXPECT_EQ(message->payload, payload);
    EXPECT_EQ(message->qos, 1);
    EXPECT_FALSE(message->retain);
}

TEST_F(MqttClientTest, PersistentSessionDeliversMessagesPublishedWhileAway) {
    {
        MqttClient subscriber = connected(options_for("sub-persistent", false));
        subscribe_and_wait(subscriber, "door/events", 1);
        subscriber.stop();
    }

    MqttClient publisher = connected(options_for("pub-persistent"));
    for (const char* text : {"opened", "slammed", "closed"}) {
        const auto mid = publisher.publish("door/events", text, 1);
        ASSERT_TRUE(mid.has_value()) << mid.error().to_string();
        ASSERT_TRUE(wait_for_if<Published>(publisher, [&](const Published& p) { return p.mid == *mid; }).has_value());
    }

    bool session_present = false;
    MqttClient subscriber = connected(options_for("sub-persistent", false), &session_present);
    EXPECT_TRUE(session_present);
    for (const char* expected : {"opened", "slammed", "closed"}) {
        const auto message = wait_for<Message>(subscriber);
        ASSERT_TRUE(message.has_value()) << "missing queued message " << expected;
        EXPECT_EQ(message->topic, "door/events");
        EXPECT_EQ(message->payload, expected);
        EXPECT_EQ(message->qos, 1);
    }
}

TEST_F(MqttClientTest, ReconnectsToRestartedBrokerAndSubscribesAgain) {
    MqttClient subscriber = connected(options_for("sub-reconnect"));
    subscribe_and_wait(subscriber, "rooms/#", 1);

    MqttClient publisher = connected(options_for("pub-reconnect"));

    const std::uint16_t port = m_broker->port();
    m_broker.reset();
    ASSERT_TRUE(wait_for<ConnectionLost>(subscriber).has_value()) << "the broker's death went unnoticed";
    ASSERT_TRUE(wait_for<ConnectionLost>(publisher).has_value());
    // QoS 1 while disconnected: kept by the library, sent after the reconnect.
    const auto offline_mid = publisher.publish("status/outage", "queued", 1);
    ASSERT_TRUE(offline_mid.has_value()) << offline_mid.error().to_string();
    m_broker = std::make_unique<MosquittoProcess>(port);

    // The new broker has no session: the client must subscribe again by itself.
    ASSERT_TRUE(wait_for<Connected>(subscriber, k_reconnect_timeout).has_value()) << "no reconnect";
    ASSERT_TRUE(wait_for<Subscribed>(subscriber).has_value()) << "subscription not re-issued";
    ASSERT_TRUE(wait_for<Connected>(publisher, k_reconnect_timeout).has_value());
    EXPECT_TRUE(
        wait_for_if<Published>(publisher, [&](const Published& p) { return p.mid == *offline_mid; }).has_value())
        << "the message published during the outage was not sent after the reconnect";

    ASSERT_TRUE(publisher.publish("rooms/hall/temperature", "21.5", 1).has_value());
    const auto message = wait_for<Message>(subscriber);
    ASSERT_TRUE(message.has_value()) << "no message after the reconnect";
    EXPECT_EQ(message->topic, "rooms/hall/temperature");
    EXPECT_EQ(message->payload, "21.5");
}

TEST_F(MqttClientTest, ConnectsOnceBrokerAppearsAfterStart) {
    const std::uint16_t port = m_broker->port();
    m_broker->stop();

    auto client = MqttClient::create(options_for("late-broker"));
    ASSERT_TRUE(client.has_value()) << client.error().to_string();
    ASSERT_TRUE(client->connect().has_value()) << "an unreachable broker must not fail connect()";
    const auto lost = wait_for<ConnectionLost>(*client);
    ASSERT_TRUE(lost.has_value()) << "the failed first attempt was not reported";
    EXPECT_NE(lost->reason.find(std::to_string(port)), std::string::npos) << lost->reason;

    m_broker = std::make_unique<MosquittoProcess>(port);
    EXPECT_TRUE(wait_for<Connected>(*client, k_reconnect_timeout).has_value()) << "no connection once the broker ran";
}

TEST_F(MqttClientTest, StopWhileBrokerUnreachableEndsEventStream) {
    MqttClient client = connected(options_for("stop-unreachable"));
    m_broker.reset();
    ASSERT_TRUE(wait_for<ConnectionLost>(client).has_value());

    client.stop(); // must not wait for a broker that is not coming back
    while (client.try_next_event()) {
    }
    EXPECT_FALSE(client.next_event().has_value()) << "events after stop() and drain";
}

TEST_F(MqttClientTest, StopBeforeFirstConnectionEndsEventStream) {
    m_broker->stop();
    auto client = MqttClient::create(options_for("never-connected"));
    ASSERT_TRUE(client.has_value()) << client.error().to_string();
    ASSERT_TRUE(client->connect().has_value());
    ASSERT_TRUE(wait_for<ConnectionLost>(*client).has_value());

    client->stop(); // ends the first-connect retries and the network thread
    EXPECT_FALSE(client->next_event().has_value());
    EXPECT_FALSE(client->publish("rooms/x", "1", 0).has_value()) << "QoS 0 without a connection";
}

TEST_F(MqttClientTest, LastWillIsPublishedWhenConnectionDiesWithoutDisconnect) {
    // A child process connects with a will and dies without DISCONNECT. It runs before
    // this process starts any client thread, and the will is retained, so the observer
    // below gets it whether it subscribes before or after the broker publishes it.
    MqttClientOptions dying = options_for("gateway-7");
    dying.last_will = LastWill{"gateways/gateway-7/status", "offline", 1, true};

    const pid_t child = ::fork();
    ASSERT_GE(child, 0) << "fork failed";
    if (child == 0) {
        // _exit() while the client is alive: no destructor, so no DISCONNECT; the
        // kernel just closes the socket.
        auto client = MqttClient::create(dying);
        if (!client || !client->connect()) {
            ::_exit(1);
        }
        ::_exit(wait_for<Connected>(*client).has_value() ? 0 : 2);
    }

    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + k_event_timeout;
    while (::waitpid(child, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(child, SIGKILL);
            ::waitpid(child, &status, 0);
            FAIL() << "the child with the last will did not finish";
        }
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child did not connect";

    MqttClient observer = connected(options_for("observer-will"));
    subscribe_and_wait(observer, "gateways/+/status", 1);
    const auto will = wait_for<Message>(observer);
    ASSERT_TRUE(will.has_value()) << "the last will was not published";
    EXPECT_EQ(will->topic, "gateways/gateway-7/status");
    EXPECT_EQ(will->payload, "offline");
}

TEST(MqttClientOptionsTest, BadBrokerUrlIsRejectedNamingIt) {
    for (const std::string url :
         {"http://127.0.0.1:1883", "mqtt://", "mqtt://127.0.0.1:port", "mqtt://127.0.0.1:0", "mqtt://127.0.0.1:70000",
          "mqtt://127.0.0.1:1883/topic", "127.0.0.1:1883", "mqtt://user:secret@127.0.0.1"}) {
        MqttClientOptions options;
        options.broker_url = url;
        options.client_id = "bad-url";
        const auto client = MqttClient::create(options);
        ASSERT_FALSE(client.has_value()) << url << " was accepted";
        EXPECT_EQ(client.error().code, core::ErrorCode::invalid_value) << url;
        EXPECT_NE(client.error().to_string().find(url), std::string::npos) << client.error().to_string();
        EXPECT_NE(client.error().to_string().find("broker URL"), std::string::npos) << client.error().to_string();
    }
}

TEST(MqttClientOptionsTest, GoodBrokerUrlsAndDefaultsAreAccepted) {
    for (const std::string url :
         {"mqtt://127.0.0.1:1883", "mqtt://localhost", "mqtts://broker.example:8883", "mqtt://[::1]:1883/"}) {
        MqttClientOptions options;
        options.broker_url = url;
        options.client_id = "good-url";
        const auto client = MqttClient::create(options);
        EXPECT_TRUE(client.has_value()) << url << ": " << client.error().to_string();
    }
    MqttClientOptions no_id;
    const auto client = MqttClient::create(no_id);
    ASSERT_FALSE(client.has_value());
    EXPECT_EQ(client.error().where, "client_id");
}

} // namespace
} // namespace dtwin::mqtt
