// Start-up load: write N Room twins (1M by default) as Azure Digital Twins JSON documents,
// then measure how long the Store read API takes to hand them all back and what that
// costs in resident memory. A plain main (one long measurement, not a micro-benchmark).
//
// The twins are written by a child process, so that the figures of the parent (which
// only opens and loads) are not inflated by memory the writer used.
//
//   build/store-release/bench/store_load_bench [twins]      (DTWIN_BENCH_DIR: scratch location)
#include "store/store.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace dtwin::store;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// A field of /proc/self/status in MiB ("VmRSS", "VmHWM").
double status_mib(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(field + ":")) {
            return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0; // kB -> MiB
        }
    }
    return -1;
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A Room twin as Azure Digital Twins returns it: eight properties of the prototype's
/// Room model, each with its $metadata times. About 600 bytes.
std::string room_document(std::size_t index) {
    const std::string id = "room-" + std::to_string(index);
    const std::string time = dtwin::core::format_time(TimePoint(std::chrono::seconds(1'790'000'000 + index % 86'400)));
    const auto temperature = 18.0 + static_cast<double>(index % 80) / 10.0;
    char values[256];
    std::snprintf(values, sizeof values,
                  R"("temperature":%.1f,"humidity":%.1f,"light":%d,"co2":%d,"motion":%s,"roomTimestamp":"%s",)"
                  R"("occupancy":%d,"airQualityState":"%s",)",
                  temperature, 35.0 + static_cast<double>(index % 300) / 10.0, static_cast<int>(index % 900),
                  400 + static_cast<int>(index % 1200), index % 2 == 0 ? "true" : "false", time.c_str(),
                  static_cast<int>(index % 6), index % 7 == 0 ? "poor" : "good");
    std::string document = R"({"$dtId":")" + id + R"(","$etag":"W/\")" + std::to_string(index * 7 + 1) + R"(\"",)";
    document += values;
    document += R"("$metadata":{"$model":"dtmi:example:Room;1","$lastUpdateTime":")" + time + R"(")";
    for (const char* property :
         {"temperature", "humidity", "light", "co2", "motion", "roomTimestamp", "occupancy", "airQualityState"}) {
        document += R"(,")";
        document += property;
        document += R"(":{"lastUpdateTime":")" + time + R"("})";
    }
    document += "}}";
    return document;
}

/// The writer (child process): N twins in batches of 10 000.
int write_twins(const fs::path& dir, std::size_t count) {
    auto store = open_store(dir.string());
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
        return 1;
    }
    const auto start = Clock::now();
    std::size_t bytes = 0;
    WriteBatch batch;
    for (std::size_t i = 0; i < count; ++i) {
        TwinRecord twin{"room-" + std::to_string(i), "dtmi:example:Room;1", i * 7 + 1, room_document(i)};
        bytes += twin.document.size();
        batch.put_twin(std::move(twin));
        if (batch.size() == 10'000 || i + 1 == count) {
            if (auto committed = (*store)->commit(batch); !committed) {
                std::fprintf(stderr, "%s\n", committed.error().to_string().c_str());
                return 1;
            }
            batch.clear();
        }
    }
    const double elapsed = seconds_since(start);
    std::printf("write:  %zu twins, average document %zu bytes, %.2f s (%.0f twins/s)\n", count, bytes / count, elapsed,
                static_cast<double>(count) / elapsed);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    const char* base = std::getenv("DTWIN_BENCH_DIR");
    std::string pattern =
        ((base != nullptr ? fs::path(base) : fs::temp_directory_path()) / "dtwin-load-XXXXXX").string();
    if (count == 0 || ::mkdtemp(pattern.data()) == nullptr) {
        std::fprintf(stderr, "usage: store_load_bench [twins > 0]; scratch dir %s\n", pattern.c_str());
        return 2;
    }
    const fs::path dir = pattern;
    std::fflush(stdout);
    const pid_t writer = ::fork();
    if (writer == 0) {
        const int code = write_twins(dir, count);
        std::fflush(stdout); // _exit skips stdio's flush
        ::_exit(code);
    }
    int status = 0;
    if (writer < 0 || ::waitpid(writer, &status, 0) != writer || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "the writer failed\n");
        fs::remove_all(dir);
        return 1;
    }
    std::printf("file:   %.0f MiB\n", static_cast<double>(fs::file_size(dir / k_sqlite_file_name)) / 1048576.0);
    std::printf("rss before open: %.1f MiB\n", status_mib("VmRSS"));

    auto start = Clock::now();
    auto store = open_store(dir.string(), StoreOptions{.read_only = true});
    if (!store) {
        std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
        return 1;
    }
    std::printf("open:   %.3f s\n", seconds_since(start));

    // 1. Streaming, as the server loads: each record is handed over and dropped.
    std::size_t streamed_bytes = 0;
    LoadSink sink;
    sink.on_model = [](ModelRecord&&) {};
    sink.on_twin = [&streamed_bytes](TwinRecord&& twin) { streamed_bytes += twin.document.size(); };
    sink.on_relationship = [](RelationshipRecord&&) {};
    sink.on_cursor = [](CursorRecord&&) {};
    start = Clock::now();
    auto counts = (*store)->load_all(sink);
    if (!counts || counts->twins != count) {
        std::fprintf(stderr, "load failed: %s\n", counts ? "wrong count" : counts.error().to_string().c_str());
        return 1;
    }
    double elapsed = seconds_since(start);
    std::printf("load_all (stream):    %.3f s, %.0f twins/s, %.0f MiB/s of JSON, rss %.1f MiB\n", elapsed,
                static_cast<double>(count) / elapsed, static_cast<double>(streamed_bytes) / 1048576.0 / elapsed,
                status_mib("VmRSS"));

    // 2. Everything kept in memory as records (an upper bound on what the store costs).
    start = Clock::now();
    auto snapshot = load_snapshot(**store);
    if (!snapshot || snapshot->twins.size() != count) {
        std::fprintf(stderr, "snapshot failed\n");
        return 1;
    }
    elapsed = seconds_since(start);
    std::printf("load_snapshot (keep): %.3f s, %.0f twins/s, rss %.1f MiB (peak %.1f MiB)\n", elapsed,
                static_cast<double>(count) / elapsed, status_mib("VmRSS"), status_mib("VmHWM"));
    snapshot->twins.clear();
    store->reset();
    fs::remove_all(dir);
    return 0;
}
