// Ingest latency and throughput of `dtwin serve`, each beside the same figure for
// mosquitto alone, measured in one run against one broker (docs/benchmarks.md, "Ingest"):
//
//   1. floor latency: client A publishes QoS 1 at 1,000 msg/s, client B (subscribed QoS 1)
//      receives; latency = B's receive time - A's send time (same steady clock);
//   2. dtwin latency: the same pace, room readings on rooms/Room1 with co2 = index, matched
//      with the change event on dtwin/events/twins/Room1 whose patch sets /co2 = index
//      (the event only leaves after the commit: publish -> commit -> event);
//   3. floor throughput: N QoS 1 messages as fast as possible, one subscriber counts them;
//   4. dtwin throughput: N room readings (Room1/Room2 alternating) as fast as possible,
//      done when the server's counters show them all; serve.publish_events=false, then true;
//   5. gateway envelopes of B readings each, stop-and-wait on the acks: samples/s
//      (serve.publish_events=false, then true).
//
// Every dtwin phase starts its own `dtwin serve` (own MQTT client id) on a fresh data
// directory holding the example's models and twins, and stops it after the phase. The
// broker, every server and every temporary directory are stopped or removed, by PID and by
// path, however the run ends (also on Ctrl-C).
//
//   build/release/bench/ingest_bench [--dtwin PATH] [--messages N] [--throughput-messages N]
//                                    [--envelopes E] [--batch B]
#include "ingest_bench_support.hpp"

#include "core/time.hpp"
#include "ingest/envelope.hpp"
#include "mqtt/mqtt_client.hpp"
#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <utility>
#include <variant>
#include <vector>

namespace {

using namespace dtwin::ingest_bench;
namespace fs = std::filesystem;
namespace json = boost::json;
using namespace dtwin;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// ---- the measurements ----------------------------------------------------------------

struct Latency {
    double p50 = 0, p99 = 0, p999 = 0; // ms
    std::size_t lost = 0;
};

/// What the server did in a phase, from its counters and /proc.
struct ServerLoad {
    double messages_per_commit = 0;
    double cpu_ms_per_message = 0;
    double cpu_ms_per_commit = 0;
    double samples_per_message = 0;
};

ServerLoad server_load(const Counters& before, const Counters& after, double cpu_seconds) {
    const auto messages = static_cast<double>(after.messages - before.messages);
    const auto commits = static_cast<double>(std::max<std::uint64_t>(after.commits - before.commits, 1));
    return {messages / commits, 1000 * cpu_seconds / std::max(messages, 1.0), 1000 * cpu_seconds / commits,
            static_cast<double>(after.samples - before.samples) / std::max(messages, 1.0)};
}

double percentile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) {
        return 0;
    }
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

/// Sends k_warmup_messages + count messages at 1 per ms from `sender`; `receiver` (already
/// subscribed) matches what it receives to an index with `match`. Latency = receive time
/// (taken before matching) - send time (taken just before publish()).
Latency measure_latency(const std::string& phase, BenchClient& sender, BenchClient& receiver, std::size_t count,
                        const std::function<std::pair<std::string, std::string>(std::size_t)>& message,
                        const std::function<std::optional<std::size_t>(std::string_view)>& match) {
    const std::size_t total = k_warmup_messages + count;
    std::vector<std::atomic<std::int64_t>> sent_ns(total);
    std::vector<std::int64_t> received_ns(total, 0); // the receiving thread's only
    std::atomic<std::size_t> received{0};
    auto ns = [](SteadyClock::time_point t) { return t.time_since_epoch().count(); };
    Worker receiving([&](const std::stop_token& stop) {
        while (!stop.stop_requested()) {
            auto got = receiver.next_message(50ms);
            const auto at = ns(SteadyClock::now());
            const auto index = got ? match(got->payload) : std::nullopt;
            if (index && *index < total && received_ns[*index] == 0) {
                received_ns[*index] = at;
                received.fetch_add(1);
            }
        }
    });
    Progress progress(phase);
    const auto start = SteadyClock::now() + 10ms;
    for (std::size_t i = 0; i < total; ++i) {
        std::this_thread::sleep_until(start + std::chrono::milliseconds(i));
        check_interrupted();
        const auto [topic, payload] = message(i);
        sent_ns[i].store(ns(SteadyClock::now()));
        sender.publish(topic, payload);
        if (i % 100 == 0) {
            sender.drain();
            progress.update(i, total);
        }
    }
    for (const auto give_up = SteadyClock::now() + 5s; received.load() < total && SteadyClock::now() < give_up;) {
        check_interrupted();
        std::this_thread::sleep_for(10ms);
    }
    receiving.join();
    progress.update(total, total);
    std::vector<double> ms;
    for (std::size_t i = k_warmup_messages; i < total; ++i) {
        if (received_ns[i] != 0) {
            ms.push_back(static_cast<double>(received_ns[i] - sent_ns[i].load()) / 1e6);
        }
    }
    std::sort(ms.begin(), ms.end());
    return {percentile(ms, 0.50), percentile(ms, 0.99), percentile(ms, 0.999), count - ms.size()};
}

Latency floor_latency(const Environment& env) {
    BenchClient receiver(env.broker_url, "bench-floor-receiver");
    receiver.subscribe("bench/latency");
    BenchClient sender(env.broker_url, "bench-floor-sender");
    return measure_latency(
        "floor latency (mosquitto alone)", sender, receiver, env.options.messages,
        [](std::size_t i) {
            return std::pair{std::string("bench/latency"), room_reading(i, now_utc())};
        },
        reading_co2);
}

std::pair<Latency, ServerLoad> dtwin_latency(const Environment& env) {
    ServeSession session(env, "latency", true);
    BenchClient receiver(env.broker_url, "bench-event-receiver");
    receiver.subscribe("dtwin/events/twins/Room1");
    BenchClient sender(env.broker_url, "bench-room-sender");
    const double cpu_before = session.cpu_seconds();
    const Latency latency = measure_latency(
        "dtwin latency (publish -> commit -> change event)", sender, receiver, env.options.messages,
        [](std::size_t i) {
            return std::pair{std::string("rooms/Room1"), room_reading(i, now_utc())};
        },
        event_co2);
    const std::size_t total = k_warmup_messages + env.options.messages;
    const Counters after = session.wait_counters([&](const Counters& c) { return session.counted(c) >= total; });
    const ServerLoad load = server_load(session.baseline(), after, session.cpu_seconds() - cpu_before);
    session.stop();
    return {latency, load};
}

struct Throughput {
    double seconds = 0;
    double per_second = 0; // messages (or samples, for envelopes)
    ServerLoad load;
};

Throughput floor_throughput(const Environment& env) {
    const std::size_t count = env.options.throughput_messages;
    BenchClient counter(env.broker_url, "bench-floor-counter");
    counter.subscribe("bench/floor/+");
    BenchClient publisher(env.broker_url, "bench-floor-publisher");
    const auto messages = room_readings(count, "bench/floor/");
    std::atomic<std::size_t> received{0};
    SteadyClock::time_point last{};
    Worker counting([&](const std::stop_token& stop) {
        while (!stop.stop_requested() && received.load() < count) {
            if (counter.next_message(50ms) && received.fetch_add(1) + 1 == count) {
                last = SteadyClock::now();
            }
        }
    });
    Progress progress("throughput (mosquitto alone)");
    const auto start = SteadyClock::now();
    for (std::size_t i = 0; i < count; ++i) {
        publisher.publish(messages[i].first, messages[i].second);
        if (i % 1000 == 0) {
            check_interrupted();
            publisher.drain();
            progress.update(received.load(), count);
        }
    }
    for (const auto give_up = SteadyClock::now() + 120s; received.load() < count;) {
        check_interrupted();
        if (SteadyClock::now() > give_up) {
            throw std::runtime_error("floor throughput: only " + std::to_string(received.load()) + " of " +
                                     std::to_string(count) + " messages arrived");
        }
        std::this_thread::sleep_for(1ms);
        publisher.drain();
        progress.update(received.load(), count);
    }
    counting.join(); // makes `last` visible here
    const double seconds = seconds_between(start, last);
    return {seconds, static_cast<double>(count) / seconds, {}};
}

Throughput dtwin_throughput(const Environment& env, bool publish_events) {
    const std::size_t count = env.options.throughput_messages;
    ServeSession session(env, publish_events ? "throughput-events" : "throughput", publish_events);
    BenchClient publisher(env.broker_url, "bench-room-publisher");
    const auto messages = room_readings(count, "rooms/");
    Progress progress(std::string("dtwin throughput, publish_events=") + (publish_events ? "true" : "false"));
    const double cpu_before = session.cpu_seconds();
    const auto start = SteadyClock::now();
    for (std::size_t i = 0; i < count; ++i) {
        publisher.publish(messages[i].first, messages[i].second);
        if (i % 1000 == 0) {
            check_interrupted();
            publisher.drain();
            if (auto counters = session.poll_counters()) {
                progress.update(session.counted(*counters), count);
            }
        }
    }
    SteadyClock::time_point done;
    const Counters after = session.wait_counters(
        [&](const Counters& c) {
            publisher.drain();
            progress.update(session.counted(c), count);
            return session.counted(c) >= count;
        },
        300s, &done);
    const double seconds = seconds_between(start, done);
    const ServerLoad load = server_load(session.baseline(), after, session.cpu_seconds() - cpu_before);
    session.stop();
    return {seconds, static_cast<double>(count) / seconds, load};
}

/// `envelopes` envelopes of `batch` room readings each, sequences 1.., Room1/Room2 alternating.
std::vector<std::string> gateway_envelopes(std::size_t envelopes, std::size_t batch) {
    const core::TimePoint start = now_utc();
    std::vector<std::string> out;
    std::uint64_t sequence = 0;
    for (std::size_t e = 0; e < envelopes; ++e) {
        ingest::Envelope envelope{std::string(k_gateway), {}};
        for (std::size_t i = 0; i < batch; ++i) {
            ++sequence;
            const core::TimePoint at = start + std::chrono::microseconds(sequence);
            envelope.messages.push_back(
                {sequence, sequence % 2 == 1 ? "rooms/Room1" : "rooms/Room2", room_reading(sequence, at), at});
        }
        out.push_back(ingest::encode_envelope(envelope));
    }
    return out;
}

/// Waits for the ack of everything up to `sequence`.
void wait_for_ack(BenchClient& gateway, std::uint64_t sequence) {
    const std::string topic = ingest::ack_topic(k_gateway);
    for (const auto give_up = SteadyClock::now() + 60s; SteadyClock::now() < give_up;) {
        check_interrupted();
        auto message = gateway.next_message(50ms);
        if (!message || message->topic != topic) {
            continue;
        }
        if (auto ack = ingest::decode_ack(topic, message->payload); ack && ack->highest_sequence >= sequence) {
            return;
        }
    }
    throw std::runtime_error("no ack for sequence " + std::to_string(sequence) + " within 60 s");
}

Throughput envelope_throughput(const Environment& env, bool publish_events) {
    const std::size_t envelopes = env.options.envelopes;
    const std::size_t batch = env.options.batch;
    ServeSession session(env, publish_events ? "envelopes-events" : "envelopes", publish_events);
    BenchClient gateway(env.broker_url, "bench-gateway");
    gateway.subscribe(ingest::ack_topic(k_gateway));
    const auto bodies = gateway_envelopes(envelopes, batch);
    const std::string topic = ingest::envelope_topic(k_gateway);
    Progress progress(std::string("gateway envelopes, publish_events=") + (publish_events ? "true" : "false"));
    const double cpu_before = session.cpu_seconds();
    const auto start = SteadyClock::now();
    for (std::size_t e = 0; e < envelopes; ++e) {
        gateway.publish(topic, bodies[e]);
        wait_for_ack(gateway, (e + 1) * batch);
        progress.update(e + 1, envelopes);
    }
    const double seconds = seconds_between(start, SteadyClock::now());
    const Counters after =
        session.wait_counters([&](const Counters& c) { return session.counted(c) >= envelopes * batch; });
    const ServerLoad load = server_load(session.baseline(), after, session.cpu_seconds() - cpu_before);
    session.stop();
    const auto samples = static_cast<double>(k_samples_per_reading * batch * envelopes);
    return {seconds, samples / seconds, load};
}

// ---- the report ----------------------------------------------------------------------

struct Results {
    Latency floor_latency;
    Latency dtwin_latency;
    ServerLoad latency_load;
    Throughput floor;
    Throughput quiet;
    Throughput with_events;
    Throughput envelopes;
    Throughput envelopes_with_events;
};

std::string load_note(const ServerLoad& load) {
    char text[200];
    std::snprintf(text, sizeof text, "%.1f msgs/commit, %.1f samples/msg, server CPU %.3f ms/msg",
                  load.messages_per_commit, load.samples_per_message, load.cpu_ms_per_message);
    return text;
}

void print_report(const Options& options, const Results& r, const std::string& command, const std::string& load) {
    const double allowance = 3 * r.floor_latency.p99 + r.latency_load.cpu_ms_per_commit;
    const auto met = [](bool yes) { return yes ? "met" : "**missed**"; };
    std::printf("\ncommand: %s\n%u cores (broker, server and clients share them), load average %s\n\n", command.c_str(),
                std::thread::hardware_concurrency(), load.c_str());
    std::printf(
        "| figure | mosquitto alone | dtwin | dtwin / mosquitto | note |\n| --- | ---: | ---: | ---: | --- |\n");
    const Latency& f = r.floor_latency;
    const Latency& d = r.dtwin_latency;
    for (const auto& [name, floor, dtwin] :
         {std::tuple{"p50", f.p50, d.p50}, std::tuple{"p99", f.p99, d.p99}, std::tuple{"p999", f.p999, d.p999}}) {
        std::printf("| latency %s, 1,000 msg/s x %zu | %.3f ms | %.3f ms | %.1fx | |\n", name, options.messages, floor,
                    dtwin, dtwin / floor);
    }
    std::printf("| latency run: lost messages / events | %zu | %zu | | %s |\n", f.lost, d.lost,
                load_note(r.latency_load).c_str());
    std::printf("| throughput, %zu QoS 1 msgs, publish_events=false | %.0f msg/s | %.0f msg/s | %.2fx | %s |\n",
                options.throughput_messages, r.floor.per_second, r.quiet.per_second,
                r.quiet.per_second / r.floor.per_second, load_note(r.quiet.load).c_str());
    std::printf("| throughput, publish_events=true | | %.0f msg/s | %.2fx | %s |\n", r.with_events.per_second,
                r.with_events.per_second / r.floor.per_second, load_note(r.with_events.load).c_str());
    for (const auto& [name, run] : {std::pair{"false", &r.envelopes}, std::pair{"true", &r.envelopes_with_events}}) {
        std::printf("| envelopes %zu x %zu readings, publish_events=%s | | %.0f samples/s (%.0f msg/s) | | %s |\n",
                    options.envelopes, options.batch, name, run->per_second, run->per_second / k_samples_per_reading,
                    load_note(run->load).c_str());
    }
    std::printf("\nlatency target, p99 <= 3 x floor p99 + commit time (server CPU per commit, %.3f ms) = %.3f ms: "
                "%.3f ms, %s\n",
                r.latency_load.cpu_ms_per_commit, allowance, d.p99, met(d.p99 <= allowance));
    std::printf("samples target, >= 200k samples/s with envelopes: %.0f with publish_events=false, %s; %.0f with "
                "publish_events=true, %s\n",
                r.envelopes.per_second, met(r.envelopes.per_second >= 200'000), r.envelopes_with_events.per_second,
                met(r.envelopes_with_events.per_second >= 200'000));
}

/// The 1-minute load average: how busy the shared cores were around the measurement.
std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one_minute;
    in >> one_minute;
    return one_minute.empty() ? "?" : one_minute;
}

std::string command_line(int argc, char** argv) {
    std::string out;
    for (int i = 0; i < argc; ++i) {
        out += (i == 0 ? "" : " ") + std::string(argv[i]);
    }
    return out;
}

int run(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    if (!testing::MosquittoProcess::available() || ::access(options.dtwin.c_str(), X_OK) != 0) {
        std::fprintf(stderr, "ingest_bench needs %s and %s (scripts/setup, scripts/build release)\n",
                     testing::MosquittoProcess::k_binary, options.dtwin.c_str());
        return 1;
    }
    TempDir work;
    testing::MosquittoProcess broker;
    const Environment env{options, broker.url(), work.path()};
    std::fprintf(stderr, "ingest_bench: broker %s, work dir %s\n", env.broker_url.c_str(), work.path().c_str());
    const std::string load_before = load_average();
    Results r;
    r.floor_latency = floor_latency(env);
    std::tie(r.dtwin_latency, r.latency_load) = dtwin_latency(env);
    r.floor = floor_throughput(env);
    r.quiet = dtwin_throughput(env, false);
    r.with_events = dtwin_throughput(env, true);
    r.envelopes = envelope_throughput(env, false);
    r.envelopes_with_events = envelope_throughput(env, true);
    print_report(options, r, command_line(argc, argv), load_before + " before, " + load_average() + " after");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        // Every process and directory was released on the way out (RAII).
        std::fprintf(stderr, "\ningest_bench: %s\n", error.what());
        return 1;
    }
}
