// DTDL conformance: runs the DTDL specification test cases (the "specification"
// folder of the DTDL parser's test suite, kept in ../shared) through parse_models()
// and compares "valid" with the parser's verdict.
//
// Usage: dtdl_conformance <shared-dir> [--verbose] [--list]
//   <shared-dir>  folder holding conformance/dtdl/specification/*.json
//   --verbose     show the parser's errors for each disagreeing case
//   --list        list every disagreeing case (default: the first 50 and the buckets)
// Exit: 0 when agreement is at or above the floors below, 1 when it dropped,
//       77 (skipped) when the folder is missing.
#include "core/dtdl/dtdl_parser.hpp"
#include "text_file.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace dtdl = dtwin::core::dtdl;

// Agreement floors in percent (raise them as the parser improves; a drop fails the test).
constexpr double k_floor_v2 = 100.0;
constexpr double k_floor_v3 = 100.0;

struct Tally {
    std::size_t agree = 0;
    std::size_t total = 0;

    void add(bool agreed) {
        ++total;
        agree += agreed ? 1 : 0;
    }
    [[nodiscard]] double percent() const {
        return total == 0 ? 100.0 : 100.0 * static_cast<double>(agree) / static_cast<double>(total);
    }
};

struct Disagreement {
    std::string file;
    std::size_t index;
    bool expected_valid;
    std::vector<dtdl::ModelIssue> errors;
};

void print_tally(std::string_view label, const Tally& tally) {
    std::printf("  %-28s %6zu / %6zu  %7.3f %%\n", std::string(label).c_str(), tally.agree, tally.total,
                tally.percent());
}

// "Requirement-ClassTelemetryIdIsDtmiV3.json" -> "Requirement-ClassTelemetryIdIsDtmi".
std::string stem_of(const std::string& file) {
    std::string stem = file.substr(0, file.size() - std::string_view(".json").size());
    return stem.substr(0, stem.size() - 2);
}

// Everything one run gathers.
struct Report {
    std::map<std::string, Tally> by_version;
    std::map<std::string, Tally> by_option;
    std::map<std::string, Tally> by_category;
    std::map<std::string, std::size_t> buckets; ///< disagreements per file stem
    std::vector<Disagreement> disagreements;
};

// Runs every case of one file; false if the file cannot be read.
bool run_file(const fs::path& path, Report& report) {
    const std::string file = path.filename().string();
    const std::string version = file.ends_with("V2.json") ? "v2" : "v3";
    const std::string category = file.substr(0, file.find('-'));
    std::string text = dtwin::test::read_text_file(path);
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.erase(0, 3); // the case files carry a UTF-8 byte-order mark
    }
    boost::system::error_code error;
    json::value parsed = json::parse(text, error);
    if (error) {
        std::printf("cannot read %s: %s\n", file.c_str(), error.message().c_str());
        return false;
    }
    const json::array cases = parsed.is_array() ? parsed.get_array() : json::array{parsed};
    for (std::size_t index = 0; index < cases.size(); ++index) {
        const auto& test_case = cases[index].as_object();
        const bool expected_valid = test_case.at("valid").as_bool();
        std::string option = "DisallowUndefinedExtensions";
        if (const auto* options = test_case.if_contains("options"); options && !options->as_array().empty()) {
            option = std::string(options->as_array()[0].as_string());
        }
        std::vector<dtdl::ModelDocument> documents;
        for (const auto& input : test_case.at("input").as_array()) {
            documents.push_back(
                {file + "#" + std::to_string(index) + "/" + std::to_string(documents.size()), json::serialize(input)});
        }
        dtdl::ModelParseOptions parse_options;
        parse_options.allow_undefined_extensions = option == "AllowUndefinedExtensions";
        const auto result = dtdl::parse_models(documents, parse_options);
        const bool agreed = result.ok() == expected_valid;
        report.by_version[version].add(agreed);
        report.by_option[version + " " + option].add(agreed);
        report.by_category[version + " " + category].add(agreed);
        if (!agreed) {
            ++report.buckets[stem_of(file)];
            report.disagreements.push_back({file, index, expected_valid, result.errors});
        }
    }
    return true;
}

void print_report(const Report& report, std::size_t files, bool verbose, bool list_all) {
    std::printf("DTDL conformance (%zu files)\nby version:\n", files);
    for (const auto& [label, tally] : report.by_version) {
        print_tally(label, tally);
    }
    std::printf("by version and option:\n");
    for (const auto& [label, tally] : report.by_option) {
        print_tally(label, tally);
    }
    std::printf("by version and category:\n");
    for (const auto& [label, tally] : report.by_category) {
        print_tally(label, tally);
    }
    std::vector<std::pair<std::string, std::size_t>> sorted(report.buckets.begin(), report.buckets.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::printf("disagreements by file stem (%zu cases):\n", report.disagreements.size());
    for (const auto& [stem, count] : sorted) {
        std::printf("  %5zu  %s\n", count, stem.c_str());
    }
    const auto& disagreements = report.disagreements;
    const std::size_t shown = list_all ? disagreements.size() : std::min<std::size_t>(disagreements.size(), 50);
    std::printf("disagreeing cases%s:\n", shown < disagreements.size() ? " (first 50; --list for all)" : "");
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& d = disagreements[i];
        std::printf("  %s #%zu: expected %s, parser said %s\n", d.file.c_str(), d.index,
                    d.expected_valid ? "valid" : "invalid", d.errors.empty() ? "valid" : "invalid");
        if (verbose) {
            for (const auto& issue : d.errors) {
                std::printf("      %s\n", issue.to_string().c_str());
            }
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: dtdl_conformance <shared-dir> [--verbose] [--list]\n");
        return 2;
    }
    bool verbose = false;
    bool list_all = false;
    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        verbose = verbose || arg == "--verbose";
        list_all = list_all || arg == "--list";
    }
    const fs::path folder = fs::path(argv[1]) / "conformance" / "dtdl" / "specification";
    if (!fs::is_directory(folder)) {
        std::printf("skipped: DTDL conformance cases not found in %s\n", folder.string().c_str());
        return 77;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());

    Report report;
    for (const auto& path : files) {
        if (!run_file(path, report)) {
            return 1;
        }
    }
    print_report(report, files.size(), verbose, list_all);

    const double v2 = report.by_version["v2"].percent();
    const double v3 = report.by_version["v3"].percent();
    const bool pass = v2 >= k_floor_v2 && v3 >= k_floor_v3;
    std::printf("%s: agreement v2 %.3f %% (floor %.3f), v3 %.3f %% (floor %.3f)\n", pass ? "PASS" : "FAIL", v2,
                k_floor_v2, v3, k_floor_v3);
    return pass ? 0 : 1;
}
