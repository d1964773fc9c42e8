// kill -9 of dtwin serve in the middle of 50,000 enveloped messages: after a restart and
// the sender's replay, history holds every sample exactly once (ARCHITECTURE.md, "crash
// of any one process mid-stream: 0 acknowledged samples lost, 0 duplicates").
#include "ingest/envelope.hpp"
#include "serve_fixture.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <set>

namespace dtwin::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::uint64_t k_messages = 50'000;
constexpr std::uint64_t k_batch = 500;
const std::string k_gateway = "crash-gw";

class ServeCrashTest : public ServeTest {
protected:
    std::vector<std::string> observed_topics() const override {
        return {"dtwin/server/status", ingest::ack_topic(k_gateway)};
    }
};

/// One room-node reading per sequence: Room1 for odd, Room2 for even sequences, co2 = the
/// sequence, source times one millisecond apart.
std::string batch(std::uint64_t first, std::uint64_t last, core::TimePoint base) {
    ingest::Envelope envelope{k_gateway, {}};
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    for (std::uint64_t sequence = first; sequence <= last; ++sequence) {
        json::object reading{{"temperature", 20.0}, {"humidity", 40.0}, {"light", 100},
                             {"co2", sequence},     {"motion", 0},
                             {"timestamp", core::format_time(base + std::chrono::milliseconds(sequence))}};
        envelope.messages.push_back(
            {sequence, sequence % 2 == 1 ? "rooms/Room1" : "rooms/Room2", json::serialize(reading), now});
    }
    return ingest::encode_envelope(envelope);
}

TEST_F(ServeCrashTest, KillNineMidStreamThenReplayKeepsEverySampleExactlyOnce) {
    const auto config = write_config(example_config());
    start_server(config, {"--set", "serve.publish_events=false"});
    const auto base = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now() - 2h);
    const std::string ack_topic = ingest::ack_topic(k_gateway);

    std::uint64_t acked = 0;
    bool killed = false;
    int resends = 0;
    const auto started = std::chrono::steady_clock::now();
    while (acked < k_messages) {
        ASSERT_LT(std::chrono::steady_clock::now() - started, 240s) << "stuck at " << acked << "\n"
                                                                   << m_server->output();
        const std::uint64_t first = acked + 1;
        const std::uint64_t last = std::min(first + k_batch - 1, k_messages);
        m_client->publish(ingest::envelope_topic(k_gateway), batch(first, last, base));
        if (!killed && acked >= k_messages * 2 / 5) {
            // The envelope is on its way or being committed: kill now, restart at once.
            kill_server();
            killed = true;
            start_server(config, {"--set", "serve.publish_events=false"});
        }
        const auto ack = m_client->wait_json(
            ack_topic, [&](const json::value& a) { return a.at("highest_sequence").to_number<std::uint64_t>() >= last; },
            3s);
        if (ack) {
            acked = ack->at("highest_sequence").to_number<std::uint64_t>();
        } else {
            ++resends; // stop and wait: no ack in time, send the same messages again
        }
        m_client->forget();
    }
    EXPECT_TRUE(killed);
    ASSERT_EQ(stop_server(), 0) << m_server->output();

    std::set<std::uint64_t> seen;
    std::size_t samples = 0;
    for (const char* room : {"Room1", "Room2"}) {
        for (const auto& sample : history(room, "co2")) {
            ++samples;
            const auto value = static_cast<std::uint64_t>(std::get<double>(sample.value));
            EXPECT_EQ(value, sample.sequence);
            seen.insert(value);
        }
    }
    EXPECT_EQ(samples, k_messages) << "duplicates or losses (resends: " << resends << ")";
    EXPECT_EQ(seen.size(), k_messages);
    EXPECT_EQ(*seen.begin(), 1U);
    EXPECT_EQ(*seen.rbegin(), k_messages);
    auto cursor = open_store()->cursor("gw:" + k_gateway);
    ASSERT_TRUE(cursor && *cursor);
    EXPECT_EQ(**cursor, k_messages);
}

} // namespace
} // namespace dtwin::testing
