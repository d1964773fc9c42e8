// Waiting for MqttClient events in the MQTT integration tests (mqtt_client_test.cpp,
// mqtt_security_test.cpp). Tests only; call from the thread that owns the client.
#pragma once

#include "mqtt/mqtt_client.hpp"

#include <chrono>
#include <optional>
#include <variant>

namespace dtwin::mqtt::testing {

inline constexpr std::chrono::milliseconds k_event_timeout = std::chrono::seconds(5);

/// Drains `client` until an event of type T satisfying `accept` arrives, or `timeout`
/// passes. Other events are dropped.
template <typename T, typename Accept>
std::optional<T> wait_for_if(MqttClient& client, Accept accept, std::chrono::milliseconds timeout = k_event_timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= std::chrono::milliseconds::zero()) {
            return std::nullopt;
        }
        auto event = client.next_event_for(left);
        if (!event) {
            continue;
        }
        if (const T* wanted = std::get_if<T>(&*event); wanted != nullptr && accept(*wanted)) {
            return *wanted;
        }
    }
}

template <typename T>
std::optional<T> wait_for(MqttClient& client, std::chrono::milliseconds timeout = k_event_timeout) {
    return wait_for_if<T>(
        client, [](const T&) { return true; }, timeout);
}

} // namespace dtwin::mqtt::testing
