// Gateway envelopes and acks (docs/protocol.md): round trips, the prototype's combined
// document carried through an envelope into the mapping engine, and one table of
// rejections, each naming the JSON pointer at fault.
#include "ingest/envelope.hpp"
#include "ingest/mapping.hpp"
#include "ingest/prototype_mapping.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace dtwin;
using namespace dtwin::ingest;

namespace {

core::TimePoint at(const char* iso) {
    return core::parse_time(iso).value();
}

const std::string k_topic = "dtwin/gw/pi5-door/up";

constexpr const char* k_combined = R"({"local_data":{"door_timestamp":"2026-11-24T21:26:15.500Z","angle":42.5,)"
                                   R"("gyro":-3.25,"magnet":0},"remote_data":{"device_1":{"temperature":21.5,)"
                                   R"("humidity":40.1,"light":310,"motion":true,"co2":612,)"
                                   R"("timestamp":"2026-11-24T21:26:13.120Z"},"device_2":{"temperature":19.0,)"
                                   R"("humidity":45.0,"light":80.5,"motion":false,"co2":480,)"
                                   R"("timestamp":"2026-11-24T21:26:11.000Z"}}})";

// An envelope from gateway pi5-door holding `messages` (JSON array text).
std::string envelope_with(const std::string& messages) {
    return R"({"version":1,"gateway":"pi5-door","messages":)" + messages + "}";
}

const std::string k_message = R"({"sequence":7,"topic":"door","received_at":"2026-11-24T21:26:16Z","payload":"{}"})";

} // namespace

TEST(IngestEnvelope, TopicsCarryTheGatewayId) {
    EXPECT_EQ(envelope_topic("pi5-door"), "dtwin/gw/pi5-door/up");
    EXPECT_EQ(ack_topic("pi5-door"), "dtwin/gw/pi5-door/ack");
    EXPECT_EQ(gateway_from_topic("dtwin/gw/pi5-door/up").value(), "pi5-door");
    EXPECT_EQ(gateway_from_topic("dtwin/gw/pi5-door/ack").value(), "pi5-door");
    for (const char* topic : {"dtwin/gw//up", "dtwin/gw/a/b/up", "dtwin/gw/+/up", "dtwin/gw/x/down", "door",
                              "dtwin/gw/-lead/up", "dtwin/gw/up"}) {
        const auto gateway = gateway_from_topic(topic);
        ASSERT_FALSE(gateway) << topic;
        EXPECT_EQ(gateway.error().where, "topic") << topic;
    }
}

TEST(IngestEnvelope, GatewayIdSyntax) {
    EXPECT_TRUE(is_valid_gateway_id("pi5-door"));
    EXPECT_TRUE(is_valid_gateway_id("GW_01"));
    EXPECT_TRUE(is_valid_gateway_id(std::string(64, 'g')));
    EXPECT_FALSE(is_valid_gateway_id(std::string(65, 'g')));
    EXPECT_FALSE(is_valid_gateway_id(""));
    EXPECT_FALSE(is_valid_gateway_id("_gw"));
    EXPECT_FALSE(is_valid_gateway_id("gw/1"));
    EXPECT_FALSE(is_valid_gateway_id("gw#"));
    EXPECT_FALSE(is_valid_gateway_id("gw 1"));
}

TEST(IngestEnvelope, RoundTripKeepsTextAndBinaryPayloadsByteForByte) {
    std::string binary;
    for (int b = 0; b < 256; ++b) {
        binary += static_cast<char>(b);
    }
    const Envelope original{
        .gateway = "pi5-door",
        .messages = {
            {.sequence = 1, .topic = "door", .payload = k_combined, .receive_time = at("2026-11-24T21:26:16.25Z")},
            {.sequence = 2, .topic = "raw/adc", .payload = binary, .receive_time = at("2026-11-24T21:26:16.5Z")},
            {.sequence = 9, .topic = "raw/one", .payload = "\xff", .receive_time = at("2026-11-24T21:26:17Z")},
            {.sequence = k_max_sequence, .topic = "empty", .payload = "", .receive_time = at("1970-01-01T00:00:00Z")},
        }};

    const std::string text = encode_envelope(original);
    EXPECT_NE(text.find(R"("payload_base64":"AAECAw)"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("payload_base64":"/w==")"), std::string::npos) << text;

    const auto decoded = decode_envelope(envelope_topic("pi5-door"), text);
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(decoded->gateway, "pi5-door");
    ASSERT_EQ(decoded->messages.size(), original.messages.size());
    for (std::size_t i = 0; i < original.messages.size(); ++i) {
        EXPECT_EQ(decoded->messages[i].sequence, original.messages[i].sequence) << i;
        EXPECT_EQ(decoded->messages[i].topic, original.messages[i].topic) << i;
        EXPECT_EQ(decoded->messages[i].payload, original.messages[i].payload) << i;
        EXPECT_EQ(decoded->messages[i].receive_time, original.messages[i].receive_time) << i;
    }
}

TEST(IngestEnvelope, WrappedPrototypeDocumentMapsToDoorAndBothRooms) {
    // What the gateway would publish for the original combined document on "door".
    const std::string text = envelope_with(R"([{"sequence":1042,"topic":"door",)"
                                           R"("received_at":"2026-11-24T21:26:16.000Z","payload":)" +
                                           boost::json::serialize(boost::json::value(k_combined)) + "}]");
    const auto envelope = decode_envelope(k_topic, text);
    ASSERT_TRUE(envelope) << envelope.error().to_string();
    ASSERT_EQ(envelope->messages.size(), 1U);
    const EnvelopeMessage& message = envelope->messages[0];
    EXPECT_EQ(message.sequence, 1042U);
    EXPECT_EQ(message.payload, k_combined);

    const auto rules = prototype_rules();
    const auto result = map_message(rules, message.topic, message.payload, message.receive_time);
    EXPECT_TRUE(result.rejections.empty());
    ASSERT_EQ(result.updates.size(), 3U);
    EXPECT_EQ(result.updates[0].twin_id, "Door");
    EXPECT_EQ(result.updates[0].source_time, at("2026-11-24T21:26:15.500Z"));
    EXPECT_EQ(result.updates[1].twin_id, "Room1");
    EXPECT_EQ(result.updates[1].source_time, at("2026-11-24T21:26:13.120Z"));
    EXPECT_EQ(result.updates[2].twin_id, "Room2");
}

TEST(IngestEnvelope, SequencesMayHaveGapsButOnlyGrow) {
    const auto envelope = decode_envelope(
        k_topic, envelope_with(R"([{"sequence":3,"topic":"a","received_at":"2026-11-24T21:26:16Z","payload":"1"},)"
                               R"({"sequence":10,"topic":"a","received_at":"2026-11-24T21:26:15Z","payload":"2"}])"));
    ASSERT_TRUE(envelope) << envelope.error().to_string();
    EXPECT_EQ(envelope->messages[1].sequence, 10U);
}

struct RejectionCase {
    const char* name;
    std::string topic;
    std::string body;
    std::string pointer;
    std::string says;
};

TEST(IngestEnvelope, RejectionsNameThePointer) {
    const std::string ok = R"("topic":"door","received_at":"2026-11-24T21:26:16Z","payload":"{}")";
    const std::string second = R"({"sequence":8,)" + ok + "}";
    const std::vector<RejectionCase> cases = {
        {"malformed JSON", k_topic, R"({"version":1,)", "", "not JSON"},
        {"not an object", k_topic, "[]", "", "must be a JSON object"},
        {"unknown member", k_topic, R"({"version":1,"gateway":"pi5-door","extra":1,"messages":[]})", "/extra",
         "unknown member"},
        {"missing version", k_topic, R"({"gateway":"pi5-door","messages":[]})", "/version", "missing"},
        {"other version", k_topic, R"({"version":2,"gateway":"pi5-door","messages":[]})", "/version", "must be 1"},
        {"missing gateway", k_topic, R"({"version":1,"messages":[]})", "/gateway", "missing"},
        {"gateway mismatch", "dtwin/gw/other/up", envelope_with("[" + k_message + "]"), "/gateway",
         "does not match the topic's gateway \"other\""},
        {"ack topic", "dtwin/gw/pi5-door/ack", envelope_with("[" + k_message + "]"), "topic", "is not"},
        {"missing messages", k_topic, R"({"version":1,"gateway":"pi5-door"})", "/messages", "missing"},
        {"empty batch", k_topic, envelope_with("[]"), "/messages", "at least one"},
        {"message not object", k_topic, envelope_with("[" + k_message + ",5]"), "/messages/1", "JSON object"},
        {"missing sequence", k_topic, envelope_with("[{" + ok + "}]"), "/messages/0/sequence", "missing"},
        {"sequence repeated", k_topic, envelope_with("[" + k_message + "," + k_message + "]"), "/messages/1/sequence",
         "not greater than the previous message's sequence 7"},
        {"sequence decreasing", k_topic, envelope_with("[" + second + "," + k_message + "]"), "/messages/1/sequence",
         "not greater"},
        {"sequence zero", k_topic, envelope_with(R"([{"sequence":0,)" + ok + "}]"), "/messages/0/sequence",
         "out of range"},
        {"sequence negative", k_topic, envelope_with(R"([{"sequence":-1,)" + ok + "}]"), "/messages/0/sequence",
         "out of range"},
        {"sequence 2^53", k_topic, envelope_with(R"([{"sequence":9007199254740992,)" + ok + "}]"),
         "/messages/0/sequence", "out of range"},
        {"sequence 2^64", k_topic, envelope_with(R"([{"sequence":18446744073709551616,)" + ok + "}]"),
         "/messages/0/sequence", "out of range"},
        {"sequence fraction", k_topic, envelope_with(R"([{"sequence":7.5,)" + ok + "}]"), "/messages/0/sequence",
         "must be an integer"},
        {"sequence string", k_topic, envelope_with(R"([{"sequence":"7",)" + ok + "}]"), "/messages/0/sequence",
         "must be an integer"},
        {"bad receive time", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"door","received_at":"0000-00-00T00:00:00.000Z","payload":""}])"),
         "/messages/0/received_at", "not an ISO-8601 date-time"},
        {"receive time as number", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"door","received_at":1764019576000,"payload":""}])"),
         "/messages/0/received_at", "must be a string"},
        {"missing payload", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"door","received_at":"2026-11-24T21:26:16Z"}])"),
         "/messages/0/payload", "missing"},
        {"both payloads", k_topic, envelope_with(R"([{"sequence":7,)" + ok + R"(,"payload_base64":""}])"),
         "/messages/0/payload_base64", "not allowed together"},
        {"payload as JSON object", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"door","received_at":"2026-11-24T21:26:16Z","payload":{}}])"),
         "/messages/0/payload", "must be a string"},
        {"bad base64", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"d","received_at":"2026-11-24T21:26:16Z","payload_base64":"/x=="}])"),
         "/messages/0/payload_base64", "base64"},
        {"unpadded base64", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"d","received_at":"2026-11-24T21:26:16Z","payload_base64":"/w"}])"),
         "/messages/0/payload_base64", "base64"},
        {"wildcard topic", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"rooms/+","received_at":"2026-11-24T21:26:16Z","payload":""}])"),
         "/messages/0/topic", "must not hold"},
        {"empty topic", k_topic,
         envelope_with(R"([{"sequence":7,"topic":"","received_at":"2026-11-24T21:26:16Z","payload":""}])"),
         "/messages/0/topic", "1 to 1024 bytes"},
        {"unknown message member", k_topic, envelope_with(R"([{"sequence":7,"qos":1,)" + ok + "}]"), "/messages/0/qos",
         "unknown member"},
    };
    for (const auto& c : cases) {
        const auto result = decode_envelope(c.topic, c.body);
        ASSERT_FALSE(result) << c.name;
        EXPECT_EQ(result.error().where, c.pointer) << c.name << ": " << result.error().to_string();
        EXPECT_NE(result.error().message.find(c.says), std::string::npos)
            << c.name << ": " << result.error().to_string();
    }
}

TEST(IngestEnvelope, OversizeBatchesAreRefused) {
    const EnvelopeLimits limits{.max_envelope_bytes = 4096, .max_messages = 2};
    const std::string three = "[" + k_message + R"(,{"sequence":8,)" + k_message.substr(14) + R"(,{"sequence":9,)" +
                              k_message.substr(14) + "]";
    ASSERT_TRUE(decode_envelope(k_topic, envelope_with(three))) << three;

    const auto too_many = decode_envelope(k_topic, envelope_with(three), limits);
    ASSERT_FALSE(too_many);
    EXPECT_EQ(too_many.error().where, "/messages");
    EXPECT_NE(too_many.error().message.find("3 messages, over the limit of 2"), std::string::npos);

    const std::string big = envelope_with(R"([{"sequence":7,"topic":"door","received_at":"2026-11-24T21:26:16Z",)"
                                          R"("payload":")" +
                                          std::string(5000, 'x') + "\"}]");
    const auto too_big = decode_envelope(k_topic, big, limits);
    ASSERT_FALSE(too_big);
    EXPECT_EQ(too_big.error().where, "");
    EXPECT_NE(too_big.error().message.find("over the limit of 4096 bytes"), std::string::npos);
}

TEST(IngestEnvelope, AckRoundTrip) {
    const std::string body = encode_ack("pi5-door", 1042);
    EXPECT_EQ(body, R"({"version":1,"gateway":"pi5-door","highest_sequence":1042})");
    const auto ack = decode_ack(ack_topic("pi5-door"), body);
    ASSERT_TRUE(ack) << ack.error().to_string();
    EXPECT_EQ(ack->gateway, "pi5-door");
    EXPECT_EQ(ack->highest_sequence, 1042U);

    const auto nothing_yet = decode_ack(ack_topic("pi5-door"), encode_ack("pi5-door", 0));
    ASSERT_TRUE(nothing_yet);
    EXPECT_EQ(nothing_yet->highest_sequence, 0U);
    EXPECT_EQ(decode_ack(ack_topic("pi5-door"), encode_ack("pi5-door", k_max_sequence))->highest_sequence,
              k_max_sequence);
}

TEST(IngestEnvelope, AckRejectionsNameThePointer) {
    const std::string topic = ack_topic("pi5-door");
    const auto mismatch = decode_ack(ack_topic("other"), encode_ack("pi5-door", 3));
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().where, "/gateway");

    const auto missing = decode_ack(topic, R"({"version":1,"gateway":"pi5-door"})");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().where, "/highest_sequence");

    const auto too_high =
        decode_ack(topic, R"({"version":1,"gateway":"pi5-door","highest_sequence":9007199254740992})");
    ASSERT_FALSE(too_high);
    EXPECT_EQ(too_high.error().where, "/highest_sequence");

    const auto malformed = decode_ack(topic, "{");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().where, "");

    const auto wrong_topic = decode_ack(envelope_topic("pi5-door"), encode_ack("pi5-door", 3));
    ASSERT_FALSE(wrong_topic);
    EXPECT_EQ(wrong_topic.error().where, "topic");
}
