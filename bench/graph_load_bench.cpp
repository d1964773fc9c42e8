// Start-up of a data directory with N Room twins (1M by default): the exact path every
// dtwin command and the server take (Workspace::load_graph: stored models parsed as DTDL,
// every twin document read from SQLite, parsed, validated against its model and put into
// the twin graph). Reports the time and the resident memory of the loaded graph.
//
// The data directory is written by a child process (through the same graph and store
// code as `dtwin twin create`), so the parent's memory figures hold only the load.
//
//   build/release/bench/graph_load_bench [twins] [dir]     (default 1000000, a temp dir)
#include "app/config.hpp"
#include "app/workspace.hpp"
#include "store/store.hpp"

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace dtwin;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* k_room = "dtmi:dtwin:example:Room;1";
double g_floor_seconds = 1;

double status_mib(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(field + ":")) {
            return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0;
        }
    }
    return -1;
}

double seconds_since(SteadyClock::time_point start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

app::Config config_for(const fs::path& dir) {
    app::Config config;
    config.set("data.dir", dir.string(), "benchmark");
    return config;
}

bool check(const core::Result<void>& result, const char* what) {
    if (!result) {
        std::fprintf(stderr, "%s: %s\n", what, result.error().to_string().c_str());
    }
    return result.has_value();
}

/// Writes the Room model and `count` Room twins with every property set.
int write_data_directory(const fs::path& dir, std::size_t count) {
    std::ifstream in(std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/models/Room.json");
    std::stringstream model_text;
    model_text << in.rdbuf();
    auto workspace = app::Workspace::open(config_for(dir), app::Access::read_write);
    if (!workspace) {
        std::fprintf(stderr, "open: %s\n", workspace.error().to_string().c_str());
        return 1;
    }
    store::WriteBatch models;
    models.put_model({k_room, model_text.str(), core::TimePoint{}, false});
    if (!check((*workspace)->commit(std::move(models)), "model") || !check((*workspace)->load_models(), "models")) {
        return 1;
    }
    auto& graph = (*workspace)->graph();
    const auto start = SteadyClock::now();
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) {
        json::object body{{"$metadata", json::object{{"$model", k_room}}},
                          {"temperature", 18.0 + static_cast<double>(i % 80) / 10.0},
                          {"humidity", 35.0 + static_cast<double>(i % 300) / 10.0},
                          {"light", static_cast<double>(i % 900)},
                          {"co2", static_cast<double>(400 + i % 1200)},
                          {"motion", i % 2 == 0},
                          {"roomTimestamp", "2026-11-24T21:26:15.123Z"},
                          {"occupancy", i % 3 == 0 ? "occupied" : "not_occupied"},
                          {"airQualityState", "normal"}};
        ids.push_back("Room" + std::to_string(i));
        if (auto created = graph.create_twin(ids.back(), body); !created) {
            std::fprintf(stderr, "create: %s\n", created.error().to_string().c_str());
            return 1;
        }
        (void)graph.drain_events();
        if (ids.size() == 10'000 || i + 1 == count) {
            store::WriteBatch batch;
            (*workspace)->stage_twins(batch, ids);
            if (!check((*workspace)->commit(std::move(batch)), "commit")) {
                return 1;
            }
            ids.clear();
        }
        if ((i + 1) % 100'000 == 0) {
            std::fprintf(stderr, "  written %zu / %zu twins (%.1f s)\n", i + 1, count, seconds_since(start));
        }
    }
    std::printf("write: %zu twins in %.2f s (%.0f twins/s), graph RSS of the writer %.0f MiB\n", count,
                seconds_since(start), static_cast<double>(count) / seconds_since(start), status_mib("VmRSS"));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    const bool own_dir = argc <= 2;
    const fs::path dir =
        own_dir ? fs::temp_directory_path() / ("dtwin-graph-load-" + std::to_string(getpid())) : fs::path(argv[2]);
    fs::create_directories(dir);
    std::printf("graph_load_bench: %zu Room twins in %s\n", count, dir.c_str());
    std::fflush(stdout);

    const pid_t child = fork();
    if (child == 0) {
        const int code = write_data_directory(dir, count);
        std::fflush(stdout);
        std::_Exit(code);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "writer failed\n");
        return 1;
    }
    std::printf("database file: %.0f MiB\n", static_cast<double>(fs::file_size(dir / "dtwin.db")) / (1024.0 * 1024.0));

    // The floor, in the same run: the store alone streaming every twin document (what
    // no load can beat). It also warms the page cache, so both passes read from memory.
    {
        auto store = store::open_store("sqlite:" + dir.string(), {.read_only = true});
        if (!store) {
            std::fprintf(stderr, "open: %s\n", store.error().to_string().c_str());
            return 1;
        }
        std::size_t bytes = 0;
        const auto floor_start = SteadyClock::now();
        const auto counted =
            (*store)->load_all({.on_twin = [&](store::TwinRecord&& r) { bytes += r.document.size(); }});
        const double floor_seconds = seconds_since(floor_start);
        if (!counted) {
            std::fprintf(stderr, "stream: %s\n", counted.error().to_string().c_str());
            return 1;
        }
        std::printf("floor (store streaming only): %zu twins, %.0f MiB of JSON in %.2f s\n", counted->twins,
                    static_cast<double>(bytes) / (1024.0 * 1024.0), floor_seconds);
        g_floor_seconds = floor_seconds;
    }

    const double rss_before = status_mib("VmRSS");
    const auto start = SteadyClock::now();
    auto workspace = app::Workspace::open(config_for(dir), app::Access::read_only);
    if (!workspace || !check((*workspace)->load_graph(), "load")) {
        return 1;
    }
    const double load_seconds = seconds_since(start);
    const double rss_after = status_mib("VmRSS");
    std::printf("load: %zu twins in %.2f s (%.0f twins/s)\n", (*workspace)->graph().twin_count(), load_seconds,
                static_cast<double>(count) / load_seconds);
    std::printf("load / floor: %.2fx\n", load_seconds / g_floor_seconds);
    std::printf("RSS: %.0f MiB before, %.0f MiB after (%.0f bytes per twin), peak %.0f MiB\n", rss_before, rss_after,
                (rss_after - rss_before) * 1024.0 * 1024.0 / static_cast<double>(count), status_mib("VmHWM"));
    if (own_dir) {
        fs::remove_all(dir);
    }
    return 0;
}
