// Runs the shared JSON Patch conformance cases (json-patch/tests.json) against
// core::apply_patch.
//
// Usage: json_patch_conformance <shared dir>
// Exit codes: 0 all non-disabled cases pass, 1 some failed, 77 the case file is missing
// (CTest reports the test as skipped).
#include "core/json_patch.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace json = boost::json;

namespace {

constexpr int k_skipped = 77;

struct Tally {
    int passed = 0;
    int failed = 0;
    int disabled = 0;
    int comments_only = 0;
};

/// Checks one case; prints a line for each failure.
void run_case(std::size_t index, const json::object& record, Tally& tally) {
    if (!record.contains("doc") || !record.contains("patch")) {
        ++tally.comments_only;
        return;
    }
    if (const auto* disabled = record.if_contains("disabled");
        disabled != nullptr && disabled->is_bool() && disabled->get_bool()) {
        ++tally.disabled;
        return;
    }
    json::value document = record.at("doc");
    const auto applied = dtwin::core::apply_patch(document, record.at("patch"));
    const auto* comment = record.if_contains("comment");
    const std::string label =
        "case " + std::to_string(index) +
        (comment != nullptr && comment->is_string() ? " (" + std::string(comment->get_string()) + ")" : "");
    if (record.contains("error")) {
        if (applied) {
            std::cout << "FAIL " << label << ": expected an error (" << json::serialize(record.at("error"))
                      << "), the patch applied\n";
            ++tally.failed;
            return;
        }
        // Atomicity: a failed patch must leave the document as it was.
        if (!dtwin::core::json_equal(document, record.at("doc"))) {
            std::cout << "FAIL " << label << ": failed patch modified the document\n";
            ++tally.failed;
            return;
        }
        ++tally.passed;
        return;
    }
    if (!applied) {
        std::cout << "FAIL " << label << ": " << applied.error().to_string() << "\n";
        ++tally.failed;
        return;
    }
    if (const auto* expected = record.if_contains("expected");
        expected != nullptr && !dtwin::core::json_equal(document, *expected)) {
        std::cout << "FAIL " << label << ": got " << json::serialize(document) << ", expected "
                  << json::serialize(*expected) << "\n";
        ++tally.failed;
        return;
    }
    ++tally.passed;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: json_patch_conformance <shared dir>\n";
        return 2;
    }
    const std::filesystem::path file = std::filesystem::path(argv[1]) / "conformance" / "json-patch" / "tests.json";
    std::ifstream in(file);
    if (!in) {
        std::cout << "SKIP: " << file.string() << " is missing\n";
        return k_skipped;
    }
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    const json::value cases = json::parse(text.str(), ec);
    if (ec || !cases.is_array()) {
        std::cout << "FAIL: " << file.string() << " is not a JSON array of cases\n";
        return 1;
    }
    Tally tally;
    const auto& array = cases.get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (array[i].is_object()) {
            run_case(i, array[i].get_object(), tally);
        }
    }
    std::cout << "json-patch conformance (" << file.string() << "): " << array.size() << " records, " << tally.passed
              << " passed, " << tally.failed << " failed, " << tally.disabled << " disabled, " << tally.comments_only
              << " comment-only\n";
    return tally.failed == 0 ? 0 : 1;
}
