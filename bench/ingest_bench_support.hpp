// What ingest_bench.cpp measures with: options, the broker and server processes, MQTT
// clients that record arrival times, and small payload helpers. Split from the benchmark
// so that each file stays readable; included by ingest_bench.cpp and alert_latency_bench.cpp
// (which starts the same broker and server around its SMTP server).
#pragma once

#include "child_process.hpp"
#include "core/time.hpp"
#include "ingest/envelope.hpp"
#include "mosquitto_process.hpp"
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

namespace dtwin::ingest_bench {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace dtwin;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using testing::ChildProcess;
using testing::ChildProcessOptions;

inline constexpr std::string_view k_status_topic = "dtwin/server/status";
inline constexpr std::string_view k_counters_topic = "dtwin/diagnostics/counters";
inline constexpr std::string_view k_gateway = "bench-gw";
/// Sent before each latency phase at the same pace and left out of its figures
/// (connections, page cache and allocators warm up).
inline constexpr std::size_t k_warmup_messages = 200;
/// Samples per room reading: temperature, humidity, light, co2, motion, roomTimestamp.
inline constexpr std::size_t k_samples_per_reading = 6;

// The one mutable global: a signal handler can reach nothing else.
inline std::atomic<bool> g_interrupted{false};

extern "C" inline void on_interrupt(int /*signal*/) {
    g_interrupted.store(true);
}

inline void check_interrupted() {
    if (g_interrupted.load()) {
        throw std::runtime_error("interrupted");
    }
}

struct Options {
    std::string dtwin = DTWIN_BIN;
    std::size_t messages = 5'000;
    std::size_t throughput_messages = 50'000;
    std::size_t envelopes = 100;
    std::size_t batch = 1'000;
};

inline Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--help" || name == "-h") {
            std::printf("usage: ingest_bench [--dtwin PATH] [--messages N (5000)] [--throughput-messages N (50000)]\n"
                        "                    [--envelopes E (100)] [--batch B (1000, at most the server's limit)]\n");
            std::exit(0);
        }
        if (i + 1 >= argc) {
            throw std::invalid_argument(name + " needs a value (see --help)");
        }
        const std::string value = argv[++i];
        auto count = [&] {
            const auto parsed = std::stoull(value);
            if (parsed == 0) {
                throw std::invalid_argument(name + " must be at least 1");
            }
            return static_cast<std::size_t>(parsed);
        };
        if (name == "--dtwin") {
            options.dtwin = value;
        } else if (name == "--messages") {
            options.messages = count();
        } else if (name == "--throughput-messages") {
            options.throughput_messages = count();
        } else if (name == "--envelopes") {
            options.envelopes = count();
        } else if (name == "--batch") {
            options.batch = count();
        } else {
            throw std::invalid_argument("unknown option " + name + " (see --help)");
        }
    }
    return options;
}

inline double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

inline core::TimePoint now_utc() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

/// Reading `i` of a room node, as on rooms/Room1: co2 = i, and every value differs from
/// reading i - 2's (the same room's previous one where two rooms alternate), so dtwin
/// stores all six, timestamp included, as history samples: it only stores what changed.
inline std::string room_reading(std::size_t i, core::TimePoint timestamp) {
    char values[160];
    std::snprintf(values, sizeof values,
                  R"({"temperature":%.2f,"humidity":%.2f,"light":%zu,"co2":%zu,"motion":%zu,"timestamp":")",
                  15 + static_cast<double>(i % 1000) / 100, 30 + static_cast<double>(i % 500) / 20, i % 2000, i,
                  i / 2 % 2);
    return values + core::format_time(timestamp) + "\"}";
}

/// `count` readings on <prefix>Room1 and <prefix>Room2 alternating, co2 = index,
/// timestamps 1 us apart from now on.
inline std::vector<std::pair<std::string, std::string>> room_readings(std::size_t count, const std::string& prefix) {
    const core::TimePoint start = now_utc();
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        out.emplace_back(prefix + (i % 2 == 0 ? "Room1" : "Room2"),
                         room_reading(i, start + std::chrono::microseconds(i)));
    }
    return out;
}

inline std::optional<json::value> parse_json(std::string_view text) {
    std::error_code ec;
    json::value value = json::parse(text, ec);
    return ec ? std::nullopt : std::optional(std::move(value));
}

inline std::optional<std::size_t> as_index(const json::value* value) {
    if (value == nullptr || !value->is_number()) {
        return std::nullopt;
    }
    std::error_code ec;
    const auto number = value->to_number<double>(ec);
    return ec || number < 0 ? std::nullopt : std::optional(static_cast<std::size_t>(number));
}

/// The co2 of a room reading (the floor's messages carry their index there).
inline std::optional<std::size_t> reading_co2(std::string_view payload) {
    auto document = parse_json(payload);
    const auto* object = document ? document->if_object() : nullptr;
    return object != nullptr ? as_index(object->if_contains("co2")) : std::nullopt;
}

/// The /co2 value a change event's patch sets, if it sets one.
inline std::optional<std::size_t> event_co2(std::string_view payload) {
    auto document = parse_json(payload);
    const auto* object = document ? document->if_object() : nullptr;
    const auto* patch = object != nullptr ? object->if_contains("patch") : nullptr;
    if (patch == nullptr || !patch->is_array()) {
        return std::nullopt;
    }
    for (const auto& operation : patch->get_array()) {
        const auto* fields = operation.if_object();
        const auto* path = fields != nullptr ? fields->if_contains("path") : nullptr;
        if (path != nullptr && path->is_string() && path->get_string() == "/co2") {
            return as_index(fields->if_contains("value"));
        }
    }
    return std::nullopt;
}

/// A temporary directory, removed with everything in it when the object goes.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "dtwin-bench-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed for " + pattern);
        }
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

/// "phase: 10% 20% ... 100%" on stderr, one line per phase. One thread.
class Progress {
public:
    explicit Progress(const std::string& phase) { std::fprintf(stderr, "ingest_bench: %s:", phase.c_str()); }
    ~Progress() { std::fprintf(stderr, "\n"); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    void update(std::size_t done, std::size_t total) {
        const auto step = static_cast<int>(10 * done / std::max<std::size_t>(total, 1));
        for (; m_step < std::min(step, 10); ++m_step) {
            std::fprintf(stderr, " %d%%", (m_step + 1) * 10);
        }
    }

private:
    int m_step = 0;
};

/// A thread whose exception join() rethrows; stopped (stop_token) and joined when it goes.
class Worker {
public:
    explicit Worker(std::function<void(std::stop_token)> body)
        : m_thread([this, body = std::move(body)](std::stop_token stop) {
              try {
                  body(std::move(stop));
              } catch (...) {
                  m_error = std::current_exception();
              }
          }) {}
    void join() {
        m_thread.request_stop();
        m_thread.join();
        if (m_error) {
            std::rethrow_exception(m_error);
        }
    }

private:
    std::exception_ptr m_error;
    std::jthread m_thread; // last: destroyed (stopped, joined) before m_error
};

/// One MQTT client of the benchmark's own: clean session, up to 1,000 QoS 1 messages in
/// flight, connected on construction. publish() from any thread; the rest from one.
class BenchClient {
public:
    BenchClient(const std::string& url, const std::string& id) {
        mqtt::MqttClientOptions options;
        options.broker_url = url;
        options.client_id = id;
        options.clean_session = true;
        options.max_inflight = 1000;
        options.event_queue_capacity = 1'000'000;
        auto created = mqtt::MqttClient::create(options);
        if (!created) {
            throw std::runtime_error(created.error().to_string());
        }
        m_client = std::make_unique<mqtt::MqttClient>(std::move(*created));
        if (auto started = m_client->connect(); !started) {
            throw std::runtime_error(started.error().to_string());
        }
        wait_for("a connection to " + url,
                 [](mqtt::MqttEvent& event) { return std::holds_alternative<mqtt::Connected>(event); });
    }
    ~BenchClient() { m_client->stop(); }
    BenchClient(const BenchClient&) = delete;
    BenchClient& operator=(const BenchClient&) = delete;

    /// Subscribes with QoS 1 and waits for the SUBACK.
    void subscribe(std::string_view filter) {
        auto mid = m_client->subscribe(std::string(filter), 1);
        if (!mid) {
            throw std::runtime_error(mid.error().to_string());
        }
        wait_for("the SUBACK for " + std::string(filter), [&](mqtt::MqttEvent& event) {
            const auto* done = std::get_if<mqtt::Subscribed>(&event);
            return done != nullptr && done->mid == *mid;
        });
    }

    int publish(std::string_view topic, std::string_view payload, int qos = 1, bool retain = false) {
        auto mid = m_client->publish(topic, payload, qos, retain);
        if (!mid) {
            throw std::runtime_error("publish on " + std::string(topic) + ": " + mid.error().to_string());
        }
        return *mid;
    }

    /// Publishes with QoS 1 and waits for the broker's PUBACK.
    void publish_confirmed(std::string_view topic, std::string_view payload, bool retain) {
        const int mid = publish(topic, payload, 1, retain);
        wait_for("the PUBACK of a message on " + std::string(topic), [&](mqtt::MqttEvent& event) {
            const auto* done = std::get_if<mqtt::Published>(&event);
            return done != nullptr && done->mid == mid;
        });
    }

    /// The next received message (skipping other events), waiting at most `timeout`.
    std::optional<mqtt::Message> next_message(std::chrono::milliseconds timeout) {
        if (!m_backlog.empty()) {
            mqtt::Message message = std::move(m_backlog.front());
            m_backlog.pop_front();
            return message;
        }
        const auto deadline = SteadyClock::now() + timeout;
        do {
            auto event = m_client->next_event_for(std::chrono::ceil<std::chrono::milliseconds>(
                std::max(deadline - SteadyClock::now(), SteadyClock::duration::zero())));
            if (!event) {
                break;
            }
            if (auto* message = std::get_if<mqtt::Message>(&*event)) {
                return std::move(*message);
            }
            throw_if_lost(*event);
        } while (SteadyClock::now() < deadline);
        return std::nullopt;
    }

    /// Drops the events queued now (a publisher's PUBACK notices).
    void drain() {
        while (auto event = m_client->try_next_event()) {
            throw_if_lost(*event);
        }
    }

private:
    static void throw_if_lost(const mqtt::MqttEvent& event) {
        if (const auto* lost = std::get_if<mqtt::ConnectionLost>(&event)) {
            throw std::runtime_error("lost the connection to the broker: " + lost->reason);
        }
    }

    void wait_for(const std::string& what, const std::function<bool(mqtt::MqttEvent&)>& done) {
        const auto deadline = SteadyClock::now() + 10s;
        while (SteadyClock::now() < deadline) {
            check_interrupted();
            auto event = m_client->next_event_for(100ms);
            if (!event) {
                continue;
            }
            if (done(*event)) {
                return;
            }
            if (auto* message = std::get_if<mqtt::Message>(&*event)) {
                m_backlog.push_back(std::move(*message));
            }
        }
        throw std::runtime_error("timed out waiting for " + what);
    }

    std::unique_ptr<mqtt::MqttClient> m_client;
    std::deque<mqtt::Message> m_backlog;
};

struct Environment {
    Options options;
    std::string broker_url;
    fs::path work_dir;
};

/// What dtwin serve publishes on dtwin/diagnostics/counters, the part used here.
struct Counters {
    std::uint64_t messages = 0;
    std::uint64_t samples = 0;
    std::uint64_t commits = 0;
};

inline std::optional<Counters> parse_counters(std::string_view payload) {
    auto document = parse_json(payload);
    const auto* object = document ? document->if_object() : nullptr;
    if (object == nullptr) {
        return std::nullopt;
    }
    auto field = [&](const char* name) { return as_index(object->if_contains(name)).value_or(0); };
    return Counters{field("messages"), field("samples"), field("commits")};
}

/// CPU time (user + system) a process has used so far, from /proc/<pid>/stat.
inline double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto end_of_name = text.rfind(')');
    if (end_of_name == std::string::npos) {
        return 0;
    }
    std::istringstream fields(text.substr(end_of_name + 2));
    std::string skipped;
    for (int i = 3; i < 14; ++i) { // fields 3..13: state .. cmajflt
        fields >> skipped;
    }
    double user = 0;
    double system = 0;
    fields >> user >> system;
    return (user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// One `dtwin serve` on its own fresh data directory, with an observer client on its
/// status and counters topics; stopped (SIGTERM, by PID) when the object goes.
class ServeSession {
public:
    ServeSession(const Environment& env, const std::string& name, bool publish_events)
        : m_observer(env.broker_url, "bench-observer-" + name) {
        const fs::path data = env.work_dir / ("data-" + name);
        const fs::path models = fs::path(DTWIN_SOURCE_DIR) / "examples/door-and-two-rooms/models";
        run_dtwin(env, data, {"model", "import", (models / "Room.json").string(), (models / "Door.json").string()});
        run_dtwin(env, data, {"import", std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/twins.json"});
        // The broker is shared across phases: forget what earlier servers left retained.
        for (const auto& topic :
             {std::string(k_status_topic), std::string(k_counters_topic), ingest::ack_topic(k_gateway)}) {
            m_observer.publish_confirmed(topic, "", true);
        }
        m_observer.subscribe(k_status_topic);
        m_observer.subscribe(k_counters_topic);
        m_server.emplace(ChildProcessOptions{
            .argv = {env.options.dtwin, "--config",
                     std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml", "--data", data.string(),
                     "--set", "mqtt.url=" + env.broker_url, "--set", "mqtt.client_id=dtwin-bench-" + name, "--set",
                     std::string("serve.publish_events=") + (publish_events ? "true" : "false"), "--set",
                     "serve.stats_interval_ms=100", "--set", "api.listen=off", "serve"},
            .output_directory = env.work_dir,
            .output_name = "serve-" + name,
            .terminate_timeout = 20s});
        wait("its status online",
             [](const mqtt::Message& m) { return m.topic == k_status_topic && m.payload == "online"; });
        m_baseline = wait_counters([](const Counters&) { return true; });
    }
    ServeSession(const ServeSession&) = delete;
    ServeSession& operator=(const ServeSession&) = delete;

    [[nodiscard]] const Counters& baseline() const { return m_baseline; }
    [[nodiscard]] double cpu_seconds() const { return ingest_bench::cpu_seconds(m_server->pid()); }
    /// Messages the server counted since the baseline.
    [[nodiscard]] std::size_t counted(const Counters& c) const { return c.messages - m_baseline.messages; }

    /// The next counters the server publishes that satisfy `accept`, and when they arrived.
    Counters wait_counters(const std::function<bool(const Counters&)>& accept, std::chrono::seconds timeout = 30s,
                           SteadyClock::time_point* arrived = nullptr) {
        std::optional<Counters> found;
        wait(
            "its counters",
            [&](const mqtt::Message& m) {
                found = m.topic == k_counters_topic ? parse_counters(m.payload) : std::nullopt;
                return found && accept(*found);
            },
            timeout);
        if (arrived != nullptr) {
            *arrived = m_last_arrival;
        }
        return *found;
    }

    /// Counters that arrived until now, without waiting; nullopt when none did.
    std::optional<Counters> poll_counters() {
        std::optional<Counters> latest;
        while (auto message = m_observer.next_message(0ms)) {
            if (auto counters = message->topic == k_counters_topic ? parse_counters(message->payload) : std::nullopt) {
                latest = counters;
            }
        }
        return latest;
    }

    /// Stops the server (SIGTERM, by PID) and fails when it does not exit cleanly.
    void stop() {
        m_server->signal(SIGTERM);
        const auto status = m_server->wait_for_exit(20s);
        if (status != 0) {
            throw std::runtime_error("dtwin serve did not stop cleanly\n" + m_server->output());
        }
    }

private:
    static void run_dtwin(const Environment& env, const fs::path& data, std::vector<std::string> args) {
        args.insert(args.begin(), {env.options.dtwin, "--data", data.string()});
        ChildProcess process(
            ChildProcessOptions{.argv = args, .output_directory = env.work_dir, .output_name = "dtwin-import"});
        if (process.wait_for_exit(60s) != 0) {
            throw std::runtime_error("dtwin " + args[3] + " failed\n" + process.output());
        }
    }

    void wait(const std::string& what, const std::function<bool(const mqtt::Message&)>& done,
              std::chrono::seconds timeout = 30s) {
        const auto deadline = SteadyClock::now() + timeout;
        while (SteadyClock::now() < deadline && m_server->running()) {
            check_interrupted();
            auto message = m_observer.next_message(50ms);
            m_last_arrival = SteadyClock::now();
            if (message && done(*message)) {
                return;
            }
        }
        throw std::runtime_error("dtwin serve (pid " + std::to_string(m_server->pid()) + "): no " + what + "\n" +
                                 m_server->output());
    }

    BenchClient m_observer;
    std::optional<ChildProcess> m_server; // after the observer: stopped before it goes
    Counters m_baseline;
    SteadyClock::time_point m_last_arrival;
};

} // namespace dtwin::ingest_bench
