// MqttClient's username/password and TLS options against a real mosquitto that requires
// them: the right credentials and certificates get in and messages flow, wrong or
// missing ones are refused (ConnectionLost with a reason, never Connected). The broker's
// CA, server and client certificates are generated per test by MosquittoProcess.
#include "mosquitto_process.hpp"
#include "mqtt/mqtt_client.hpp"
#include "mqtt_test_support.hpp"

#include <algorithm>
#include <chrono>
#include <gtest/gtest.h>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace dtwin::mqtt {
namespace {

using namespace std::chrono_literals;
using dtwin::testing::MosquittoCredentials;
using dtwin::testing::MosquittoOptions;
using dtwin::testing::MosquittoProcess;
using testing::wait_for;
using testing::wait_for_if;

/// How long a refused client is watched: with a 1 s backoff it tries two or three times.
constexpr auto k_refusal_window = 2500ms;
/// Long enough for a retry after a failed attempt (backoff 1 s).
constexpr auto k_retry_timeout = 8s;

const MosquittoCredentials k_user{"gateway-7", "correct horse battery staple"};

class MqttSecurityTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!MosquittoProcess::available()) {
            GTEST_SKIP() << MosquittoProcess::k_binary << " is missing (install mosquitto: scripts/setup)";
        }
    }

    static MqttClientOptions options_for(const MosquittoProcess& broker, std::string client_id) {
        MqttClientOptions options;
        options.broker_url = broker.url();
        options.client_id = std::move(client_id);
        options.clean_session = true;
        options.reconnect_backoff_min = 1s;
        options.reconnect_backoff_max = 1s;
        return options;
    }

    static MqttClient started(MqttClientOptions options) {
        auto client = MqttClient::create(std::move(options));
        if (!client) {
            throw std::runtime_error(client.error().to_string());
        }
        if (auto connecting = client->connect(); !connecting) {
            throw std::runtime_error(connecting.error().to_string());
        }
        return std::move(*client);
    }

    /// The client is connected: it subscribes, publishes to itself at QoS 1 and gets the
    /// message back through the broker.
    static void expect_round_trip(MqttClient& client) {
        ASSERT_TRUE(wait_for<Connected>(client).has_value()) << "no Connected for " << client.options().client_id;
        const auto sub_mid = client.subscribe("secure/+/ping", 1);
        ASSERT_TRUE(sub_mid.has_value()) << sub_mid.error().to_string();
        ASSERT_TRUE(wait_for_if<Subscribed>(client, [&](const Subscribed& s) { return s.mid == *sub_mid; }).has_value())
            << "no SUBACK";
        ASSERT_TRUE(client.publish("secure/lab/ping", "42", 1).has_value());
        const auto message = wait_for<Message>(client);
        ASSERT_TRUE(message.has_value()) << "the message did not come back";
        EXPECT_EQ(message->topic, "secure/lab/ping");
        EXPECT_EQ(message->payload, "42");
    }

    /// Watches the client for k_refusal_window: it must never report Connected and must
    /// report at least one ConnectionLost. Returns the reasons given.
    static std::vector<std::string> refusal_reasons(MqttClient& client) {
        std::vector<std::string> reasons;
        const auto deadline = std::chrono::steady_clock::now() + k_refusal_window;
        while (true) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left <= 0ms) {
                break;
            }
            const auto event = client.next_event_for(left);
            if (!event) {
                continue;
            }
            EXPECT_FALSE(std::holds_alternative<Connected>(*event)) << client.options().client_id << " got in";
            if (const auto* lost = std::get_if<ConnectionLost>(&*event)) {
                reasons.push_back(lost->reason);
            }
        }
        EXPECT_FALSE(reasons.empty()) << client.options().client_id << ": the failure was not reported";
        return reasons;
    }
};

/// TLS tests: they also need openssl to make the certificates.
class MqttTlsTest : public MqttSecurityTest {
protected:
    void SetUp() override {
        MqttSecurityTest::SetUp();
        if (!IsSkipped() && !MosquittoProcess::tls_available()) {
            GTEST_SKIP() << MosquittoProcess::k_openssl_binary << " is missing: cannot make TLS certificates";
        }
    }
};

/// TLS files trusting `broker`'s CA, without a client certificate.
TlsFiles ca_of(const MosquittoProcess& broker) {
    TlsFiles files;
    files.ca_file = broker.ca_file().string();
    return files;
}

std::string joined(const std::vector<std::string>& reasons) {
    std::string text;
    for (const auto& reason : reasons) {
        text += "[" + reason + "] ";
    }
    return text;
}

bool any_contains(const std::vector<std::string>& reasons, const std::string& part) {
    return std::ranges::any_of(reasons, [&](const std::string& r) { return r.find(part) != std::string::npos; });
}

TEST_F(MqttSecurityTest, RightPasswordConnectsAndDelivers) {
    MosquittoProcess broker(MosquittoOptions{.credentials = k_user});
    MqttClientOptions options = options_for(broker, "password-right");
    options.username = k_user.username;
    options.password = k_user.password;
    MqttClient client = started(options);
    expect_round_trip(client);
}

TEST_F(MqttSecurityTest, WrongPasswordIsRefused) {
    MosquittoProcess broker(MosquittoOptions{.credentials = k_user});
    MqttClientOptions options = options_for(broker, "password-wrong");
    options.username = k_user.username;
    options.password = "correct horse battery stapler";
    MqttClient client = started(options);
    const auto reasons = refusal_reasons(client);
    EXPECT_TRUE(any_contains(reasons, "not authorised")) << joined(reasons);
}

TEST_F(MqttSecurityTest, NoCredentialsAreRefused) {
    MosquittoProcess broker(MosquittoOptions{.credentials = k_user});
    MqttClient client = started(options_for(broker, "password-none"));
    const auto reasons = refusal_reasons(client);
    EXPECT_TRUE(any_contains(reasons, "not authorised")) << joined(reasons);
}

TEST_F(MqttTlsTest, TlsWithTheBrokersCaConnectsAndDelivers) {
    MosquittoProcess broker(MosquittoOptions{.tls = true});
    ASSERT_TRUE(broker.url().starts_with("mqtts://127.0.0.1:")) << broker.url();
    MqttClientOptions options = options_for(broker, "tls-right-ca");
    options.tls = ca_of(broker);
    MqttClient client = started(options);
    expect_round_trip(client);
}

TEST_F(MqttTlsTest, TlsWithAnotherCaIsRefused) {
    MosquittoProcess broker(MosquittoOptions{.tls = true});
    MosquittoProcess stranger(MosquittoOptions{.tls = true});
    MqttClientOptions options = options_for(broker, "tls-wrong-ca");
    options.tls = ca_of(stranger);
    MqttClient client = started(options);
    const auto reasons = refusal_reasons(client);
    EXPECT_TRUE(any_contains(reasons, "TLS")) << joined(reasons);
}

TEST_F(MqttTlsTest, TlsWithoutCaFileDoesNotTrustATestCa) {
    // No CA file: the system's certificates are trusted, and they never signed ours.
    MosquittoProcess broker(MosquittoOptions{.tls = true});
    MqttClient client = started(options_for(broker, "tls-system-ca"));
    const auto reasons = refusal_reasons(client);
    EXPECT_TRUE(any_contains(reasons, "TLS")) << joined(reasons);
}

TEST_F(MqttTlsTest, RetriesAfterFailedHandshakeAndConnectsOnceTheServerIsTrusted) {
    // An impostor (a certificate of another CA) holds the port of the broker the client
    // trusts, so the handshake fails: libmosquitto's own network thread would give up
    // for good here. Once the real broker is back, the client must connect by itself.
    MosquittoProcess trusted(MosquittoOptions{.tls = true});
    trusted.stop();
    auto impostor = std::make_unique<MosquittoProcess>(MosquittoOptions{.port = trusted.port(), .tls = true});
    MqttClientOptions options = options_for(trusted, "tls-recovers");
    options.tls = ca_of(trusted);
    MqttClient client = started(options);
    const auto lost = wait_for<ConnectionLost>(client);
    ASSERT_TRUE(lost.has_value()) << "the failed handshake was not reported";
    EXPECT_NE(lost->reason.find("TLS"), std::string::npos) << lost->reason;

    impostor.reset();
    trusted.restart();
    EXPECT_TRUE(wait_for<Connected>(client, k_retry_timeout).has_value()) << "no retry after the failed handshake";
}

TEST_F(MqttTlsTest, PlainClientIsNotServedByTlsListener) {
    MosquittoProcess broker(MosquittoOptions{.tls = true});
    MqttClientOptions options = options_for(broker, "tls-plain-client");
    options.broker_url = "mqtt://127.0.0.1:" + std::to_string(broker.port());
    MqttClient client = started(options);
    refusal_reasons(client);
}

TEST_F(MqttTlsTest, TlsAndPasswordTogether) {
    MosquittoProcess broker(MosquittoOptions{.credentials = k_user, .tls = true});
    MqttClientOptions options = options_for(broker, "tls-and-password");
    options.tls = ca_of(broker);
    options.username = k_user.username;
    options.password = k_user.password;
    MqttClient client = started(options);
    expect_round_trip(client);
}

TEST_F(MqttTlsTest, ClientCertificateConnectsWhenRequired) {
    MosquittoProcess broker(MosquittoOptions{.require_client_certificate = true});
    ASSERT_FALSE(broker.client_cert_file().empty());
    MqttClientOptions options = options_for(broker, "cert-right");
    options.tls = TlsFiles{.ca_file = broker.ca_file().string(),
                           .cert_file = broker.client_cert_file().string(),
                           .key_file = broker.client_key_file().string()};
    MqttClient client = started(options);
    expect_round_trip(client);
}

TEST_F(MqttTlsTest, NoClientCertificateIsRefusedWhenRequired) {
    MosquittoProcess broker(MosquittoOptions{.require_client_certificate = true});
    MqttClientOptions options = options_for(broker, "cert-none");
    options.tls = ca_of(broker);
    MqttClient client = started(options);
    refusal_reasons(client);
}

TEST_F(MqttTlsTest, ClientCertificateOfAnotherCaIsRefused) {
    MosquittoProcess broker(MosquittoOptions{.require_client_certificate = true});
    MosquittoProcess stranger(MosquittoOptions{.require_client_certificate = true});
    MqttClientOptions options = options_for(broker, "cert-stranger");
    options.tls = TlsFiles{.ca_file = broker.ca_file().string(),
                           .cert_file = stranger.client_cert_file().string(),
                           .key_file = stranger.client_key_file().string()};
    MqttClient client = started(options);
    refusal_reasons(client);
}

} // namespace
} // namespace dtwin::mqtt
