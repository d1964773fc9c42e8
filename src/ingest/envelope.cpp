#include "ingest/envelope.hpp"

#include "core/json_text.hpp"
#include "ingest/mapping.hpp"

// Boost 1.81 has no public base64 codec; Beast's header-only one is small, in use by
// Beast itself for years, and needs no library to link. It lives in a detail namespace,
// so it may change in a later Boost: only encode_base64/decode_base64 below touch it.
#include <boost/beast/core/detail/base64.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace dtwin::ingest {
namespace {

namespace json = boost::json;
namespace base64 = boost::beast::detail::base64;

constexpr std::string_view k_topic_prefix = "dtwin/gw/";
constexpr std::string_view k_envelope_suffix = "/up";
constexpr std::string_view k_ack_suffix = "/ack";

std::unexpected<core::Error> bad(std::string where, std::string message) {
    return core::fail(core::ErrorCode::invalid_json, std::move(message), std::move(where));
}

// "{prefix}{gateway}{suffix}" -> gateway, or an error naming the expected shape.
core::Result<std::string> gateway_of(std::string_view topic, std::string_view suffix) {
    const auto expected_shape = [&] {
        return "\"" + std::string(topic) + "\" is not " + std::string(k_topic_prefix) + "{gateway}" +
               std::string(suffix);
    };
    if (!topic.starts_with(k_topic_prefix) || !topic.ends_with(suffix) ||
        topic.size() < k_topic_prefix.size() + suffix.size()) {
        return core::fail(core::ErrorCode::invalid_value, expected_shape(), "topic");
    }
    const std::string_view gateway =
        topic.substr(k_topic_prefix.size(), topic.size() - k_topic_prefix.size() - suffix.size());
    if (!is_valid_gateway_id(gateway)) {
        return core::fail(core::ErrorCode::invalid_value, "\"" + std::string(gateway) + "\" is not a valid gateway id",
                          "topic");
    }
    return std::string(gateway);
}

// A topic mismatch is reported with the envelope's code so callers see one kind of error.
core::Result<std::string> gateway_of_received(std::string_view topic, std::string_view suffix) {
    auto gateway = gateway_of(topic, suffix);
    if (!gateway) {
        return bad(gateway.error().where, gateway.error().message);
    }
    return gateway;
}

// RFC 6901 escaping of one member name.
std::string pointer_token(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string member_pointer(std::string_view parent, std::string_view name) {
    return std::string(parent) + "/" + pointer_token(name);
}

core::Result<json::value> parse_document(std::string_view text, std::size_t max_bytes) {
    if (text.size() > max_bytes) {
        return bad("", "body of " + std::to_string(text.size()) + " bytes is over the limit of " +
                           std::to_string(max_bytes) + " bytes");
    }
    auto parsed = core::parse_json_text(text);
    if (const auto* error = std::get_if<core::JsonTextError>(&parsed)) {
        return bad("", "not JSON (" + error->position + ": " + error->message + ")");
    }
    return std::move(std::get<json::value>(parsed));
}

core::Result<const json::object*> as_object(const json::value& value, const std::string& pointer,
                                            std::initializer_list<std::string_view> known) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return bad(pointer, "must be a JSON object");
    }
    for (const auto& member : *object) {
        bool is_known = false;
        for (const auto name : known) {
            is_known = is_known || member.key() == name;
        }
        if (!is_known) {
            return bad(member_pointer(pointer, member.key()), "unknown member");
        }
    }
    return object;
}

core::Result<const json::value*> required(const json::object& object, const std::string& pointer,
                                          std::string_view name) {
    const auto* value = object.if_contains(name);
    if (value == nullptr) {
        return bad(member_pointer(pointer, name), "missing");
    }
    return value;
}

core::Result<std::string_view> required_string(const json::object& object, const std::string& pointer,
                                               std::string_view name) {
    auto value = required(object, pointer, name);
    if (!value) {
        return std::unexpected(value.error());
    }
    const auto* text = (*value)->if_string();
    if (text == nullptr) {
        return bad(member_pointer(pointer, name), "must be a string");
    }
    return std::string_view(*text);
}

// An integer in [minimum, k_max_sequence]; fractions and exponents are refused because a
// reader that goes through doubles could round them.
core::Result<std::uint64_t> required_sequence(const json::object& object, const std::string& pointer,
                                              std::string_view name, std::uint64_t minimum) {
    auto value = required(object, pointer, name);
    if (!value) {
        return std::unexpected(value.error());
    }
    const std::string where = member_pointer(pointer, name);
    const json::value& number = **value;
    const auto range_error = [&] {
        return bad(where,
                   "out of range: must be from " + std::to_string(minimum) + " to " + std::to_string(k_max_sequence));
    };
    if (number.is_int64()) {
        const std::int64_t signed_value = number.get_int64();
        if (signed_value < 0 || static_cast<std::uint64_t>(signed_value) < minimum ||
            static_cast<std::uint64_t>(signed_value) > k_max_sequence) {
            return range_error();
        }
        return static_cast<std::uint64_t>(signed_value);
    }
    if (number.is_uint64()) {
        // Boost.JSON uses uint64 only above INT64_MAX, far beyond k_max_sequence.
        return range_error();
    }
    if (number.is_double()) {
        const double d = number.get_double();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) > static_cast<double>(k_max_sequence)) {
            return range_error();
        }
        return bad(where, "must be an integer written without fraction or exponent");
    }
    return bad(where, "must be an integer");
}

core::Result<void> check_version(const json::object& object) {
    auto version = required(object, "", "version");
    if (!version) {
        return std::unexpected(version.error());
    }
    if (!(*version)->is_int64() || (*version)->get_int64() != k_envelope_version) {
        return bad("/version", "must be " + std::to_string(k_envelope_version) + ", got " + json::serialize(**version));
    }
    return {};
}

core::Result<void> check_gateway(const json::object& object, const std::string& topic_gateway) {
    auto gateway = required_string(object, "", "gateway");
    if (!gateway) {
        return std::unexpected(gateway.error());
    }
    if (*gateway != topic_gateway) {
        return bad("/gateway",
                   "\"" + std::string(*gateway) + "\" does not match the topic's gateway \"" + topic_gateway + "\"");
    }
    return {};
}

std::string encode_base64(std::string_view bytes) {
    std::string out(base64::encoded_size(bytes.size()), '\0');
    out.resize(base64::encode(out.data(), bytes.data(), bytes.size()));
    return out;
}

// Strict RFC 4648 section 4: padded, no line breaks, no whitespace, zero pad bits. Beast's
// decoder stops quietly at the first character it does not know and ignores pad bits, so
// the result is encoded again: only the canonical spelling of the bytes round-trips.
std::optional<std::string> decode_base64(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out(base64::decoded_size(text.size()), '\0');
    out.resize(base64::decode(out.data(), text.data(), text.size()).first);
    if (encode_base64(out) != text) {
        return std::nullopt;
    }
    return out;
}

core::Result<std::string> message_topic(const json::object& object, const std::string& pointer) {
    auto topic = required_string(object, pointer, "topic");
    if (!topic) {
        return std::unexpected(topic.error());
    }
    const std::string where = pointer + "/topic";
    if (topic->empty() || topic->size() > k_max_message_topic_bytes) {
        return bad(where, "must be 1 to " + std::to_string(k_max_message_topic_bytes) + " bytes long");
    }
    if (topic->find_first_of(std::string_view("+#\0", 3)) != std::string_view::npos) {
        return bad(where, "must not hold '+', '#' or NUL: a message is published on a topic, not a filter");
    }
    return std::string(*topic);
}

core::Result<std::string> message_payload(const json::object& object, const std::string& pointer) {
    const auto* text = object.if_contains("payload");
    const auto* encoded = object.if_contains("payload_base64");
    if (text != nullptr && encoded != nullptr) {
        return bad(pointer + "/payload_base64", "not allowed together with \"payload\"");
    }
    if (text != nullptr) {
        if (!text->is_string()) {
            return bad(pointer + "/payload", "must be a string");
        }
        return std::string(text->get_string());
    }
    if (encoded != nullptr) {
        if (!encoded->is_string()) {
            return bad(pointer + "/payload_base64", "must be a string");
        }
        auto bytes = decode_base64(encoded->get_string());
        if (!bytes) {
            return bad(pointer + "/payload_base64", "not canonical padded base64 (RFC 4648 section 4)");
        }
        return std::move(*bytes);
    }
    return bad(pointer + "/payload", "missing (one of \"payload\" and \"payload_base64\" is required)");
}

/// A body on a gateway topic, past the checks every such body shares.
struct CheckedBody {
    json::value document; ///< an object with only the allowed members
    std::string gateway;  ///< from the topic, equal to the body's "gateway"
};

/// The topic names a gateway; the payload is JSON of at most `max_bytes`, an object with
/// no members but `members`, of our version, naming the topic's gateway.
core::Result<CheckedBody> open_body(std::string_view topic, std::string_view suffix, std::string_view payload,
                                    std::size_t max_bytes, std::initializer_list<std::string_view> members) {
    auto topic_gateway = gateway_of_received(topic, suffix);
    if (!topic_gateway) {
        return std::unexpected(topic_gateway.error());
    }
    auto document = parse_document(payload, max_bytes);
    if (!document) {
        return std::unexpected(document.error());
    }
    auto root = as_object(*document, "", members);
    if (!root) {
        return std::unexpected(root.error());
    }
    if (auto version = check_version(**root); !version) {
        return std::unexpected(version.error());
    }
    if (auto gateway = check_gateway(**root, *topic_gateway); !gateway) {
        return std::unexpected(gateway.error());
    }
    return CheckedBody{std::move(*document), std::move(*topic_gateway)};
}

core::Result<EnvelopeMessage> decode_message(const json::value& value, const std::string& pointer,
                                             std::uint64_t previous_sequence) {
    auto object = as_object(value, pointer, {"sequence", "topic", "received_at", "payload", "payload_base64"});
    if (!object) {
        return std::unexpected(object.error());
    }
    EnvelopeMessage message;
    auto sequence = required_sequence(**object, pointer, "sequence", 1);
    if (!sequence) {
        return std::unexpected(sequence.error());
    }
    if (*sequence <= previous_sequence) {
        return bad(pointer + "/sequence", std::to_string(*sequence) +
                                              " is not greater than the previous message's sequence " +
                                              std::to_string(previous_sequence));
    }
    message.sequence = *sequence;
    auto topic = message_topic(**object, pointer);
    if (!topic) {
        return std::unexpected(topic.error());
    }
    message.topic = std::move(*topic);
    auto received_at = required_string(**object, pointer, "received_at");
    if (!received_at) {
        return std::unexpected(received_at.error());
    }
    const auto receive_time = core::parse_time(*received_at);
    if (!receive_time) {
        return bad(pointer + "/received_at", "\"" + std::string(*received_at) + "\" is not an ISO-8601 date-time");
    }
    message.receive_time = *receive_time;
    auto payload = message_payload(**object, pointer);
    if (!payload) {
        return std::unexpected(payload.error());
    }
    message.payload = std::move(*payload);
    return message;
}

} // namespace

bool is_valid_gateway_id(std::string_view gateway) noexcept {
    if (gateway.empty() || gateway.size() > k_max_gateway_id_bytes) {
        return false;
    }
    const auto is_alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!is_alnum(gateway.front())) {
        return false;
    }
    for (const char c : gateway) {
        if (!is_alnum(c) && c != '-' && c != '_') {
            return false;
        }
    }
    return true;
}

std::string envelope_topic(std::string_view gateway) {
    return std::string(k_topic_prefix) + std::string(gateway) + std::string(k_envelope_suffix);
}

std::string ack_topic(std::string_view gateway) {
    return std::string(k_topic_prefix) + std::string(gateway) + std::string(k_ack_suffix);
}

core::Result<std::string> gateway_from_topic(std::string_view topic) {
    if (topic.ends_with(k_ack_suffix)) {
        return gateway_of(topic, k_ack_suffix);
    }
    return gateway_of(topic, k_envelope_suffix);
}

core::Result<Envelope> decode_envelope(std::string_view topic, std::string_view payload, const EnvelopeLimits& limits) {
    auto body =
        open_body(topic, k_envelope_suffix, payload, limits.max_envelope_bytes, {"version", "gateway", "messages"});
    if (!body) {
        return std::unexpected(body.error());
    }
    const json::object* root = &body->document.get_object();
    auto& topic_gateway = body->gateway;
    auto messages_value = required(*root, "", "messages");
    if (!messages_value) {
        return std::unexpected(messages_value.error());
    }
    const auto* messages = (*messages_value)->if_array();
    if (messages == nullptr) {
        return bad("/messages", "must be an array");
    }
    if (messages->empty()) {
        return bad("/messages", "must hold at least one message");
    }
    if (messages->size() > limits.max_messages) {
        return bad("/messages", "holds " + std::to_string(messages->size()) + " messages, over the limit of " +
                                    std::to_string(limits.max_messages));
    }

    Envelope envelope{.gateway = std::move(topic_gateway), .messages = {}};
    envelope.messages.reserve(messages->size());
    std::uint64_t previous_sequence = 0;
    for (std::size_t i = 0; i < messages->size(); ++i) {
        auto message = decode_message((*messages)[i], "/messages/" + std::to_string(i), previous_sequence);
        if (!message) {
            return std::unexpected(message.error());
        }
        previous_sequence = message->sequence;
        envelope.messages.push_back(std::move(*message));
    }
    return envelope;
}

std::string encode_envelope(const Envelope& envelope) {
    json::array messages;
    messages.reserve(envelope.messages.size());
    for (const auto& message : envelope.messages) {
        json::object entry;
        entry["sequence"] = message.sequence;
        entry["topic"] = message.topic;
        entry["received_at"] = core::format_time(message.receive_time);
        if (is_valid_utf8(message.payload)) {
            entry["payload"] = message.payload;
        } else {
            entry["payload_base64"] = encode_base64(message.payload);
        }
        messages.emplace_back(std::move(entry));
    }
    json::object root;
    root["version"] = k_envelope_version;
    root["gateway"] = envelope.gateway;
    root["messages"] = std::move(messages);
    return json::serialize(root);
}

std::string encode_ack(std::string_view gateway, std::uint64_t highest_sequence) {
    json::object root;
    root["version"] = k_envelope_version;
    root["gateway"] = gateway;
    root["highest_sequence"] = highest_sequence;
    return json::serialize(root);
}

core::Result<Ack> decode_ack(std::string_view topic, std::string_view payload) {
    // An ack is a few dozen bytes; anything much bigger is not one.
    constexpr std::size_t k_max_ack_bytes = 1024;
    auto body = open_body(topic, k_ack_suffix, payload, k_max_ack_bytes, {"version", "gateway", "highest_sequence"});
    if (!body) {
        return std::unexpected(body.error());
    }
    const json::object* root = &body->document.get_object();
    auto& topic_gateway = body->gateway;
    auto highest = required_sequence(*root, "", "highest_sequence", 0);
    if (!highest) {
        return std::unexpected(highest.error());
    }
    return Ack{.gateway = std::move(topic_gateway), .highest_sequence = *highest};
}

} // namespace dtwin::ingest
