// dtwin's own DTDL conformance cases (tests/conformance/dtdl_cases/*.json): the rules
// of the v3 feature extensions, the IoT Central context and the checks the shared suite
// does not exercise, written from the specifications. Same shape as the shared suite
// ({valid, options, input}) plus what an invalid case must report:
//   "rule"      the rule name one of the errors must carry,
//   "pointer"   (optional) that error's JSON pointer,
//   "document"  (optional, default 0) the index in `input` of the document it names,
//   "title"     what the case checks.
//
// Usage: dtdl_own_cases <cases-dir> [--verbose]
// Exit: 0 when every case agrees, 1 otherwise (each disagreement is printed).
#include "core/dtdl/dtdl_parser.hpp"
#include "text_file.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace dtdl = dtwin::core::dtdl;

std::string string_or(const json::object& object, std::string_view key, std::string fallback) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : fallback;
}

// Why a case disagrees, or "" when it agrees.
std::string judge(const json::object& test_case, const std::vector<dtdl::ModelDocument>& documents,
                  const dtdl::ModelParseResult& result) {
    const bool expected_valid = test_case.at("valid").as_bool();
    if (expected_valid) {
        return result.ok() ? "" : "expected valid, parser said invalid";
    }
    if (result.ok()) {
        return "expected invalid, parser said valid";
    }
    const std::string rule = string_or(test_case, "rule", "");
    const auto* pointer = test_case.if_contains("pointer");
    std::size_t document = 0;
    if (const auto* index = test_case.if_contains("document"); index != nullptr && index->is_int64()) {
        document = static_cast<std::size_t>(index->get_int64());
    }
    for (const auto& issue : result.errors) {
        if (issue.rule.empty() || issue.message.empty()) {
            return "an error without rule or message: " + issue.to_string();
        }
    }
    const auto matches = [&](const dtdl::ModelIssue& issue) {
        return (rule.empty() || issue.rule == rule) && document < documents.size() &&
               issue.document == documents[document].name &&
               (pointer == nullptr || (pointer->is_string() && issue.pointer == pointer->get_string()));
    };
    if (std::none_of(result.errors.begin(), result.errors.end(), matches)) {
        return "expected [" + rule + "]" +
               (pointer != nullptr && pointer->is_string() ? " at " + std::string(pointer->get_string()) : "") +
               " in document " + std::to_string(document) + ", parser said otherwise";
    }
    return "";
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: dtdl_own_cases <cases-dir> [--verbose]\n");
        return 2;
    }
    const bool verbose = argc > 2 && std::string_view(argv[2]) == "--verbose";
    const fs::path folder = argv[1];
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    std::size_t total = 0;
    std::size_t failed = 0;
    std::size_t valid_cases = 0;
    for (const auto& path : files) {
        boost::system::error_code error;
        const json::value parsed = json::parse(dtwin::test::read_text_file(path), error);
        if (error || !parsed.is_array()) {
            std::printf("FAIL %s: not a JSON array of cases (%s)\n", path.filename().c_str(), error.message().c_str());
            return 1;
        }
        std::size_t file_failed = 0;
        const auto& cases = parsed.get_array();
        for (std::size_t index = 0; index < cases.size(); ++index) {
            const auto& test_case = cases[index].as_object();
            std::vector<dtdl::ModelDocument> documents;
            for (const auto& input : test_case.at("input").as_array()) {
                documents.push_back(
                    {path.filename().string() + "#" + std::to_string(index) + "/" + std::to_string(documents.size()),
                     json::serialize(input)});
            }
            dtdl::ModelParseOptions options;
            if (const auto* list = test_case.if_contains("options"); list && !list->as_array().empty()) {
                options.allow_undefined_extensions = list->as_array()[0].as_string() == "AllowUndefinedExtensions";
            }
            const auto result = dtdl::parse_models(documents, options);
            const std::string why = judge(test_case, documents, result);
            ++total;
            valid_cases += test_case.at("valid").as_bool() ? 1 : 0;
            if (!why.empty()) {
                ++failed;
                ++file_failed;
                std::printf("  %s #%zu (%s): %s\n", path.filename().c_str(), index,
                            string_or(test_case, "title", "untitled").c_str(), why.c_str());
                for (const auto& issue : result.errors) {
                    std::printf("      %s\n", issue.to_string().c_str());
                }
            } else if (verbose) {
                for (const auto& issue : result.errors) {
                    std::printf("  %s #%zu ok: %s\n", path.filename().c_str(), index, issue.to_string().c_str());
                }
            }
        }
        std::printf("%-28s %3zu / %3zu agree\n", path.filename().c_str(), cases.size() - file_failed, cases.size());
    }
    std::printf("%s: %zu of %zu own DTDL cases agree (%zu valid, %zu invalid)\n", failed == 0 ? "PASS" : "FAIL",
                total - failed, total, valid_cases, total - valid_cases);
    return failed == 0 && total > 0 ? 0 : 1;
}
