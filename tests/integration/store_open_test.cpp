// Opening stores: URL forms, files that are not ours, broken files and directories, schema
// versions, read-only access beside a writer, and durability settings.
#include "store_test_support.hpp"

#include <random>
#include <sys/wait.h>
#include <unistd.h>

namespace dtwin::store::testing {
namespace {

using core::ErrorCode;

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

/// Creates a dtwin store with one twin in `dir` and closes it (so the file is complete
/// and the WAL checkpointed into it).
void create_store(const TempDir& dir) {
    auto store = open_or_fail(dir.url());
    ASSERT_NE(store, nullptr);
    WriteBatch batch;
    batch.put_twin(make_twin("room-1"));
    ASSERT_TRUE(store->commit(batch).has_value());
}

TEST(StoreOpen, DataDirectoryAndUrlFormsNameTheSameFile) {
    TempDir dir;
    {
        auto by_dir = open_or_fail(dir.path().string());
        ASSERT_NE(by_dir, nullptr);
        WriteBatch batch;
        batch.put_twin(make_twin("room-1"));
        ASSERT_TRUE(by_dir->commit(batch).has_value());
        EXPECT_EQ(by_dir->settings().value().location, dir.db_file().string());
    }
    EXPECT_TRUE(fs::exists(dir.db_file()));
    for (const std::string& url :
         {dir.url(), "sqlite:" + dir.path().string(), "sqlite://" + dir.db_file().string(), dir.db_file().string()}) {
        auto store = open_or_fail(url);
        ASSERT_NE(store, nullptr) << url;
        EXPECT_TRUE(store->get_twin("room-1").has_value()) << url;
    }
}

TEST(StoreOpen, UnknownSchemeIsRefusedByName) {
    auto store = open_store("mongodb://localhost/twins");
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::storage);
    EXPECT_TRUE(contains(store.error().message, "unknown store scheme 'mongodb'")) << store.error().message;
    EXPECT_TRUE(contains(open_store("postgresql://db/dtwin").error().message, "not supported yet"));
}

TEST(StoreOpen, NonSqliteFileIsRejectedAndLeftUntouched) {
    TempDir dir;
    std::vector<char> garbage(8192);
    std::mt19937 random(42);
    for (auto& byte : garbage) {
        byte = static_cast<char>(random() & 0xffU);
    }
    write_bytes(dir.db_file(), garbage);

    auto store = open_store(dir.url());
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::storage);
    EXPECT_EQ(store.error().where, dir.db_file().string());
    EXPECT_TRUE(contains(store.error().message, "not an SQLite database")) << store.error().to_string();
    EXPECT_EQ(read_bytes(dir.db_file()), garbage);
}

TEST(StoreOpen, TextFileIsRejected) {
    TempDir dir;
    const std::string text = "[broker]\nport = 1883\n";
    write_bytes(dir.db_file(), std::vector<char>(text.begin(), text.end()));
    auto store = open_store(dir.path().string(), {.read_only = true});
    ASSERT_FALSE(store.has_value());
    EXPECT_TRUE(contains(store.error().to_string(), dir.db_file().string()));
}

TEST(StoreOpen, OtherApplicationsDatabaseIsRefusedAndNotModified) {
    TempDir dir;
    create_store(dir);
    patch_header_u32(dir.db_file(), 68, 0x47504B47); // application_id of a GeoPackage
    const auto before = read_bytes(dir.db_file());

    auto store = open_store(dir.url());
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::storage);
    EXPECT_EQ(store.error().where, dir.db_file().string());
    EXPECT_TRUE(contains(store.error().message, "not a dtwin store")) << store.error().message;
    EXPECT_TRUE(contains(store.error().message, "0x47504b47")) << store.error().message;
    EXPECT_EQ(read_bytes(dir.db_file()), before);
}

TEST(StoreOpen, UnmarkedDatabaseWithTablesIsForeign) {
    TempDir dir;
    create_store(dir);
    patch_header_u32(dir.db_file(), 68, 0); // no application id, no version, but tables
    patch_header_u32(dir.db_file(), 60, 0);
    auto store = open_store(dir.url());
    ASSERT_FALSE(store.has_value());
    EXPECT_TRUE(contains(store.error().message, "another application")) << store.error().message;
}

TEST(StoreOpen, CorruptPagesGiveAnErrorNotACrash) {
    TempDir dir;
    {
        auto store = open_or_fail(dir.url());
        ASSERT_NE(store, nullptr);
        WriteBatch batch;
        for (int i = 0; i < 2000; ++i) {
            batch.put_twin(make_twin("room-" + std::to_string(i)));
        }
        ASSERT_TRUE(store->commit(batch).has_value());
    }
    auto bytes = read_bytes(dir.db_file());
    ASSERT_GT(bytes.size(), 64U * 1024U);
    // Keep the 100-byte header, overwrite everything after the first page with noise.
    std::mt19937 random(7);
    for (std::size_t i = 4096; i < bytes.size(); ++i) {
        bytes[i] = static_cast<char>(random() & 0xffU);
    }
    write_bytes(dir.db_file(), bytes);

    auto store = open_store(dir.url());
    Error error;
    if (!store) {
        error = store.error();
    } else {
        auto loaded = load_snapshot(**store);
        ASSERT_FALSE(loaded.has_value()) << "a corrupt file loaded without error";
        error = loaded.error();
    }
    EXPECT_EQ(error.code, ErrorCode::storage);
    EXPECT_EQ(error.where, dir.db_file().string());
    EXPECT_TRUE(contains(error.message, "corrupt") || contains(error.message, "not an SQLite database"))
        << error.message;
}

TEST(StoreOpen, MissingDataDirectoryIsAnIoErrorNamingIt) {
    TempDir dir;
    const auto missing = dir.path() / "no" / "such" / "dir";
    auto store = open_store(missing.string());
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::io);
    EXPECT_EQ(store.error().where, missing.string());
    EXPECT_TRUE(contains(store.error().message, "does not exist")) << store.error().message;
    EXPECT_FALSE(fs::exists(missing));
}

TEST(StoreOpen, DataDirectoryThatIsAFileIsAnIoError) {
    TempDir dir;
    write_bytes(dir.path() / "plain", {'x'});
    auto store = open_store("sqlite:" + (dir.path() / "plain" / "dtwin.db").string());
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::io);
    EXPECT_TRUE(contains(store.error().message, "not a directory")) << store.error().message;
}

/// Opens a store in an unwritable directory. As root, permission bits do not apply, so the
/// attempt runs in a child process that has given up root first.
TEST(StoreOpen, UnwritableDataDirectoryIsAnIoErrorNamingIt) {
    TempDir dir;
    const auto data = dir.path() / "data";
    fs::create_directory(data);
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(data,
                    fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read | fs::perms::others_exec);
    auto attempt = [&data]() -> int {
        auto store = open_store(data.string());
        if (store.has_value()) {
            return 1;
        }
        if (store.error().code != ErrorCode::io || store.error().where != data.string() ||
            !contains(store.error().message, "Permission denied")) {
            return 2;
        }
        return fs::exists(data / k_sqlite_file_name) ? 3 : 0;
    };
    if (::geteuid() != 0) {
        EXPECT_EQ(attempt(), 0);
        return;
    }
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        constexpr uid_t k_nobody = 65534;
        if (::setgid(k_nobody) != 0 || ::setuid(k_nobody) != 0) {
            ::_exit(10);
        }
        ::_exit(attempt());
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: opened, 2: wrong error, 3: file created, 10: setuid failed";
}

TEST(StoreOpen, NewerSchemaIsRefusedWithBothVersions) {
    TempDir dir;
    create_store(dir);
    patch_header_u32(dir.db_file(), 60, 99); // user_version of a future dtwin
    const auto before = read_bytes(dir.db_file());
    for (bool read_only : {false, true}) {
        auto store = open_store(dir.url(), {.read_only = read_only});
        ASSERT_FALSE(store.has_value());
        EXPECT_EQ(store.error().code, ErrorCode::storage);
        EXPECT_EQ(store.error().where, dir.db_file().string());
        EXPECT_TRUE(contains(store.error().message, "newer dtwin")) << store.error().message;
        EXPECT_TRUE(contains(store.error().message, "99")) << store.error().message;
    }
    EXPECT_EQ(read_bytes(dir.db_file()), before);
}

TEST(StoreOpen, ReadOnlyNeedsAnExistingStore) {
    TempDir dir;
    auto store = open_store(dir.path().string(), {.read_only = true});
    ASSERT_FALSE(store.has_value());
    EXPECT_EQ(store.error().code, ErrorCode::io);
    EXPECT_TRUE(contains(store.error().message, "does not exist")) << store.error().message;
    EXPECT_FALSE(fs::exists(dir.db_file()));
}

TEST(StoreOpen, ReadOnlySeesCommitsOfAWriterThatKeepsTheStoreOpen) {
    TempDir dir;
    auto writer = open_or_fail(dir.url());
    ASSERT_NE(writer, nullptr);
    WriteBatch first;
    first.put_twin(make_twin("room-1"));
    first.set_cursor("gateway-a", 1);
    ASSERT_TRUE(writer->commit(first).has_value());

    auto reader = open_or_fail(dir.url(), {.read_only = true});
    ASSERT_NE(reader, nullptr);
    EXPECT_TRUE(reader->get_twin("room-1").has_value());
    EXPECT_EQ(reader->cursor("gateway-a").value(), std::optional<std::uint64_t>(1));

    WriteBatch second;
    second.put_twin(make_twin("room-2"));
    second.set_cursor("gateway-a", 2);
    ASSERT_TRUE(writer->commit(second).has_value());
    EXPECT_EQ(load_snapshot(*reader).value().twins.size(), 2U);
    EXPECT_EQ(reader->cursor("gateway-a").value(), std::optional<std::uint64_t>(2));

    auto refused = reader->commit(second);
    ASSERT_FALSE(refused.has_value());
    EXPECT_TRUE(contains(refused.error().message, "read-only")) << refused.error().message;
    EXPECT_TRUE(reader->settings().value().read_only);
}

TEST(StoreOpen, DurabilityChoosesTheSynchronousLevel) {
    TempDir dir;
    {
        auto process = open_or_fail(dir.url(), {.durability = Durability::process});
        ASSERT_NE(process, nullptr);
        auto settings = process->settings().value();
        EXPECT_EQ(settings.backend, "sqlite");
        EXPECT_EQ(settings.journal_mode, "wal");
        EXPECT_EQ(settings.synchronous, "NORMAL");
        EXPECT_EQ(settings.schema_version, 2);
        EXPECT_EQ(settings.busy_timeout, std::chrono::milliseconds(5000));
    }
    auto power = open_or_fail(dir.url(), {.durability = Durability::power, .busy_timeout = std::chrono::seconds(2)});
    ASSERT_NE(power, nullptr);
    auto settings = power->settings().value();
    EXPECT_EQ(settings.synchronous, "FULL");
    EXPECT_EQ(settings.durability, Durability::power);
    EXPECT_EQ(settings.busy_timeout, std::chrono::milliseconds(2000));
}

} // namespace
} // namespace dtwin::store::testing
