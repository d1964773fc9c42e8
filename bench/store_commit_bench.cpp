// History ingest through the store: how many samples per second commit() makes durable,
// by batch size, group size and durability level.
//
// Each iteration builds the next batch(es) with timing paused (the engine builds batches
// anyway, while the previous commit is in flight) and times only Store::commit. Samples
// cycle over 500 twins x 8 properties, with source times moving forward as in live
// ingest. Real time, not CPU time, is what counts: fsync waits are not CPU.
//
//   build/store-release/bench/store_commit_bench --benchmark_min_time=2
#include "store/store.hpp"

#include <algorithm>
#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace dtwin::store;
namespace fs = std::filesystem;

constexpr int k_twins = 500;
constexpr const char* k_properties[] = {"temperature", "humidity",  "light",    "co2",
                                        "motion",      "occupancy", "pressure", "noise"};
constexpr int k_property_count = static_cast<int>(std::size(k_properties));

/// A fresh data directory for one benchmark run, removed afterwards.
class ScratchDir {
public:
    ScratchDir() {
        const char* base = std::getenv("DTWIN_BENCH_DIR"); // put it on the disk to measure
        std::string pattern =
            ((base != nullptr ? fs::path(base) : fs::temp_directory_path()) / "dtwin-bench-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed: " + pattern);
        }
        m_path = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

/// Produces the samples of live ingest: every series in turn, time advancing 1 ms per
/// sample, a sequence number per sample, mostly doubles with some booleans and integers.
class SampleSource {
public:
    SampleSource() {
        for (int t = 0; t < k_twins; ++t) {
            m_twins.push_back("room-" + std::to_string(t));
        }
    }
    void fill(WriteBatch& batch, std::size_t count) {
        batch.reserve(count + 1);
        for (std::size_t i = 0; i < count; ++i, ++m_sequence) {
            const auto series = static_cast<int>(m_sequence % (k_twins * k_property_count));
            const int property = series % k_property_count;
            SampleValue value = 20.0 + static_cast<double>(m_sequence % 1000) / 100.0;
            if (property == 4) {
                value = (m_sequence % 3) == 0;
            } else if (property == 5) {
                value = static_cast<std::int64_t>(m_sequence % 5);
            }
            batch.append_sample(HistorySample{m_twins[static_cast<std::size_t>(series / k_property_count)],
                                              k_properties[property], m_time + std::chrono::milliseconds(m_sequence),
                                              m_sequence, std::move(value)});
        }
        batch.set_cursor("gateway-1", m_sequence);
    }

private:
    std::vector<std::string> m_twins;
    std::uint64_t m_sequence = 1;
    TimePoint m_time = TimePoint(std::chrono::seconds(1'790'000'000));
};

/// Arguments: samples per batch, batches per commit (group), durability (0 process, 1 power).
void commit_history(benchmark::State& state) {
    const auto per_batch = static_cast<std::size_t>(state.range(0));
    const auto group_size = static_cast<std::size_t>(state.range(1));
    const auto durability = state.range(2) == 0 ? Durability::process : Durability::power;
    ScratchDir dir;
    auto store = open_store(dir.path().string(), StoreOptions{.durability = durability});
    if (!store) {
        state.SkipWithError(store.error().to_string().c_str());
        return;
    }
    SampleSource source;
    std::vector<WriteBatch> group(group_size);
    std::size_t samples = 0;
    // The slowest commit: the ones that fold the history log stand out here.
    std::chrono::steady_clock::duration slowest{};
    for (auto _ : state) {
        state.PauseTiming();
        for (auto& batch : group) {
            batch.clear();
            source.fill(batch, per_batch);
        }
        state.ResumeTiming();
        const auto started = std::chrono::steady_clock::now();
        auto committed = (*store)->commit(std::span<const WriteBatch>(group));
        slowest = std::max(slowest, std::chrono::steady_clock::now() - started);
        if (!committed) {
            state.SkipWithError(committed.error().to_string().c_str());
            return;
        }
        samples += per_batch * group_size;
    }
    state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
    state.counters["max_ms"] = std::chrono::duration<double, std::milli>(slowest).count();
    state.counters["commits/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

BENCHMARK(commit_history)
    ->ArgNames({"samples_per_batch", "batches_per_commit", "power"})
    ->Args({100, 1, 0})
    ->Args({100, 1, 1})
    ->Args({100, 10, 1})
    ->Args({1000, 1, 0})
    ->Args({1000, 1, 1})
    ->Args({1000, 10, 0})
    ->Args({1000, 10, 1})
    ->Args({10000, 1, 0})
    ->Args({10000, 1, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
