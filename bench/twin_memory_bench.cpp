// Memory of 1M Room twins in a TwinGraph (target: < 1 GiB RSS), and the time to create them.
//
// Reports RSS (VmRSS of /proc/self/status) before and after, bytes per twin and twins/s.
// One iteration: the figure is about memory, not about repeated timing.
//
// BM_RestoreRoomTwins* are the core's share of a restart (target: 1M twins in < 5 s): each
// twin is parsed from the Azure Digital Twins JSON text the store keeps, read with
// twin_from_json and installed with TwinGraph::restore_twin (the direct path, and the
// path through ParsedTwin). Reading the rows from SQLite is not included (see
// store_load_bench).
#include "core/twin_graph.hpp"
#include "core/twin_json.hpp"
#include "room_model.hpp"

#include <algorithm>
#include <benchmark/benchmark.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <malloc.h>
#include <optional>
#include <string>

namespace {

using namespace dtwin::core;

std::string room_id(std::size_t i) {
    std::string id = "Room";
    id += std::to_string(i);
    return id;
}

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
    ManualClock clock{TimePoint{std::chrono::seconds{1'800'000'000}}};
    std::optional<TwinGraph> graph; // outlives the timed loop: its destruction is not measured
    for (auto _ : state) {
        const double before = rss_bytes();
        const auto start = std::chrono::steady_clock::now();
        graph.emplace(clock);
        if (!graph->add_model(dtwin::bench::make_room_model())) {
            state.SkipWithError("cannot add the Room model");
            break;
        }
        for (std::size_t i = 0; i < count; ++i) {
            auto created = graph->create_twin(room_id(i), dtwin::bench::make_room_body(static_cast<double>(i % 100)));
            if (!created) {
                state.SkipWithError(created.error().to_string().c_str());
                break;
            }
            if ((i & 16383) == 0) {
                benchmark::DoNotOptimize(graph->drain_events()); // as the engine does after each commit
            }
        }
        benchmark::DoNotOptimize(graph->drain_events());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double after = rss_bytes();
        state.counters["rss_before_MiB"] = before / (1024.0 * 1024.0);
        state.counters["rss_after_MiB"] = after / (1024.0 * 1024.0);
        state.counters["bytes_per_twin"] = (after - before) / static_cast<double>(count);
        state.counters["create_s"] = seconds;
        state.counters["twins_per_s"] = static_cast<double>(count) / seconds;
    }
}

/// Which load path a restore benchmark takes.
enum class LoadPath { direct, parsed };

/// Installs one stored twin document under a new id.
Result<void> load_one(TwinGraph& graph, const std::string& text, std::size_t i, LoadPath path) {
    // Parse into a stack buffer: the twin's values are copied into the graph's own storage,
    // so the parsed tree can live in a throw-away arena (what a loader should do too).
    unsigned char buffer[8192];
    boost::json::monotonic_resource arena(buffer, sizeof buffer);
    const auto document = boost::json::parse(text, &arena);
    if (path == LoadPath::direct) {
        auto twin = twin_from_json(document, graph.models());
        if (!twin) {
            return std::unexpected(twin.error());
        }
        Twin renamed(room_id(i), twin->layout_ptr()); // the template's id, changed for the benchmark
        std::ranges::move(twin->mutable_slots(), renamed.mutable_slots().begin());
        renamed.set_version(i + 1);
        renamed.set_last_update_time(twin->last_update_time());
        return graph.restore_twin(std::move(renamed));
    }
    auto parsed = twin_from_json(document);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    parsed->id = room_id(i);
    parsed->version = i + 1;
    return graph.restore_twin(*parsed);
}

void restore_rooms(benchmark::State& state, LoadPath path) {
    const auto count = static_cast<std::size_t>(state.range(0));
    ManualClock clock{TimePoint{std::chrono::seconds{1'800'000'000}}};
    // One stored document as the template; only its id changes from twin to twin.
    std::string text;
    {
        TwinGraph source(clock);
        if (!source.add_model(dtwin::bench::make_room_model()) ||
            !source.create_twin("Room0", dtwin::bench::make_room_body(0))) {
            state.SkipWithError("cannot build the template twin");
            return;
        }
        text = boost::json::serialize(twin_to_json(*source.find_twin("Room0")));
    }
    std::optional<TwinGraph> graph;
    for (auto _ : state) {
        malloc_trim(0); // give back what the previous benchmark freed, so RSS counts this graph only
        const double before = rss_bytes();
        const auto start = std::chrono::steady_clock::now();
        graph.emplace(clock);
        graph->reserve_twins(count); // the loader knows the row count
        (void)graph->add_model(dtwin::bench::make_room_model());
        for (std::size_t i = 0; i < count; ++i) {
            if (auto ok = load_one(*graph, text, i, path); !ok) {
                state.SkipWithError(ok.error().to_string().c_str());
                break;
            }
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double after = rss_bytes();
        state.counters["rss_after_MiB"] = after / (1024.0 * 1024.0);
        state.counters["bytes_per_twin"] = (after - before) / static_cast<double>(count);
        state.counters["restore_s"] = seconds;
        state.counters["twins_per_s"] = static_cast<double>(count) / seconds;
    }
}

/// twin_from_json(json, models) + restore_twin(Twin): the fast load path.
void BM_RestoreRoomTwins(benchmark::State& state) {
    restore_rooms(state, LoadPath::direct);
}

/// twin_from_json(json) -> ParsedTwin + restore_twin(ParsedTwin): the general path.
void BM_RestoreRoomTwinsViaParsedTwin(benchmark::State& state) {
    restore_rooms(state, LoadPath::parsed);
}

} // namespace

BENCHMARK(BM_CreateRoomTwins)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_RestoreRoomTwins)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_RestoreRoomTwinsViaParsedTwin)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
