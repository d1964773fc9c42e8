// End-to-end alert latency of `dtwin serve` (issue 4; docs/benchmarks.md, "Alerts"): from
// publishing a door-slam sample on MQTT to the alert email being accepted by a real SMTP
// server, p50/p90/p99/max, target p99 < 50 ms.
//
// One mosquitto, one aiosmtpd (the tests' SmtpServerProcess, whose recording handler notes
// CLOCK_REALTIME when the MAIL command arrives, when the DATA is complete and when it
// accepts the message) and the real `dtwin serve` with the example's config, models and
// twins on a fresh data directory. Each round: a calm Door sample (gyro 1.0) resolves the
// previous slam's alert (the bench waits for the change event on dtwin/events/twins/Door
// that resets slammedAnomaly: a resolve is not notified), a pause, then a slam
// (gyro > 65) whose publish time (std::chrono::system_clock, the same clock) starts the
// clock; the bench waits for the firing notice on dtwin/alerts/Door (its own subscriber:
// the comparison figure without SMTP) and for the mail whose Message-ID names that alert
// instance. The first k_warmup_slams rounds are left out of the figures (the first one
// opens the SMTP connection; it is reported on its own). Then --reconnects more rounds,
// each after the SMTP server was restarted on its port: the connection dtwin kept open is
// gone, as after a server's idle timeout, which is what a rare slam finds in real life.
//
// The broker, the SMTP server, dtwin serve and the temporary directory are stopped or
// removed, by PID and by path, however the run ends (also on Ctrl-C).
//
//   build/release/bench/alert_latency_bench [--slams N (200)] [--gap-ms MS (100)] [--reconnects K (5)]
//                                           [--dtwin PATH]
#include "ingest_bench_support.hpp"
#include "smtp_server_process.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace dtwin::ingest_bench;
using dtwin::testing::ChildProcess;
using dtwin::testing::ChildProcessOptions;
using dtwin::testing::ReceivedMail;
using dtwin::testing::SmtpServerProcess;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view k_alerts_topic = "dtwin/alerts/Door";
constexpr std::string_view k_door_events_topic = "dtwin/events/twins/Door";
constexpr std::size_t k_warmup_slams = 5;
/// How long one alert notice or mail may take before the run is given up.
constexpr auto k_wait_limit = 10s;

struct AlertOptions {
    std::string dtwin = DTWIN_BIN;
    std::size_t slams = 200;
    std::chrono::milliseconds gap{100};
    std::size_t reconnects = 5;
};

AlertOptions parse_alert_options(int argc, char** argv) {
    AlertOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--help" || name == "-h") {
            std::printf("usage: alert_latency_bench [--slams N (200)] [--gap-ms MS (100)] [--reconnects K (5)]\n"
                        "                           [--dtwin PATH]\n");
            std::exit(0);
        }
        if (i + 1 >= argc) {
            throw std::invalid_argument(name + " needs a value (see --help)");
        }
        const std::string value = argv[++i];
        if (name == "--dtwin") {
            options.dtwin = value;
        } else if (name == "--slams") {
            options.slams = std::stoull(value);
            if (options.slams == 0) {
                throw std::invalid_argument("--slams must be at least 1");
            }
        } else if (name == "--reconnects") {
            options.reconnects = std::stoull(value);
        } else if (name == "--gap-ms") {
            options.gap = std::chrono::milliseconds(std::stoll(value));
        } else {
            throw std::invalid_argument("unknown option " + name + " (see --help)");
        }
    }
    return options;
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The gateway's combined document with the door part only, timestamped now.
std::string door_sample(double gyro) {
    char values[96];
    std::snprintf(values, sizeof values, R"(","angle":40.0,"gyro":%.2f,"magnet":0}})", gyro);
    return R"({"local_data":{"door_timestamp":")" + dtwin::core::format_time(now_utc()) + values;
}

/// An alert notice of door-slammed (dtwin/alerts/Door): its state and instance.
struct Notice {
    std::string state;
    std::uint64_t instance = 0;
};

std::optional<Notice> parse_notice(std::string_view payload) {
    auto document = parse_json(payload);
    const auto* object = document ? document->if_object() : nullptr;
    const auto* rule = object != nullptr ? object->if_contains("rule") : nullptr;
    if (rule == nullptr || !rule->is_string() || rule->get_string() != "door-slammed") {
        return std::nullopt;
    }
    const auto* state = object->if_contains("state");
    const auto instance = as_index(object->if_contains("instance"));
    if (state == nullptr || !state->is_string() || !instance) {
        return std::nullopt;
    }
    return Notice{std::string(state->get_string()), *instance};
}

/// Whether a change event of Door puts slammedAnomaly back to "none": door-slammed's
/// reset, written when its alert resolves (a resolve is not notified, so no alert notice
/// says so).
bool resets_slam(std::string_view payload) {
    auto document = parse_json(payload);
    const auto* object = document ? document->if_object() : nullptr;
    const auto* patch = object != nullptr ? object->if_contains("patch") : nullptr;
    if (patch == nullptr || !patch->is_array()) {
        return false;
    }
    for (const auto& operation : patch->get_array()) {
        const auto* fields = operation.if_object();
        const auto* path = fields != nullptr ? fields->if_contains("path") : nullptr;
        const auto* value = fields != nullptr ? fields->if_contains("value") : nullptr;
        if (path != nullptr && *path == "/slammedAnomaly" && value != nullptr && *value == "none") {
            return true;
        }
    }
    return false;
}

/// One `dtwin serve` on a fresh data directory with the example's models and twins,
/// mailing through `smtp_url`; stopped (SIGTERM, by PID) when the object goes.
class AlertServe {
public:
    AlertServe(const AlertOptions& options, const std::string& broker_url, const std::string& smtp_url,
               const fs::path& work_dir)
        : m_observer(broker_url, "bench-alert-observer"), m_work_dir(work_dir) {
        const fs::path data = work_dir / "data";
        const fs::path example = fs::path(DTWIN_SOURCE_DIR) / "examples/door-and-two-rooms";
        run_dtwin(
            options.dtwin, data,
            {"model", "import", (example / "models/Room.json").string(), (example / "models/Door.json").string()});
        run_dtwin(options.dtwin, data, {"import", (example / "twins.json").string()});
        m_observer.subscribe(k_status_topic);
        m_server.emplace(ChildProcessOptions{.argv = {options.dtwin, "--config", (example / "dtwin.toml").string(),
                                                      "--data", data.string(), "--set", "mqtt.url=" + broker_url,
                                                      "--set", "notify.smtp.url=" + smtp_url, "--set",
                                                      "notify.smtp.to=ops@example.org", "--set", "api.listen=off", "serve"},
                                             .output_directory = work_dir,
                                             .output_name = "serve",
                                             .terminate_timeout = 20s});
        for (const auto give_up = SteadyClock::now() + 30s; SteadyClock::now() < give_up && m_server->running();) {
            check_interrupted();
            auto message = m_observer.next_message(50ms);
            if (message && message->topic == k_status_topic && message->payload == "online") {
                return;
            }
        }
        throw std::runtime_error("dtwin serve did not come online\n" + m_server->output());
    }
    AlertServe(const AlertServe&) = delete;
    AlertServe& operator=(const AlertServe&) = delete;

    [[nodiscard]] std::string output() const { return m_server->output(); }

    /// Stops the server (SIGTERM, by PID) and fails when it does not exit cleanly.
    void stop() {
        m_server->signal(SIGTERM);
        if (m_server->wait_for_exit(20s) != 0) {
            throw std::runtime_error("dtwin serve did not stop cleanly\n" + m_server->output());
        }
    }

private:
    void run_dtwin(const std::string& dtwin, const fs::path& data, std::vector<std::string> args) const {
        args.insert(args.begin(), {dtwin, "--data", data.string()});
        ChildProcess process(
            ChildProcessOptions{.argv = args, .output_directory = m_work_dir, .output_name = "dtwin-import"});
        if (process.wait_for_exit(60s) != 0) {
            throw std::runtime_error("dtwin " + args[3] + " failed\n" + process.output());
        }
    }

    BenchClient m_observer;
    fs::path m_work_dir;
    std::optional<ChildProcess> m_server; // after the observer: stopped before it goes
};

/// One slam, in ns on CLOCK_REALTIME.
struct SlamTimes {
    std::int64_t published = 0;
    std::int64_t notice = 0;   ///< the firing notice reached the bench's subscriber
    std::int64_t mail = 0;     ///< the SMTP server received MAIL
    std::int64_t data_end = 0; ///< ... the whole message
    std::int64_t accepted = 0; ///< ... recorded it, about to reply 250
    std::uint16_t smtp_client_port = 0;
};

/// Runs the calm/slam rounds; the mail server and the server are up, the subscriber
/// listens on dtwin/alerts/Door and dtwin/events/twins/Door.
class SlamLoop {
public:
    SlamLoop(BenchClient& gateway, BenchClient& subscriber, const SmtpServerProcess& smtp, const AlertServe& serve)
        : m_gateway(gateway), m_subscriber(subscriber), m_smtp(smtp), m_serve(serve) {}

    SlamTimes round(std::size_t index, std::chrono::milliseconds gap) {
        m_gateway.publish("door", door_sample(1.0));
        if (m_firing) {
            wait_resolved();
        }
        m_gateway.drain();
        std::this_thread::sleep_for(gap);
        check_interrupted();
        SlamTimes times;
        const std::string slam = door_sample(70.0 + static_cast<double>(index % 20));
        times.published = now_ns();
        m_gateway.publish("door", slam);
        const std::uint64_t instance = wait_firing();
        times.notice = now_ns();
        m_firing = instance;
        const ReceivedMail mail = wait_mail(index + 1, instance);
        times.mail = mail.mail_ns;
        times.data_end = mail.data_end_ns;
        times.accepted = mail.accepted_ns;
        times.smtp_client_port = mail.peer_port;
        return times;
    }

private:
    /// Waits for a firing notice of door-slammed; its instance.
    std::uint64_t wait_firing() {
        std::uint64_t instance = 0;
        wait_message("firing notice of door-slammed on " + std::string(k_alerts_topic), [&](const auto& message) {
            const auto notice = message.topic == k_alerts_topic ? parse_notice(message.payload) : std::nullopt;
            instance = notice ? notice->instance : 0;
            return notice && notice->state == "firing";
        });
        return instance;
    }

    /// Waits for the change event that resets slammedAnomaly: the alert has resolved.
    void wait_resolved() {
        wait_message("reset of slammedAnomaly on " + std::string(k_door_events_topic), [](const auto& message) {
            return message.topic == k_door_events_topic && resets_slam(message.payload);
        });
    }

    void wait_message(const std::string& what, const std::function<bool(const dtwin::mqtt::Message&)>& done) {
        for (const auto give_up = SteadyClock::now() + k_wait_limit; SteadyClock::now() < give_up;) {
            check_interrupted();
            auto message = m_subscriber.next_message(20ms);
            if (message && done(*message)) {
                return;
            }
        }
        throw std::runtime_error("no " + what + " within 10 s\n" + m_serve.output());
    }

    /// Waits for the `count`th mail and returns the one of alert `instance` firing.
    ReceivedMail wait_mail(std::size_t count, std::uint64_t instance) {
        const std::string marker = "Door%2Fdoor-slammed%2F" + std::to_string(instance) + "%2Ffired@";
        for (const auto give_up = SteadyClock::now() + k_wait_limit; SteadyClock::now() < give_up;) {
            check_interrupted();
            for (ReceivedMail& mail : m_smtp.wait_for_messages(count, 100ms)) {
                if (mail.header("Message-ID").value_or("").find(marker) != std::string::npos) {
                    return std::move(mail);
                }
            }
        }
        throw std::runtime_error("no mail with " + marker + " in its Message-ID within 10 s\n" + m_serve.output() +
                                 m_smtp.output());
    }

    BenchClient& m_gateway;
    BenchClient& m_subscriber;
    const SmtpServerProcess& m_smtp;
    const AlertServe& m_serve;
    std::optional<std::uint64_t> m_firing;
};

// ---- the report ----------------------------------------------------------------------

struct Spread {
    double p50 = 0, p90 = 0, p99 = 0, max = 0; // ms
};

Spread spread(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    const auto rank = [&](double q) { // nearest rank
        const auto r = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size())));
        return ms[std::clamp<std::size_t>(r, 1, ms.size()) - 1];
    };
    return {rank(0.50), rank(0.90), rank(0.99), ms.back()};
}

/// `to - from` of every measured slam, in ms.
Spread between(const std::vector<SlamTimes>& slams, std::int64_t SlamTimes::*from, std::int64_t SlamTimes::*to) {
    std::vector<double> ms;
    for (const SlamTimes& slam : slams) {
        ms.push_back(static_cast<double>(slam.*to - slam.*from) / 1e6);
    }
    return spread(std::move(ms));
}

std::string first_word(const char* path) {
    std::ifstream in(path);
    std::string word;
    in >> word;
    return word.empty() ? "?" : word;
}

std::size_t connections(const std::vector<SlamTimes>& slams) {
    std::set<std::uint16_t> ports;
    for (const SlamTimes& slam : slams) {
        ports.insert(slam.smtp_client_port);
    }
    return ports.size();
}

/// The slams after a restart of the SMTP server, one by one.
void print_reconnects(const std::vector<SlamTimes>& reconnected) {
    std::printf("after a restart of the SMTP server (the kept connection is gone), publish -> notice / MAIL / "
                "accepted:");
    for (const SlamTimes& slam : reconnected) {
        std::printf(" %.2f / %.2f / %.2f ms;", static_cast<double>(slam.notice - slam.published) / 1e6,
                    static_cast<double>(slam.mail - slam.published) / 1e6,
                    static_cast<double>(slam.accepted - slam.published) / 1e6);
    }
    std::printf(" %zu connections\n", connections(reconnected));
}

void print_report(const std::string& command, const AlertOptions& options, const std::vector<SlamTimes>& all,
                  const std::vector<SlamTimes>& reconnected, const std::string& load, double seconds) {
    const SlamTimes& cold = all.front();
    const std::vector<SlamTimes> slams(all.begin() + static_cast<std::ptrdiff_t>(k_warmup_slams), all.end());
    std::printf("\ncommand: %s\n%u cores (broker, dtwin serve, aiosmtpd and the bench share them), load average "
                "%s; %zu slams measured after %zu warm-up ones, %lld ms apart, in %.1f s\n\n",
                command.c_str(), std::thread::hardware_concurrency(), load.c_str(), slams.size(), k_warmup_slams,
                static_cast<long long>(options.gap.count()), seconds);
    std::printf("| from the slam's MQTT publish to ... | p50 | p90 | p99 | max | first slam (new SMTP connection) "
                "|\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    using T = SlamTimes;
    const auto row = [&](const char* name, std::int64_t T::*from, std::int64_t T::*to) {
        const Spread s = between(slams, from, to);
        std::printf("| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n", name, s.p50, s.p90, s.p99, s.max,
                    static_cast<double>(cold.*to - cold.*from) / 1e6);
        return s;
    };
    row("the firing notice on dtwin/alerts/Door at the bench's subscriber", &T::published, &T::notice);
    row("MAIL command received by the SMTP server", &T::published, &T::mail);
    row("end of DATA received (the whole message)", &T::published, &T::data_end);
    const Spread accepted = row("**mail accepted (recorded, 250 next)**", &T::published, &T::accepted);
    std::printf("| *segments of the same slams* | | | | | |\n");
    row("firing notice at the subscriber -> MAIL received", &T::notice, &T::mail);
    row("MAIL -> end of DATA (curl's SMTP dialogue and upload)", &T::mail, &T::data_end);
    row("end of DATA -> accepted (aiosmtpd's recording handler)", &T::data_end, &T::accepted);
    std::printf("\nSMTP connections used for the %zu mails: %zu\n", all.size(), connections(all));
    if (!reconnected.empty()) {
        print_reconnects(reconnected);
    }
    std::printf("target, p99 of publish -> mail accepted < 50 ms: %.2f ms, %s\n", accepted.p99,
                accepted.p99 < 50 ? "met" : "**missed**");
}

std::string command_line(int argc, char** argv) {
    std::string out;
    for (int i = 0; i < argc; ++i) {
        out += (i == 0 ? "" : " ") + std::string(argv[i]);
    }
    return out;
}

int run(int argc, char** argv) {
    const AlertOptions options = parse_alert_options(argc, argv);
    const std::string smtp_missing = SmtpServerProcess::unavailable_reason();
    if (!dtwin::testing::MosquittoProcess::available() || ::access(options.dtwin.c_str(), X_OK) != 0 ||
        !smtp_missing.empty()) {
        std::fprintf(stderr, "alert_latency_bench needs %s, %s and aiosmtpd (scripts/setup, scripts/build release)%s\n",
                     dtwin::testing::MosquittoProcess::k_binary, options.dtwin.c_str(),
                     smtp_missing.empty() ? "" : (": " + smtp_missing).c_str());
        return 1;
    }
    TempDir work;
    dtwin::testing::MosquittoProcess broker;
    SmtpServerProcess smtp;
    std::fprintf(stderr, "alert_latency_bench: broker %s, mail server %s, work dir %s\n", broker.url().c_str(),
                 smtp.url().c_str(), work.path().c_str());
    AlertServe serve(options, broker.url(), smtp.url(), work.path());
    BenchClient subscriber(broker.url(), "bench-alert-subscriber");
    subscriber.subscribe(k_alerts_topic);
    subscriber.subscribe(k_door_events_topic);
    BenchClient gateway(broker.url(), "bench-door-gateway");

    const std::string load_before = first_word("/proc/loadavg");
    SlamLoop loop(gateway, subscriber, smtp, serve);
    const std::size_t total = k_warmup_slams + options.slams;
    std::vector<SlamTimes> slams;
    std::fprintf(stderr, "alert_latency_bench: %zu slams:", total);
    int reported = 0;
    const auto start = SteadyClock::now();
    for (std::size_t i = 0; i < total; ++i) {
        slams.push_back(loop.round(i, options.gap));
        for (; reported < static_cast<int>(10 * (i + 1) / total); ++reported) {
            std::fprintf(stderr, " %d%%", (reported + 1) * 10);
        }
    }
    std::fprintf(stderr, "\n");
    const double seconds = seconds_between(start, SteadyClock::now());
    std::vector<SlamTimes> reconnected;
    for (std::size_t i = 0; i < options.reconnects; ++i) {
        smtp.restart();
        std::fprintf(stderr, "alert_latency_bench: slam after SMTP server restart %zu of %zu\n", i + 1,
                     options.reconnects);
        reconnected.push_back(loop.round(total + i, options.gap));
    }
    serve.stop();
    print_report(command_line(argc, argv), options, slams, reconnected,
                 load_before + " before, " + first_word("/proc/loadavg") + " after", seconds);
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
        std::fprintf(stderr, "\nalert_latency_bench: %s\n", error.what());
        return 1;
    }
}
