// In-memory JSON Patch apply on a Room twin (target: >= 1M property updates/s on one core).
//
// Each iteration applies one patch with a new source time, so every property really
// changes: validation, event-time check, metadata, version bump and the change event are
// all paid. Items are property updates.
#include "core/json_patch.hpp"
#include "core/twin_graph.hpp"
#include "room_model.hpp"

#include <benchmark/benchmark.h>
#include <chrono>

namespace {

using namespace dtwin::core;
namespace json = boost::json;

struct Fixture {
    ManualClock clock{TimePoint{std::chrono::seconds{1'800'000'000}}};
    TwinGraph graph{clock};

    Fixture() {
        if (!graph.add_model(dtwin::bench::make_room_model()) ||
            !graph.create_twin("Room1", dtwin::bench::make_room_body(0))) {
            throw std::runtime_error("cannot set up the Room twin");
        }
    }
};

/// The patch of iteration `i`: `count` replaces of the Room's numeric properties.
std::vector<PatchOperation> make_patch(std::size_t count) {
    static const char* const paths[] = {"/temperature", "/humidity", "/light", "/co2", "/motion"};
    std::vector<PatchOperation> patch;
    for (std::size_t p = 0; p < count; ++p) {
        patch.push_back(PatchOperation{PatchOp::replace, paths[p], {}, 0.0});
    }
    return patch;
}

void set_values(std::vector<PatchOperation>& patch, std::int64_t i) {
    for (auto& op : patch) {
        if (op.path == "/motion") {
            op.value = (i % 2) == 0;
        } else {
            op.value = 20.0 + static_cast<double>(i % 1000) * 0.01;
        }
    }
}

void run(benchmark::State& state, std::size_t properties) {
    Fixture fixture;
    auto patch = make_patch(properties);
    std::int64_t i = 0;
    for (auto _ : state) {
        set_values(patch, ++i);
        fixture.clock.advance(std::chrono::microseconds{10});
        auto result = fixture.graph.patch_twin("Room1", patch, {.source_time = fixture.clock.now()});
        benchmark::DoNotOptimize(result);
        if ((i & 4095) == 0) {
            benchmark::DoNotOptimize(fixture.graph.drain_events()); // the engine drains after each commit
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(properties));
    state.SetLabel("items = property updates");
}

void BM_PatchReplaceOneProperty(benchmark::State& state) {
    run(state, 1);
}

void BM_PatchReplaceFiveProperties(benchmark::State& state) {
    run(state, 5);
}

/// Same as one property, but from a JSON Patch document (parse_patch included), as the
/// HTTP API receives it.
void BM_PatchReplaceOnePropertyFromJson(benchmark::State& state) {
    Fixture fixture;
    json::value patch = json::array{json::object{{"op", "replace"}, {"path", "/temperature"}, {"value", 0.0}}};
    auto& value = patch.as_array()[0].as_object()["value"];
    std::int64_t i = 0;
    for (auto _ : state) {
        value = 20.0 + static_cast<double>(++i % 1000) * 0.01;
        fixture.clock.advance(std::chrono::microseconds{10});
        auto result = fixture.graph.patch_twin("Room1", patch, {.source_time = fixture.clock.now()});
        benchmark::DoNotOptimize(result);
        if ((i & 4095) == 0) {
            benchmark::DoNotOptimize(fixture.graph.drain_events());
        }
    }
    state.SetItemsProcessed(state.iterations());
}

/// The floor, in the same run: the same patches applied to the Room's properties as a
/// plain JSON document (core's RFC 6902 apply, atomic), with no model, no validation, no
/// metadata, no version and no change event. What a twin write costs above this is the
/// price of being a twin.
void run_plain(benchmark::State& state, std::size_t properties) {
    json::value document = dtwin::bench::make_room_body(0);
    document.as_object().erase("$metadata");
    auto patch = make_patch(properties);
    std::int64_t i = 0;
    for (auto _ : state) {
        set_values(patch, ++i);
        auto result = apply_patch(document, patch);
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(properties));
}

void BM_PlainJsonPatchOneProperty(benchmark::State& state) {
    run_plain(state, 1);
}

void BM_PlainJsonPatchFiveProperties(benchmark::State& state) {
    run_plain(state, 5);
}

} // namespace

BENCHMARK(BM_PlainJsonPatchOneProperty);
BENCHMARK(BM_PlainJsonPatchFiveProperties);
BENCHMARK(BM_PatchReplaceOneProperty);
BENCHMARK(BM_PatchReplaceFiveProperties);
BENCHMARK(BM_PatchReplaceOnePropertyFromJson);

BENCHMARK_MAIN();
