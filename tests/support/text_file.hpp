// Reads a whole file into a string: what the conformance runners and benchmarks do
// with their data files. Header-only; "" for a file that cannot be read.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace dtwin::test {

inline std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

} // namespace dtwin::test
