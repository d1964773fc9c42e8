// History ingest through the store: how many samples per second commit() makes durable,
// by batch size, group size and durability level.
//
// Each iteration builds the next batch(es) with timing paused (the engine builds batches
// anyway, while the previous commit is in flight) and times only Store::commit. Samples
// cycle over 500 twins x 8 properties, with source times moving forward as in live
// ingest. Real time, not CPU time, is what counts: fsync waits are not CPU.
//
// The floor, measured in the same run at every grid point right after the store: the same
// rows written with nothing but SQLite, so the ratio store / floor is what the store's own
// work costs (see commit_history_floor).
//
// One 2 s run per benchmark is too noisy for a ratio (stalls of 100-200 ms fall into one
// run and not the next); docs/benchmarks.md takes medians of interleaved repetitions:
//
//   build/release/bench/store_commit_bench --benchmark_min_time=2 --benchmark_counters_tabular=true
//       --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
//       --benchmark_report_aggregates_only=true      (one command line)
#include "store/store.hpp"

#include <algorithm>
#include <array>
#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace dtwin::store;
namespace fs = std::filesystem;

constexpr int k_twins = 500;
constexpr const char* k_properties[] = {"temperature", "humidity",  "light",    "co2",
                                        "motion",      "occupancy", "pressure", "noise"};
constexpr int k_property_count = static_cast<int>(std::size(k_properties));
constexpr int k_series_count = k_twins * k_property_count;
// Source time of sequence 0; each later sample is 1 ms after the one before.
constexpr std::chrono::seconds k_first_time{1'790'000'000};

/// Which of the k_series_count series (twin * k_property_count + property) a sequence
/// number lands on: the source walks every series in turn.
int series_of(std::uint64_t sequence) {
    return static_cast<int>(sequence % k_series_count);
}

/// The property columns that are not doubles; both the store and the floor write them
/// with their own kinds, so both carry the same mix of values.
constexpr int k_bool_property = 4;    // motion
constexpr int k_integer_property = 5; // occupancy

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
            const int series = series_of(m_sequence);
            const int property = series % k_property_count;
            SampleValue value = 20.0 + static_cast<double>(m_sequence % 1000) / 100.0;
            if (property == k_bool_property) {
                value = (m_sequence % 3) == 0;
            } else if (property == k_integer_property) {
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
    TimePoint m_time = TimePoint(k_first_time);
};

/// The counters both benchmarks report, so their rows line up in the tabular output.
void report(benchmark::State& state, std::size_t samples, std::chrono::steady_clock::duration slowest) {
    state.counters["samples/s"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
    state.counters["max_ms"] = std::chrono::duration<double, std::milli>(slowest).count();
    state.counters["commits/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

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
    report(state, samples, slowest);
}

// ---------------------------------------------------------------------------------------
// The floor: plain SQLite
// ---------------------------------------------------------------------------------------

struct CloseDatabase {
    void operator()(sqlite3* database) const noexcept { sqlite3_close_v2(database); }
};
struct FinalizeStatement {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, CloseDatabase>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

/// One sample as the store writes it into sample_log, already in column form. kind uses
/// the store's codes: 0 double (in real), 1 bool and 2 integer (in integer).
struct FloorRow {
    std::int64_t series = 0;
    std::int64_t time = 0; ///< microseconds since the epoch
    std::int64_t sequence = 0;
    std::int64_t kind = 0;
    double real = 0.0;
    std::int64_t integer = 0;
};

/// The rows SampleSource produces, sample for sample, but with the series already an
/// integer id and the value already split by kind: everything the store derives per
/// sample is done here untimed.
class FloorRowSource {
public:
    void fill(std::vector<FloorRow>& rows, std::size_t count) {
        rows.clear();
        for (std::size_t i = 0; i < count; ++i, ++m_sequence) {
            const int series = series_of(m_sequence);
            const int property = series % k_property_count;
            FloorRow row{.series = series + 1, // the store's series ids start at 1 too
                         .time = k_first_micros + static_cast<std::int64_t>(m_sequence) * 1000,
                         .sequence = static_cast<std::int64_t>(m_sequence),
                         .kind = 0,
                         .real = 20.0 + static_cast<double>(m_sequence % 1000) / 100.0,
                         .integer = 0};
            if (property == k_bool_property) {
                row.kind = 1;
                row.integer = (m_sequence % 3) == 0 ? 1 : 0;
            } else if (property == k_integer_property) {
                row.kind = 2;
                row.integer = static_cast<std::int64_t>(m_sequence % 5);
            }
            rows.push_back(row);
        }
    }

private:
    static constexpr std::int64_t k_first_micros = std::chrono::microseconds(k_first_time).count();
    std::uint64_t m_sequence = 1;
};

/// The least SQLite work that makes the same rows durable: one connection with the
/// store's settings (WAL, the same synchronous level per durability, cache and checkpoint
/// sizes), a copy of the store's append-only sample_log table, one prepared INSERT per
/// row and one IMMEDIATE transaction per commit. What it leaves out is exactly what the
/// store adds: series lookup by name, the value variant, the cursor row, the fold into
/// the clustered archive. Failures throw: a floor that cannot run is a broken setup.
class PlainSqliteLog {
public:
    PlainSqliteLog(const fs::path& file, Durability durability) {
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(file.c_str(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
        m_database.reset(raw); // a failed open still allocates a handle that carries the message
        if (rc != SQLITE_OK) {
            fail("open " + file.string());
        }
        switch_to_wal();
        exec(durability == Durability::power ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        exec("PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; "
             "PRAGMA wal_autocheckpoint = 16384; PRAGMA journal_size_limit = 67108864");
        exec("CREATE TABLE sample_log (series INTEGER NOT NULL, time INTEGER NOT NULL, "
             "sequence INTEGER NOT NULL, kind INTEGER NOT NULL, value ANY) STRICT");
        m_begin = prepare("BEGIN IMMEDIATE");
        m_insert = prepare("INSERT INTO sample_log (series, time, sequence, kind, value) VALUES (?1, ?2, ?3, ?4, ?5)");
        m_commit = prepare("COMMIT");
    }

    /// Writes rows in one transaction.
    void commit(const std::vector<FloorRow>& rows) {
        run(m_begin.get(), "begin");
        sqlite3_stmt* insert = m_insert.get();
        for (const auto& row : rows) {
            sqlite3_bind_int64(insert, 1, row.series);
            sqlite3_bind_int64(insert, 2, row.time);
            sqlite3_bind_int64(insert, 3, row.sequence);
            sqlite3_bind_int64(insert, 4, row.kind);
            if (row.kind == 0) {
                sqlite3_bind_double(insert, 5, row.real);
            } else {
                sqlite3_bind_int64(insert, 5, row.integer);
            }
            run(insert, "insert");
        }
        run(m_commit.get(), "commit");
    }

private:
    [[noreturn]] void fail(const std::string& doing) const {
        throw std::runtime_error("plain SQLite floor: cannot " + doing + ": " + sqlite3_errmsg(m_database.get()));
    }
    void exec(const char* sql) {
        if (sqlite3_exec(m_database.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
            fail(std::string("run ") + sql);
        }
    }
    StatementHandle prepare(const char* sql) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v3(m_database.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
            fail(std::string("prepare ") + sql);
        }
        return StatementHandle(raw);
    }
    void run(sqlite3_stmt* statement, const char* doing) {
        const int rc = sqlite3_step(statement);
        if (rc != SQLITE_DONE) {
            fail(doing); // before the reset, while the message is still this step's
        }
        sqlite3_reset(statement);
    }
    void switch_to_wal() {
        // journal_mode answers with the mode it ended up in; a silent fallback to a
        // rollback journal would make the floor measure something else.
        StatementHandle pragma = prepare("PRAGMA journal_mode = WAL");
        const bool wal = sqlite3_step(pragma.get()) == SQLITE_ROW &&
                         std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(pragma.get(), 0))) == "wal";
        if (!wal) {
            fail("switch to WAL mode");
        }
    }

    DatabaseHandle m_database; // declared first, so the statements are finalized before it closes
    StatementHandle m_begin;
    StatementHandle m_insert;
    StatementHandle m_commit;
};

/// The same arguments and timing as commit_history: rows built with timing paused, only
/// the transaction timed, in a scratch directory beside the store's (DTWIN_BENCH_DIR).
void commit_history_floor(benchmark::State& state) {
    const auto per_commit = static_cast<std::size_t>(state.range(0) * state.range(1));
    const auto durability = state.range(2) == 0 ? Durability::process : Durability::power;
    ScratchDir dir;
    FloorRowSource source;
    std::vector<FloorRow> rows;
    rows.reserve(per_commit);
    std::size_t samples = 0;
    std::chrono::steady_clock::duration slowest{};
    try {
        PlainSqliteLog log(dir.path() / "floor.sqlite", durability);
        for (auto _ : state) {
            state.PauseTiming();
            source.fill(rows, per_commit);
            state.ResumeTiming();
            const auto started = std::chrono::steady_clock::now();
            log.commit(rows);
            slowest = std::max(slowest, std::chrono::steady_clock::now() - started);
            samples += per_commit;
        }
    } catch (const std::exception& error) {
        state.SkipWithError(error.what());
        return;
    }
    report(state, samples, slowest);
}

/// Samples per batch, batches per commit, durability (0 process, 1 power).
constexpr std::array<std::array<std::int64_t, 3>, 9> k_grid{{
    {100, 1, 0},
    {100, 1, 1},
    {100, 10, 1},
    {1000, 1, 0},
    {1000, 1, 1},
    {1000, 10, 0},
    {1000, 10, 1},
    {10000, 1, 0},
    {10000, 1, 1},
}};

/// Store and floor alternate at every grid point, so each pair runs back to back under
/// the same load of the machine and sits on adjacent lines of the output.
void register_benchmarks() {
    for (const auto& args : k_grid) {
        for (const auto& [name, function] :
             {std::pair{"commit_history", &commit_history}, std::pair{"commit_history_floor", &commit_history_floor}}) {
            benchmark::RegisterBenchmark(name, function)
                ->ArgNames({"samples_per_batch", "batches_per_commit", "power"})
                ->Args({args[0], args[1], args[2]})
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    register_benchmarks();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
