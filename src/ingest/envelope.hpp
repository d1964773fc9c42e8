// Gateway envelopes and acks: the wire format between an edge gateway and the server.
//
// A gateway wraps the MQTT messages it received (topic, payload bytes, receive time) into
// one envelope, numbers every message with its own per-gateway sequence and publishes the
// envelope on envelope_topic(gateway). The server commits the batch, then publishes an ack
// with the highest committed sequence on ack_topic(gateway). docs/protocol.md is the
// normative description; this file is its codec and checks every rule written there.
//
// Pure: no I/O, no threads, no clock. Every function is callable from any thread, never
// throws on any input and returns errors as values whose `where` is a JSON pointer into
// the envelope ("/messages/3/sequence"), or "topic" when the MQTT topic is at fault.
#pragma once

#include "core/error.hpp"
#include "core/time.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::ingest {

/// Version written into every envelope and ack; others are rejected.
inline constexpr std::int64_t k_envelope_version = 1;

/// Largest sequence number: 2^53 - 1, the largest integer every JSON parser (including
/// one that reads numbers as IEEE doubles) holds exactly.
inline constexpr std::uint64_t k_max_sequence = (std::uint64_t{1} << 53U) - 1U;

/// Longest gateway id, in bytes.
inline constexpr std::size_t k_max_gateway_id_bytes = 64;

/// Longest topic of a wrapped message, in bytes.
inline constexpr std::size_t k_max_message_topic_bytes = 1024;

/// What one envelope may cost the server. Both limits are checked before anything else
/// is kept, so a hostile envelope is refused before it allocates much.
struct EnvelopeLimits {
    /// Largest envelope (the MQTT payload: the whole JSON text), in bytes.
    std::size_t max_envelope_bytes = 1024 * 1024;
    /// Most messages in one envelope.
    std::size_t max_messages = 1000;
};

/// One original MQTT message as the gateway received it.
struct EnvelopeMessage {
    /// Per-gateway sequence number, 1..k_max_sequence.
    std::uint64_t sequence = 0;
    /// The topic the message was published on ("rooms/Room1").
    std::string topic;
    /// The payload bytes, unchanged (text or binary).
    std::string payload;
    /// When the gateway received it.
    core::TimePoint receive_time;
};

/// A batch of messages from one gateway, sequences strictly increasing.
struct Envelope {
    std::string gateway;
    std::vector<EnvelopeMessage> messages;
};

/// What the server tells a gateway: everything up to and including highest_sequence is
/// committed; 0 means nothing is committed yet.
struct Ack {
    std::string gateway;
    std::uint64_t highest_sequence = 0;
};

/// True for a valid gateway id: 1..64 bytes of [A-Za-z0-9_-], starting with a letter or
/// digit. Such an id is exactly one MQTT topic level and holds no wildcard.
[[nodiscard]] bool is_valid_gateway_id(std::string_view gateway) noexcept;

/// "dtwin/gw/{gateway}/up": where the gateway publishes envelopes. `gateway` must be valid.
[[nodiscard]] std::string envelope_topic(std::string_view gateway);

/// "dtwin/gw/{gateway}/ack": where the server publishes acks. `gateway` must be valid.
[[nodiscard]] std::string ack_topic(std::string_view gateway);

/// The gateway id of an envelope or ack topic ("dtwin/gw/pi5-door/up" -> "pi5-door").
/// Errors (ErrorCode::invalid_value, where "topic") for any other topic or an invalid id.
[[nodiscard]] core::Result<std::string> gateway_from_topic(std::string_view topic);

/// Decodes and checks an envelope received on `topic` (an envelope topic). Checks, in this
/// order, the rules of docs/protocol.md: topic, size, JSON syntax, unknown members, version,
/// gateway id equal to the topic's, message count, and for each message its sequence
/// (integer in range, strictly greater than the previous one), topic, receive time and
/// payload (text or canonical base64).
///
/// Errors: ErrorCode::invalid_json with `where` = JSON pointer ("" for the whole
/// document, "/messages/3/sequence") or "topic".
[[nodiscard]] core::Result<Envelope> decode_envelope(std::string_view topic, std::string_view payload,
                                                     const EnvelopeLimits& limits = {});

/// Encodes an envelope: a payload that is valid UTF-8 goes out as text ("payload"), any
/// other as base64 ("payload_base64"); receive times as ISO-8601 UTC. The caller keeps the
/// envelope valid (decode_envelope of the result succeeds when it is).
[[nodiscard]] std::string encode_envelope(const Envelope& envelope);

/// Encodes an ack body for `gateway`.
[[nodiscard]] std::string encode_ack(std::string_view gateway, std::uint64_t highest_sequence);

/// Decodes and checks an ack received on `topic` (an ack topic); same errors as
/// decode_envelope.
[[nodiscard]] core::Result<Ack> decode_ack(std::string_view topic, std::string_view payload);

} // namespace dtwin::ingest
