// Rule evaluations per second for the prototype's rules (docs/benchmarks.md, "Rules";
// target: >= 1M rule evaluations/s on one core).
//
// The rules are the example's `[[rule]]`s (examples/door-and-two-rooms/dtwin.toml, read
// by app::Config as `dtwin serve` reads them): door-slammed and door-sensor-conflict on the
// Door, co2-too-high, co2-spike, co2-out-of-range, temperature-stuck and room-node-silent on
// each Room. The graph is the prototype's (the example's DTDL models; Door, Room1, Room2
// and the Door's two `connects` relationships), repeated --copies times. The stream is the
// gateway's: every 0.5 s of source time one door reading (angle, gyro, magnet) per copy,
// every 5 s one reading of each room node (temperature, humidity, light, co2, motion). It
// opens and closes the door once a minute, slams it every tenth time, lets the hall sensor
// contradict the angle every seventh, lifts Room1's CO2 above 2000 ppm for a while every
// hour, sends one Room2 CO2 reading outside the MH-Z19's range per hour and freezes Room2's
// temperature for 15 minutes per hour, so that every rule but room-node-silent fires and
// resolves (the rooms never fall silent).
//
// Each repetition runs, on this one thread, every phase over the same stream:
//   baseline   the updates applied to the graph only (TwinGraph::patch_twin; the change
//              feed drained every 4,096 updates, as the engine drains it after a commit);
//   all rules  the same, plus what the engine does for rules: the previous values read,
//              RuleRunner::on_twin_updated with the properties the update wrote, the rules'
//              set/reset writes applied, and on_timers() when next_deadline() is due
//              (checked once per 0.5 s of source time);
//   <rule>     the same with that one rule only, for each rule.
// A rule evaluation is RuleRunner::evaluations(): an expression evaluated or a sample fed
// to a detector. Reported per phase (median of the repetitions): evaluations/s over the
// whole phase; evaluations/s over the time spent inside RuleRunner's calls (each call timed
// with the steady clock, which adds about 20-40 ns per call); and the phase's time against
// the baseline's of the same repetition (what running the rules costs an engine).
//
//   build/h-rules-rel/bench/rule_bench [--updates N] [--copies C] [--repetitions R] [--config PATH]
//                                      [--only PHASE] [--deadline-per-update yes|no]
//   (defaults: 2,000,000 updates per phase, 1 copy, 3 repetitions, the example's dtwin.toml;
//   --only "all rules" or --only <rule name>: the baseline and that phase, e.g. to profile it)
#include "app/config.hpp"
#include "core/dtdl/dtdl_parser.hpp"
#include "core/json_patch.hpp"
#include "core/twin_graph.hpp"
#include "engine/rule_runner.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

namespace json = boost::json;
using namespace dtwin;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;
using core::TimePoint;

constexpr std::string_view k_door_model = "dtmi:dtwin:example:Door;1";
constexpr std::string_view k_room_model = "dtmi:dtwin:example:Room;1";
/// One hour of source time: the stream's period.
constexpr auto k_cycle = std::chrono::microseconds{3600s};
constexpr auto k_tick = std::chrono::microseconds{500ms};
constexpr int k_ticks_per_cycle = 7200;
constexpr int k_ticks_per_room_reading = 10;
/// Receive time - source time.
constexpr auto k_latency = std::chrono::microseconds{20ms};

enum Device : std::size_t { door = 0, room1 = 1, room2 = 2 };

/// One reading of one device, as its mapping would write it.
struct Reading {
    Device device;
    std::chrono::microseconds offset; ///< source time within the cycle
    std::vector<core::PatchOperation> patch;
    std::vector<std::string> names; ///< the properties of `patch`
};

struct Options {
    std::size_t updates = 2'000'000;
    std::size_t copies = 1;
    std::size_t repetitions = 3;
    std::string config = std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml";
    std::string only; ///< run the baseline and this phase only ("all rules", a rule name)
    /// Ask next_deadline() after every update, as dtwin serve's loop does after every
    /// message group when messages come one at a time (how long it may sleep).
    bool deadline_per_update = false;
};

// ---- the stream -----------------------------------------------------------------------

/// Deterministic noise in [-amplitude, amplitude], in steps of `step`.
class Noise {
public:
    double next(double amplitude, double step) {
        m_state = m_state * 6364136223846793005ULL + 1442695040888963407ULL;
        const double unit = static_cast<double>(m_state >> 11) / static_cast<double>(1ULL << 53); // [0, 1)
        return std::round((2 * unit - 1) * amplitude / step) * step;
    }

private:
    std::uint64_t m_state = 42;
};

Reading reading(Device device, int tick, std::initializer_list<std::pair<const char*, json::value>> values) {
    Reading out{device, k_tick * tick, {}, {}};
    for (const auto& [name, value] : values) {
        out.patch.push_back({core::PatchOp::add, std::string("/") + name, {}, value});
        out.names.emplace_back(name);
    }
    return out;
}

/// The door at tick `tick` (0.5 s each): a 60 s cycle of closed 30 s, opening 2 s, open
/// 23 s, closing 2 s (a slam of 1 s every tenth cycle), closed.
Reading door_reading(int tick, Noise& noise) {
    const int cycle = tick / 120;
    const int phase = tick % 120;
    const bool slam = cycle % 10 == 0;
    double angle = noise.next(0.3, 0.01);
    double gyro = noise.next(0.5, 0.01);
    bool magnet = true;
    if (phase >= 60 && phase < 64) { // opening at 45 deg/s
        angle = 22.5 * (phase - 59);
        gyro = 45;
        magnet = false;
    } else if (phase >= 64 && phase < 110) {
        angle = 90 + noise.next(0.3, 0.01);
        magnet = false;
    } else if (phase >= 110 && phase < 114) { // closing at -45 deg/s, or slammed at -130
        angle = slam ? std::max(0.0, 90 - 65.0 * (phase - 109)) : 90 - 22.5 * (phase - 109);
        gyro = slam && angle > 0 ? -130 : (slam ? 0 : -45);
        magnet = angle < 1;
    }
    if (cycle % 7 == 3 && phase < 6) { // the hall sensor says open while the leaf is shut
        magnet = false;
    }
    return reading(Device::door, tick, {{"angle", angle}, {"gyro", gyro}, {"magnet", magnet}});
}

/// Room `device`'s node at its reading `index` (every 5 s; 720 per cycle).
Reading room_reading(Device device, int index, int tick, Noise& noise) {
    const double hour = 2 * std::numbers::pi * index / 720.0;
    double temperature = 21 + 0.5 * std::sin(hour) + noise.next(0.03, 0.01);
    double co2 = 0;
    if (device == Device::room1) { // fills up to 2300 ppm over half an hour, then airs out
        const int half = index < 360 ? index : 719 - index;
        co2 = 600 + 1700.0 * half / 359.0 + noise.next(3, 1);
    } else {
        co2 = 500 + 50 * std::sin(hour) + noise.next(3, 1);
        if (index == 300) {
            co2 = 5200; // outside the MH-Z19's range: out of range and a spike
        }
        if (index >= 400 && index < 580) {
            temperature = 19.87; // frozen for 15 minutes
        }
    }
    return reading(device, tick,
                   {{"temperature", temperature},
                    {"humidity", 40 + noise.next(2, 0.1)},
                    {"light", 300 + noise.next(20, 1)},
                    {"co2", co2},
                    {"motion", index % 4 == 0}});
}

/// One cycle of the stream, in source-time order.
std::vector<Reading> make_cycle() {
    Noise noise;
    std::vector<Reading> cycle;
    for (int tick = 0; tick < k_ticks_per_cycle; ++tick) {
        cycle.push_back(door_reading(tick, noise));
        if (tick % k_ticks_per_room_reading == 0) {
            const int index = tick / k_ticks_per_room_reading;
            cycle.push_back(room_reading(Device::room1, index, tick, noise));
            cycle.push_back(room_reading(Device::room2, index, tick, noise));
        }
    }
    return cycle;
}

// ---- the graph ------------------------------------------------------------------------

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        throw std::runtime_error("cannot read " + path);
    }
    return text.str();
}

template <typename T> T checked(core::Result<T> result, const std::string& what) {
    if (!result) {
        throw std::runtime_error(what + ": " + result.error().to_string());
    }
    if constexpr (!std::is_void_v<T>) {
        return std::move(*result);
    }
}

std::vector<core::InterfacePtr> example_models() {
    std::vector<core::dtdl::ModelDocument> documents;
    for (const char* name : {"Door.json", "Room.json"}) {
        const std::string path = std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/models/" + name;
        documents.push_back({path, read_file(path)});
    }
    auto parsed = core::dtdl::parse_models(documents);
    if (!parsed.ok()) {
        throw std::runtime_error("example models: " + parsed.errors.front().to_string());
    }
    return parsed.interfaces;
}

/// The twin ids of copy `copy`: Door, Room1, Room2 (suffixed "-<copy>" beyond the first).
std::array<std::string, 3> twin_ids(std::size_t copy) {
    const std::string suffix = copy == 0 ? "" : "-" + std::to_string(copy);
    return {"Door" + suffix, "Room1" + suffix, "Room2" + suffix};
}

/// The prototype's twins as twins.json has them, `copies` times, at `clock`'s now.
std::unique_ptr<core::TwinGraph> prototype_graph(const core::Clock& clock,
                                                 const std::vector<core::InterfacePtr>& models, std::size_t copies) {
    auto graph = std::make_unique<core::TwinGraph>(clock);
    for (const auto& model : models) {
        checked(graph->add_model(model), "add model");
    }
    for (std::size_t copy = 0; copy < copies; ++copy) {
        const auto ids = twin_ids(copy);
        checked(graph->create_twin(ids[0], json::object{{"$metadata", {{"$model", k_door_model}}},
                                                        {"doorState", "closed"},
                                                        {"slammedAnomaly", "none"},
                                                        {"conflictAnomaly", "none"}}),
                "create " + ids[0]);
        for (const auto& room : {ids[1], ids[2]}) {
            checked(graph->create_twin(room, json::object{{"$metadata", {{"$model", k_room_model}}},
                                                          {"occupancy", "not_occupied"},
                                                          {"airQualityState", "normal"}}),
                    "create " + room);
            checked(graph->create_relationship(ids[0], ids[0] + "-connects-" + room,
                                               json::object{{"$targetId", room}, {"$relationshipName", "connects"}}),
                    "relationship to " + room);
        }
    }
    (void)graph->drain_events();
    return graph;
}

// ---- the phases -----------------------------------------------------------------------

struct PhaseResult {
    double seconds = 0;
    double runner_seconds = 0; ///< inside RuleRunner's calls (on_twin_updated, on_timers, next_deadline)
    std::uint64_t updates = 0;
    std::uint64_t evaluations = 0;
    std::uint64_t transitions = 0;
    std::uint64_t errors = 0;
};

/// Applies `options.updates` updates of the stream to a fresh graph; with `rules` (null:
/// the baseline) runs them as the engine does. Only the loop is timed.
PhaseResult run_phase(const Options& options, const std::vector<core::InterfacePtr>& models,
                      const std::vector<Reading>& cycle, const std::vector<engine::RuleDefinition>* rules) {
    const TimePoint start = *core::parse_time("2026-11-24T21:00:00Z");
    core::ManualClock clock{start};
    auto graph = prototype_graph(clock, models, options.copies);
    std::vector<std::array<std::string, 3>> ids;
    for (std::size_t copy = 0; copy < options.copies; ++copy) {
        ids.push_back(twin_ids(copy));
    }
    std::optional<engine::RuleRunner> runner;
    if (rules != nullptr) {
        runner.emplace(*rules);
    }

    PhaseResult result;
    std::map<std::string, json::value> previous;
    std::vector<std::string> written;
    std::optional<TimePoint> next_timer;
    TimePoint last_timer_check{};
    SteadyClock::duration runner_time{};
    const auto began = SteadyClock::now();
    for (std::size_t round = 0; result.updates < options.updates; ++round) {
        const TimePoint cycle_start = start + k_cycle * static_cast<std::int64_t>(round + 1);
        for (const Reading& reading : cycle) {
            if (result.updates == options.updates) {
                break;
            }
            const TimePoint event_time = cycle_start + reading.offset;
            const TimePoint report_time = event_time + k_latency;
            clock.set(report_time);
            if (runner && report_time >= last_timer_check + k_tick) {
                last_timer_check = report_time;
                const auto timing = SteadyClock::now();
                if (next_timer && *next_timer <= report_time) {
                    for (const auto& outcome : runner->on_timers(report_time)) {
                        result.transitions += outcome.transitions.size();
                    }
                }
                next_timer = runner->next_deadline();
                runner_time += SteadyClock::now() - timing;
            }
            for (std::size_t copy = 0; copy < options.copies && result.updates < options.updates; ++copy) {
                const std::string& twin_id = ids[copy][reading.device];
                if (runner) {
                    previous.clear();
                    const core::Twin* before = graph->find_twin(twin_id);
                    for (const auto& name : reading.names) {
                        if (const json::value* value = before->property(name)) {
                            previous.emplace(name, *value);
                        }
                    }
                }
                auto applied =
                    checked(graph->patch_twin(twin_id, reading.patch, {.source_time = event_time}), "patch " + twin_id);
                ++result.updates;
                if ((result.updates & 4095) == 0) {
                    (void)graph->drain_events();
                }
                if (!runner) {
                    continue;
                }
                written.clear();
                for (std::size_t i = 0; i < reading.names.size(); ++i) {
                    const auto stale = [&](const core::StaleProperty& s) { return s.path == reading.patch[i].path; };
                    if (std::ranges::none_of(applied.stale, stale)) {
                        written.push_back(reading.names[i]);
                    }
                }
                const auto timing = SteadyClock::now();
                auto outcomes = runner->on_twin_updated(*graph, twin_id, written, previous, event_time, report_time);
                if (options.deadline_per_update) {
                    next_timer = runner->next_deadline();
                }
                runner_time += SteadyClock::now() - timing;
                for (auto& outcome : outcomes) {
                    result.transitions += outcome.transitions.size();
                    result.errors += outcome.error ? 1 : 0;
                    if (outcome.writes.empty()) {
                        continue;
                    }
                    std::vector<core::PatchOperation> writes;
                    for (const auto& [name, value] : outcome.writes) {
                        writes.push_back({core::PatchOp::add, "/" + std::string(name), {}, value});
                    }
                    (void)checked(graph->patch_twin(outcome.twin_id, writes, {.source_time = event_time}),
                                  "rule writes on " + outcome.twin_id);
                }
            }
        }
    }
    result.seconds = std::chrono::duration<double>(SteadyClock::now() - began).count();
    result.runner_seconds = std::chrono::duration<double>(runner_time).count();
    result.evaluations = runner ? runner->evaluations() : 0;
    return result;
}

double median(std::vector<double> values) {
    std::ranges::sort(values);
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        const char* value = argv[i + 1];
        if (flag == "--updates") {
            options.updates = std::strtoull(value, nullptr, 10);
        } else if (flag == "--copies") {
            options.copies = std::max<std::size_t>(1, std::strtoull(value, nullptr, 10));
        } else if (flag == "--repetitions") {
            options.repetitions = std::max<std::size_t>(1, std::strtoull(value, nullptr, 10));
        } else if (flag == "--config") {
            options.config = value;
        } else if (flag == "--only") {
            options.only = value;
        } else if (flag == "--deadline-per-update") {
            options.deadline_per_update = std::string_view(value) == "yes";
        } else {
            throw std::runtime_error(
                "unknown option " + std::string(flag) +
                " (expected --updates N, --copies C, --repetitions R, --config PATH, --only PHASE, "
                "--deadline-per-update yes|no)");
        }
    }
    if (argc % 2 == 0) {
        throw std::runtime_error("option " + std::string(argv[argc - 1]) + " needs a value");
    }
    return options;
}

struct Phase {
    std::string name;
    std::vector<engine::RuleDefinition> rules; ///< empty: the baseline
    std::vector<PhaseResult> results;          ///< one per repetition
};

void report(const std::vector<Phase>& phases) {
    const auto& baseline = phases.front().results;
    std::printf("\n%-22s %9s %11s %12s %11s %11s %12s %8s %7s\n", "phase", "time (s)", "updates/s", "evaluations",
                "evals/s", "runner (s)", "runner ev/s", "ns/eval", "x base");
    for (const auto& phase : phases) {
        std::vector<double> seconds, rate, evals_rate, runner_seconds, runner_rate, ns_per_eval, ratio;
        for (std::size_t r = 0; r < phase.results.size(); ++r) {
            const PhaseResult& p = phase.results[r];
            const auto evaluations = static_cast<double>(p.evaluations);
            seconds.push_back(p.seconds);
            rate.push_back(static_cast<double>(p.updates) / p.seconds);
            evals_rate.push_back(evaluations / p.seconds);
            runner_seconds.push_back(p.runner_seconds);
            runner_rate.push_back(evaluations / std::max(p.runner_seconds, 1e-9));
            ns_per_eval.push_back(1e9 * p.runner_seconds / std::max(evaluations, 1.0));
            ratio.push_back(p.seconds / baseline[r].seconds);
        }
        if (phase.rules.empty()) {
            std::printf("%-22s %9.3f %11.0f %12s %11s %11s %12s %8s %7.2f\n", phase.name.c_str(), median(seconds),
                        median(rate), "-", "-", "-", "-", "-", 1.0);
            continue;
        }
        const PhaseResult& last = phase.results.back();
        std::printf("%-22s %9.3f %11.0f %12llu %11.0f %11.3f %12.0f %8.0f %7.2f  (%llu transitions, %llu errors)\n",
                    phase.name.c_str(), median(seconds), median(rate),
                    static_cast<unsigned long long>(last.evaluations), median(evals_rate), median(runner_seconds),
                    median(runner_rate), median(ns_per_eval), median(ratio),
                    static_cast<unsigned long long>(last.transitions), static_cast<unsigned long long>(last.errors));
    }
    std::printf("\nmedians of %zu repetitions. evals/s: evaluations / phase time (graph updates included); runner: "
                "the time inside RuleRunner's calls (on_twin_updated, on_timers, next_deadline), timed per call; "
                "x base: phase time / baseline time of the same repetition\n",
                baseline.size());
}

} // namespace

int main(int argc, char** argv) try {
    const Options options = parse_options(argc, argv);
    app::Config config;
    config.load_file(options.config);
    const auto models = example_models();
    const auto cycle = make_cycle();

    std::vector<Phase> phases;
    phases.push_back({"baseline (graph only)", {}, {}});
    phases.push_back({"all rules", config.rules(), {}});
    for (const auto& rule : config.rules()) {
        phases.push_back({rule.name, {rule}, {}});
    }
    if (!options.only.empty()) {
        std::erase_if(phases, [&](const Phase& phase) { return !phase.rules.empty() && phase.name != options.only; });
        if (phases.size() != 2) {
            throw std::runtime_error("--only: no phase called \"" + options.only + "\"");
        }
    }
    std::printf("rule_bench: %zu rules from %s; %zu updates per phase over %zu cop%s of the prototype "
                "(%zu readings per hour of source time per copy); %zu repetitions\n",
                config.rules().size(), options.config.c_str(), options.updates, options.copies,
                options.copies == 1 ? "y" : "ies", cycle.size(), options.repetitions);
    for (std::size_t r = 0; r < options.repetitions; ++r) {
        std::fprintf(stderr, "rule_bench: repetition %zu/%zu:", r + 1, options.repetitions);
        for (auto& phase : phases) {
            std::fprintf(stderr, " %s", phase.name.c_str());
            std::fflush(stderr);
            phase.results.push_back(run_phase(options, models, cycle, phase.rules.empty() ? nullptr : &phase.rules));
            std::fprintf(stderr, " (%.1f s)", phase.results.back().seconds);
        }
        std::fprintf(stderr, "\n");
    }
    report(phases);
    return 0;
} catch (const std::exception& error) {
    std::fprintf(stderr, "rule_bench: %s\n", error.what());
    return 1;
}
