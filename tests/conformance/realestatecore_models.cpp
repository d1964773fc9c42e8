// Loads the RealEstateCore ontology (767 DTDL v3 Interfaces in many files that
// extend and reference each other) from ../shared/models/realestatecore through
// parse_models() in one call and requires it to load without a single error.
//
// Usage: realestatecore_models <shared-dir>
// Exit: 0 on success, 1 on errors or a wrong Interface count, 77 (skipped) when the
//       folder is missing.
#include "core/dtdl/dtdl_parser.hpp"
#include "text_file.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_expected_interfaces = 767;

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: realestatecore_models <shared-dir>\n");
        return 2;
    }
    const fs::path folder = fs::path(argv[1]) / "models" / "realestatecore";
    if (!fs::is_directory(folder)) {
        std::printf("skipped: RealEstateCore models not found in %s\n", folder.string().c_str());
        return 77;
    }
    std::vector<dtwin::core::dtdl::ModelDocument> documents;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            documents.push_back(
                {fs::relative(entry.path(), folder).string(), dtwin::test::read_text_file(entry.path())});
        }
    }
    // Directory order is unspecified; sort so that messages are reproducible.
    std::sort(documents.begin(), documents.end(), [](const auto& a, const auto& b) { return a.name < b.name; });

    const auto result = dtwin::core::dtdl::parse_models(documents, {});
    for (const auto& issue : result.errors) {
        std::printf("  %s\n", issue.to_string().c_str());
    }
    std::printf("RealEstateCore: %zu documents, %zu interfaces, %zu errors\n", documents.size(),
                result.interfaces.size(), result.errors.size());
    if (!result.ok() || result.interfaces.size() != k_expected_interfaces) {
        std::printf("FAIL: expected %zu interfaces and no errors\n", k_expected_interfaces);
        return 1;
    }
    std::printf("PASS\n");
    return 0;
}
