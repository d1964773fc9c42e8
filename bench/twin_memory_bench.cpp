// Memory of 1M Room twins in a TwinGraph (target: < 1 GiB RSS), and the time to create them.
//
// Reports RSS (VmRSS of /proc/self/status) before and after, bytes per twin and twins/s.
// One iteration: the figure is about memory, not about repeated timing.
#include "core/twin_graph.hpp"

#include "room_model.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <string>

namespace {

using namespace dtwin::core;

/// Resident set size in bytes, from /proc/self/status (0 if unavailable).
double rss_bytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stod(line.substr(6)) * 1024.0; // the kernel reports kB
        }
    }
    return 0.0;
}

void BM_CreateRoomTwins(benchmark::State& state) {
    const auto count = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        ManualClock clock{TimePoint{std::chrono::seconds{1'800'000'000}}};
        const double before = rss_bytes();
        const auto start = std::chrono::steady_clock::now();
        TwinGraph graph(clock);
        if (!graph.add_model(dtwin::bench::make_room_model())) {
            state.SkipWithError("cannot add the Room model");
            return;
        }
        for (std::size_t i = 0; i < count; ++i) {
            auto created = graph.create_twin("Room" + std::to_string(i), dtwin::bench::make_room_body(
                                                                             static_cast<double>(i % 100)));
            if (!created) {
                state.SkipWithError(created.error().to_string().c_str());
                return;
            }
            if ((i & 16383) == 0) {
                benchmark::DoNotOptimize(graph.drain_events());
            }
        }
        benchmark::DoNotOptimize(graph.drain_events());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double after = rss_bytes();
        state.counters["rss_before_MiB"] = before / (1024.0 * 1024.0);
        state.counters["rss_after_MiB"] = after / (1024.0 * 1024.0);
        state.counters["bytes_per_twin"] = (after - before) / static_cast<double>(count);
        state.counters["create_s"] = seconds;
        state.counters["twins_per_s"] = static_cast<double>(count) / seconds;
        state.PauseTiming(); // the graph's destruction is not part of the figure
    }
    state.ResumeTiming();
}

} // namespace

BENCHMARK(BM_CreateRoomTwins)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
