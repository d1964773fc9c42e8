// What the MQTT client hands from the library thread to its owner: one variant per
// event, in the order the library saw them.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace dtwin::mqtt {

/// The broker accepted a connection (the first one, or any reconnection).
/// `session_present`: the broker still held the session of this client id (only with
/// clean_session = false); its subscriptions and queued QoS 1/2 messages survive.
struct Connected {
    bool session_present = false;
};

/// The connection ended or could not be made: broker gone, network error, keepalive
/// timeout, or the broker refused the CONNECT. The client keeps retrying with backoff
/// until stop(); a Connected follows when it succeeds.
struct ConnectionLost {
    std::string reason;
};

/// A message received on one of the subscriptions. For QoS 1 and 2 the library has
/// already acknowledged it to the broker when this event is queued.
struct Message {
    std::string topic;
    std::string payload;
    int qos = 0;
    bool retain = false;
};

/// A publish is complete: QoS 0 written to the socket, QoS 1 acknowledged by the broker
/// (PUBACK), QoS 2 at PUBCOMP. `mid` is the id publish() returned.
struct Published {
    int mid = 0;
};

/// The broker acknowledged a SUBSCRIBE (SUBACK). `mid` is the id subscribe() returned,
/// or a new one when the client re-issued its subscriptions after a reconnect.
/// `granted_qos` holds one entry per filter; 128 means the broker refused it.
struct Subscribed {
    int mid = 0;
    std::vector<int> granted_qos;
};

using MqttEvent = std::variant<Connected, ConnectionLost, Message, Published, Subscribed>;

} // namespace dtwin::mqtt
