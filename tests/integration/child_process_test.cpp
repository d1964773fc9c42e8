// ChildProcess, the support class every test that runs a real program relies on: the
// status it reports, the output it captures, and that it never leaves a process behind.
#include "child_process.hpp"
#include "tcp_port.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace dtwin::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto k_exit_timeout = 10s; // generous: only a broken ChildProcess waits this long
const std::string k_shell = "/bin/sh";
const std::string k_sleep = "/bin/sleep";

/// A directory of its own for one test's output files, removed afterwards.
class OutputDir {
public:
    OutputDir() {
        std::string pattern = (fs::temp_directory_path() / "dtwin-child-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed for " + pattern);
        }
        m_path = pattern;
    }
    ~OutputDir() {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

ChildProcess shell(const std::string& script, const fs::path& output_directory = {}) {
    return ChildProcess(ChildProcessOptions{.argv = {k_shell, "-c", script}, .output_directory = output_directory});
}

/// True when `pid` is no child of this process any more, i.e. it was reaped: a zombie
/// left behind would still be found by waitpid.
bool reaped(pid_t pid) {
    int status = 0;
    return ::waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD;
}

/// Waits until `child` wrote `text` to stdout (a handshake with a script), or 10 s.
bool wait_for_stdout(const ChildProcess& child, const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + k_exit_timeout;
    while (child.stdout_text().find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

TEST(ChildProcess, ReportsTheExitCode) {
    for (const int code : {0, 3, 77}) {
        ChildProcess child = shell("exit " + std::to_string(code));
        EXPECT_EQ(child.wait_for_exit(k_exit_timeout), code);
        EXPECT_FALSE(child.running());
        EXPECT_EQ(child.exit_status(), code);
        EXPECT_EQ(child.wait_for_exit(0ms), code) << "a reaped child keeps its status";
        EXPECT_TRUE(reaped(child.pid()));
    }
}

TEST(ChildProcess, ReportsASignalAs128PlusItsNumber) {
    ChildProcess child(ChildProcessOptions{.argv = {k_sleep, "30"}});
    EXPECT_TRUE(child.running());
    EXPECT_EQ(child.wait_for_exit(50ms), std::nullopt) << "sleep 30 ended early";
    ASSERT_TRUE(child.signal(SIGUSR1));
    EXPECT_EQ(child.wait_for_exit(k_exit_timeout), 128 + SIGUSR1);
    EXPECT_FALSE(child.signal(SIGTERM)) << "a reaped child must not be signalled";

    ChildProcess killed(ChildProcessOptions{.argv = {k_sleep, "30"}});
    EXPECT_EQ(killed.kill_hard(), 128 + SIGKILL);
    EXPECT_TRUE(reaped(killed.pid()));
    EXPECT_EQ(killed.kill_hard(), 128 + SIGKILL) << "a second kill_hard only repeats the status";
}

TEST(ChildProcess, StartsWithDefaultSignalHandlingWhateverThisProcessIgnores) {
    struct sigaction ignore {};
    struct sigaction previous {};
    ignore.sa_handler = SIG_IGN;
    ::sigemptyset(&ignore.sa_mask);
    ASSERT_EQ(::sigaction(SIGUSR2, &ignore, &previous), 0);
    ChildProcess child(ChildProcessOptions{.argv = {k_sleep, "30"}});
    ::sigaction(SIGUSR2, &previous, nullptr);

    ASSERT_TRUE(child.signal(SIGUSR2));
    EXPECT_EQ(child.wait_for_exit(k_exit_timeout), 128 + SIGUSR2) << "the child inherited SIG_IGN";
}

TEST(ChildProcess, CapturesStdoutAndStderrApart) {
    const OutputDir dir;
    ChildProcess child = shell("echo to-stdout; echo to-stderr >&2; exit 2", dir.path());
    ASSERT_EQ(child.wait_for_exit(k_exit_timeout), 2);
    EXPECT_EQ(child.stdout_text(), "to-stdout\n");
    EXPECT_EQ(child.stderr_text(), "to-stderr\n");
    EXPECT_EQ(child.stdout_path(), dir.path() / "sh.stdout.log");
    EXPECT_EQ(child.stderr_path(), dir.path() / "sh.stderr.log");
    const std::string output = child.output();
    EXPECT_NE(output.find("to-stdout"), std::string::npos) << output;
    EXPECT_NE(output.find("to-stderr"), std::string::npos) << output;

    // A restart under the same name appends: the earlier run's output stays readable.
    ChildProcess again = shell("echo second-run", dir.path());
    ASSERT_EQ(again.wait_for_exit(k_exit_timeout), 0);
    EXPECT_EQ(again.stdout_text(), "to-stdout\nsecond-run\n");
}

TEST(ChildProcess, WithoutAnOutputDirectoryDiscardsOutput) {
    ChildProcess child = shell("echo nobody-reads-this");
    ASSERT_EQ(child.wait_for_exit(k_exit_timeout), 0);
    EXPECT_TRUE(child.stdout_path().empty());
    EXPECT_EQ(child.stdout_text(), "");
    EXPECT_NE(child.output().find("/dev/null"), std::string::npos);
}

TEST(ChildProcess, PassesExtraEnvironmentAndWorkingDirectory) {
    const OutputDir dir;
    const OutputDir work;
    ::setenv("DTWIN_CHILD_TEST_REPLACED", "parent", 1);
    ChildProcess child(ChildProcessOptions{
        .argv = {k_shell, "-c", R"(echo "$DTWIN_CHILD_TEST_ADDED $DTWIN_CHILD_TEST_REPLACED"; pwd -P)"},
        .environment = {"DTWIN_CHILD_TEST_ADDED=added", "DTWIN_CHILD_TEST_REPLACED=child"},
        .working_directory = work.path(),
        .output_directory = dir.path(),
        .output_name = "env"});
    ::unsetenv("DTWIN_CHILD_TEST_REPLACED");
    ASSERT_EQ(child.wait_for_exit(k_exit_timeout), 0) << child.output();
    EXPECT_EQ(child.stdout_text(), "added child\n" + fs::canonical(work.path()).string() + "\n");
    EXPECT_EQ(child.stdout_path(), dir.path() / "env.stdout.log");
}

TEST(ChildProcess, RefusesWhatItCannotStart) {
    EXPECT_THROW(ChildProcess(ChildProcessOptions{}), std::invalid_argument);
    EXPECT_THROW(ChildProcess(ChildProcessOptions{.argv = {k_sleep, "1"}, .environment = {"NO_EQUALS_SIGN"}}),
                 std::invalid_argument);
    try {
        ChildProcess missing(ChildProcessOptions{.argv = {"/nonexistent/dtwin-program"}});
        ADD_FAILURE() << "a missing program started as PID " << missing.pid();
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("/nonexistent/dtwin-program"), std::string::npos) << error.what();
    }
    EXPECT_THROW(ChildProcess(ChildProcessOptions{.argv = {k_sleep, "1"}, .output_directory = "/nonexistent/dir"}),
                 std::runtime_error);
}

TEST(ChildProcess, DestructorTerminatesAndReaps) {
    pid_t pid = -1;
    const auto start = std::chrono::steady_clock::now();
    {
        ChildProcess child(ChildProcessOptions{.argv = {k_sleep, "30"}});
        pid = child.pid();
        ASSERT_TRUE(child.running());
    }
    EXPECT_TRUE(reaped(pid)) << "PID " << pid << " is still a child (running or a zombie)";
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "SIGTERM alone should have ended sleep";
}

TEST(ChildProcess, DestructorKillsAChildThatIgnoresSigterm) {
    const OutputDir dir;
    pid_t pid = -1;
    const auto start = std::chrono::steady_clock::now();
    {
        ChildProcess child(ChildProcessOptions{.argv = {k_shell, "-c", "trap '' TERM; echo ready; exec sleep 30"},
                                               .output_directory = dir.path(),
                                               .terminate_timeout = 200ms});
        pid = child.pid();
        ASSERT_TRUE(wait_for_stdout(child, "ready")) << child.output();
    }
    EXPECT_TRUE(reaped(pid)) << "PID " << pid << " is still a child (running or a zombie)";
    EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms) << "SIGKILL came before the terminate timeout";
}

TEST(ChildProcess, MovingHandsOverTheProcess) {
    ChildProcess first(ChildProcessOptions{.argv = {k_sleep, "30"}});
    const pid_t pid = first.pid();
    std::vector<ChildProcess> children;
    children.push_back(std::move(first));
    EXPECT_EQ(first.pid(), -1); // NOLINT(bugprone-use-after-move): the moved-from state is specified
    EXPECT_FALSE(first.signal(SIGKILL));
    ASSERT_EQ(children.front().pid(), pid);
    EXPECT_TRUE(children.front().running());
    children.clear();
    EXPECT_TRUE(reaped(pid));
}

TEST(TcpPort, FreePortIsFreeUntilSomeoneListens) {
    const std::uint16_t port = free_tcp_port();
    EXPECT_NE(port, 0);
    EXPECT_FALSE(accepts_tcp_connections(port));

    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool listening =
        ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 && ::listen(listener, 1) == 0;
    EXPECT_TRUE(listening) << "the free port could not be bound";
    EXPECT_EQ(accepts_tcp_connections(port), listening);
    ::close(listener);
}

} // namespace
} // namespace dtwin::testing
