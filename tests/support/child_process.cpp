#include "child_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <spawn.h>
#include <stdexcept>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace dtwin::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t k_output_tail = 64 * 1024;
constexpr auto k_first_poll = 1ms;
constexpr auto k_longest_poll = 20ms;

/// An open file descriptor, closed on scope exit.
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return m_fd; }

private:
    int m_fd;
};

/// Opened here rather than in the child, so that a bad path fails with its own message
/// instead of as an unexplained spawn error. CLOEXEC: only the child's dup2 copies stay.
int open_output(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + file.string() + " for a child's output: " + std::strerror(errno));
    }
    return fd;
}

/// This process's environment with `extra` on top ("NAME=value", replacing NAME).
std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
    std::vector<std::string> entries;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        entries.emplace_back(*entry);
    }
    for (const auto& added : extra) {
        const auto equals = added.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw std::invalid_argument("environment entry '" + added + "' is not NAME=value");
        }
        const std::string_view prefix(added.data(), equals + 1);
        std::erase_if(entries, [&](const std::string& entry) { return entry.starts_with(prefix); });
        entries.push_back(added);
    }
    return entries;
}

/// The NULL-terminated array of C strings execve wants; points into `strings`.
std::vector<char*> c_array(std::vector<std::string>& strings) {
    std::vector<char*> array;
    array.reserve(strings.size() + 1);
    for (auto& text : strings) {
        array.push_back(text.data());
    }
    array.push_back(nullptr);
    return array;
}

/// Owns posix_spawn's two attribute objects.
struct SpawnSetup {
    SpawnSetup() {
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions);
        ::posix_spawnattr_destroy(&attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attributes{};
};

int decode_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

/// The last k_output_tail bytes of `file`, or "" when it cannot be read.
std::string read_tail(const fs::path& file) {
    if (file.empty()) {
        return {};
    }
    std::ifstream in(file, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (text.size() > k_output_tail) {
        text = "[... " + std::to_string(text.size() - k_output_tail) + " bytes cut ...]\n" +
               text.substr(text.size() - k_output_tail);
    }
    return text;
}

} // namespace

ChildProcess::ChildProcess(ChildProcessOptions options) {
    if (options.argv.empty() || options.argv.front().empty()) {
        throw std::invalid_argument("ChildProcess needs argv with the program's path first");
    }
    const std::string program = options.argv.front();
    std::vector<std::string> environment = child_environment(options.environment);

    SpawnSetup setup;
    ::posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::optional<Fd> out;
    std::optional<Fd> err;
    if (options.output_directory.empty()) {
        ::posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        ::posix_spawn_file_actions_addopen(&setup.actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    } else {
        const std::string stem =
            options.output_name.empty() ? fs::path(program).filename().string() : options.output_name;
        const fs::path directory = fs::absolute(options.output_directory);
        m_stdout_path = directory / (stem + ".stdout.log");
        m_stderr_path = directory / (stem + ".stderr.log");
        out.emplace(open_output(m_stdout_path));
        err.emplace(open_output(m_stderr_path));
        ::posix_spawn_file_actions_adddup2(&setup.actions, out->get(), STDOUT_FILENO);
        ::posix_spawn_file_actions_adddup2(&setup.actions, err->get(), STDERR_FILENO);
    }
    if (!options.working_directory.empty()) {
        // After the opens above: none of them depends on the working directory.
        ::posix_spawn_file_actions_addchdir_np(&setup.actions, options.working_directory.c_str());
    }
    // A clean slate of signals: a test process that blocks or ignores some (SIGPIPE is a
    // usual one) must not pass that on to the program under test.
    sigset_t none;
    sigset_t all;
    ::sigemptyset(&none);
    ::sigfillset(&all);
    ::sigdelset(&all, SIGKILL);
    ::sigdelset(&all, SIGSTOP);
    ::posix_spawnattr_setsigmask(&setup.attributes, &none);
    ::posix_spawnattr_setsigdefault(&setup.attributes, &all);
    ::posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv = c_array(options.argv);
    std::vector<char*> envp = c_array(environment);
    pid_t pid = -1;
    // glibc's posix_spawn reports a failed exec (missing program, no permission, a bad
    // working directory) as its result, so no child is left behind then.
    const int spawned =
        ::posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attributes, argv.data(), envp.data());
    if (spawned != 0) {
        std::string where = program;
        if (!options.working_directory.empty()) {
            where += " in " + options.working_directory.string();
        }
        throw std::runtime_error("cannot start " + where + ": " + std::strerror(spawned));
    }
    m_pid = pid;
    m_terminate_timeout = options.terminate_timeout;
}

ChildProcess::~ChildProcess() {
    terminate();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1)), m_status(std::exchange(other.m_status, std::nullopt)),
      m_terminate_timeout(other.m_terminate_timeout), m_stdout_path(std::move(other.m_stdout_path)),
      m_stderr_path(std::move(other.m_stderr_path)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        terminate();
        m_pid = std::exchange(other.m_pid, -1);
        m_status = std::exchange(other.m_status, std::nullopt);
        m_terminate_timeout = other.m_terminate_timeout;
        m_stdout_path = std::move(other.m_stdout_path);
        m_stderr_path = std::move(other.m_stderr_path);
    }
    return *this;
}

bool ChildProcess::reap(int flags) {
    if (m_pid <= 0 || m_status) {
        return true;
    }
    while (true) {
        int status = 0;
        const pid_t result = ::waitpid(m_pid, &status, flags);
        if (result == m_pid) {
            m_status = decode_status(status);
            return true;
        }
        if (result == 0) {
            return false; // WNOHANG and still running
        }
        if (errno == EINTR) {
            continue;
        }
        // ECHILD: someone else reaped it (see the header); the status is gone, the PID too.
        m_status = -1;
        return true;
    }
}

bool ChildProcess::running() {
    return !reap(WNOHANG);
}

bool ChildProcess::signal(int signal_number) {
    // Reaping first makes sure a PID the kernel may already reuse is never signalled.
    if (m_pid <= 0 || reap(WNOHANG)) {
        return false;
    }
    return ::kill(m_pid, signal_number) == 0;
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::duration_cast<std::chrono::steady_clock::duration>(k_first_poll);
    while (!reap(WNOHANG)) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::min(pause, deadline - now));
        pause = std::min<std::chrono::steady_clock::duration>(pause * 2, k_longest_poll);
    }
    return m_status;
}

int ChildProcess::kill_hard() {
    if (signal(SIGKILL)) {
        reap(0);
    }
    return m_status.value_or(-1);
}

void ChildProcess::terminate() noexcept {
    if (m_pid <= 0 || m_status) {
        return;
    }
    if (signal(SIGTERM) && wait_for_exit(m_terminate_timeout)) {
        return;
    }
    kill_hard();
}

std::string ChildProcess::stdout_text() const {
    return read_tail(m_stdout_path);
}

std::string ChildProcess::stderr_text() const {
    return read_tail(m_stderr_path);
}

std::string ChildProcess::output() const {
    if (m_stdout_path.empty()) {
        return "(output of PID " + std::to_string(m_pid) + " went to /dev/null)\n";
    }
    return "--- stdout of PID " + std::to_string(m_pid) + " (" + m_stdout_path.string() + ") ---\n" + stdout_text() +
           "\n--- stderr (" + m_stderr_path.string() + ") ---\n" + stderr_text() + "\n";
}

} // namespace dtwin::testing
