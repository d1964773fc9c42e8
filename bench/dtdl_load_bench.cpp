// Time to load the RealEstateCore ontology (767 DTDL v3 Interfaces in 700+ files)
// through parse_models() in one call: what `dtwin model import` of a building model
// costs, and the figure that must not grow as the DTDL checks grow.
//
// Usage: dtdl_load_bench <shared-dir> [--rounds N]
//   Reads ../shared/models/realestatecore once, then parses it N times (default 30),
//   printing a dot per round, and reports min / median / max milliseconds per load.
//   Compare two builds by running both binaries in one session (docs/benchmarks.md).
// Exit: 0, 1 when the models do not load cleanly, 77 when the folder is missing.
#include "core/dtdl/dtdl_parser.hpp"
#include "text_file.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace dtdl = dtwin::core::dtdl;

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: dtdl_load_bench <shared-dir> [--rounds N]\n");
        return 2;
    }
    int rounds = 30;
    for (int i = 2; i + 1 < argc; ++i) {
        if (std::string_view(argv[i]) == "--rounds") {
            rounds = std::max(1, std::atoi(argv[i + 1]));
        }
    }
    const fs::path folder = fs::path(argv[1]) / "models" / "realestatecore";
    if (!fs::is_directory(folder)) {
        std::printf("skipped: RealEstateCore models not found in %s\n", folder.string().c_str());
        return 77;
    }
    std::vector<dtdl::ModelDocument> documents;
    std::size_t bytes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            documents.push_back(
                {fs::relative(entry.path(), folder).string(), dtwin::test::read_text_file(entry.path())});
            bytes += documents.back().text.size();
        }
    }
    std::sort(documents.begin(), documents.end(), [](const auto& a, const auto& b) { return a.name < b.name; });

    std::vector<double> times_ms;
    std::size_t interfaces = 0;
    std::printf("parsing %zu documents (%zu KiB) %d times ", documents.size(), bytes / 1024, rounds);
    for (int round = 0; round < rounds; ++round) {
        const auto start = std::chrono::steady_clock::now();
        const auto result = dtdl::parse_models(documents);
        const auto stop = std::chrono::steady_clock::now();
        if (!result.ok()) {
            std::printf("\nFAIL: %s\n", result.errors.front().to_string().c_str());
            return 1;
        }
        interfaces = result.interfaces.size();
        times_ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
        std::printf(".");
        std::fflush(stdout);
    }
    std::sort(times_ms.begin(), times_ms.end());
    std::printf("\nRealEstateCore load: %zu interfaces, min %.1f ms, median %.1f ms, max %.1f ms\n", interfaces,
                times_ms.front(), times_ms[times_ms.size() / 2], times_ms.back());
    return 0;
}
