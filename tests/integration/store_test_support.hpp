// Helpers shared by the store integration tests: a fresh temporary directory per test,
// small record factories and the StoreFixture most of them derive from. Tests only;
// single-threaded.
#pragma once

#include "store/store.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace dtwin::store::testing {

namespace fs = std::filesystem;

/// A directory of its own under the system temp dir, removed (whatever its permissions
/// became during the test) when the test ends.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "dtwin-store-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed for " + pattern);
        }
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(m_path, fs::perms::owner_all, fs::perm_options::add, ec);
        for (const auto& entry : fs::recursive_directory_iterator(m_path, ec)) {
            fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ec);
        }
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const fs::path& path() const { return m_path; }
    /// "sqlite:<dir>/dtwin.db"
    [[nodiscard]] std::string url() const { return "sqlite:" + (m_path / k_sqlite_file_name).string(); }
    [[nodiscard]] fs::path db_file() const { return m_path / k_sqlite_file_name; }

private:
    fs::path m_path;
};

inline TimePoint at_seconds(long long seconds) {
    return TimePoint(std::chrono::microseconds(1'790'000'000'000'000LL + seconds * 1'000'000LL));
}

inline TwinRecord make_twin(const std::string& id, std::uint64_t version = 1) {
    return TwinRecord{id, "dtmi:example:Room;1", version,
                      R"({"$dtId":")" + id + R"(","$etag":"W/\")" + std::to_string(version) +
                          R"(\"","temperature":21.5,"$metadata":{"$model":"dtmi:example:Room;1"}})"};
}

inline HistorySample make_sample(const std::string& twin, const std::string& property, long long second,
                                 std::uint64_t sequence, SampleValue value) {
    return HistorySample{twin, property, at_seconds(second), sequence, std::move(value)};
}

/// Opens `url` and fails the test (fatally for the caller's ASSERT) if it does not open.
inline std::unique_ptr<Store> open_or_fail(const std::string& url, const StoreOptions& options = {}) {
    auto store = open_store(url, options);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().to_string());
    return store ? std::move(*store) : nullptr;
}

inline std::vector<char> read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const fs::path& file, const std::vector<char>& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Writes a big-endian 32-bit integer into the SQLite header of a CLOSED database file
/// (offset 60: user_version, 68: application_id). Lets the tests fabricate "a newer dtwin"
/// or "another application" without linking SQLite themselves.
inline void patch_header_u32(const fs::path& file, std::size_t offset, std::uint32_t value) {
    auto bytes = read_bytes(file);
    ASSERT_GE(bytes.size(), 100U) << file;
    for (int i = 0; i < 4; ++i) {
        bytes[offset + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * (3 - i))) & 0xffU);
    }
    write_bytes(file, bytes);
}

/// A store in a fresh temporary directory, opened before each test, with the steps most
/// store tests take: reopen it (other options, or to see what was persisted) and commit a
/// batch that must succeed.
class StoreFixture : public ::testing::Test {
protected:
    void SetUp() override {
        m_store = open_or_fail(m_dir.url());
        ASSERT_NE(m_store, nullptr);
    }
    void reopen(const StoreOptions& options = {}) {
        m_store.reset();
        m_store = open_or_fail(m_dir.url(), options);
        ASSERT_NE(m_store, nullptr);
    }
    void commit_ok(const WriteBatch& batch) {
        auto done = m_store->commit(batch);
        ASSERT_TRUE(done.has_value()) << done.error().to_string();
    }

    TempDir m_dir;
    std::unique_ptr<Store> m_store;
};

} // namespace dtwin::store::testing
