// A program started by a test or a benchmark (dtwin serve, dtwin gateway, a broker, an
// SMTP server), with its output in files for failure messages, and stopped and reaped
// when the object goes, whatever path the test takes out.
//
// Only the one PID the object started is ever signalled or waited for: never a process
// group, never a process found by name, and never a PID after it was reaped (the kernel
// may have handed it to another process by then).
//
// Threads: create, use and destroy a ChildProcess on one thread. Nothing else in the
// process may reap its child (waitpid(-1, ...), SIGCHLD set to SIG_IGN): its exit status
// would be lost, and is then reported as -1.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace dtwin::testing {

/// What to start and where its output goes, set field by field:
/// `ChildProcessOptions{.argv = {"/usr/sbin/mosquitto", "-c", conf}, .output_directory = dir}`.
struct ChildProcessOptions {
    /// argv[0] is the program's path, used as is (execv: no PATH search); at least one entry.
    std::vector<std::string> argv{};
    /// Extra "NAME=value" entries on top of this process's environment; an entry replaces
    /// an inherited variable of the same name.
    std::vector<std::string> environment{};
    /// The child's working directory; empty: this process's.
    std::filesystem::path working_directory{};
    /// Where stdout and stderr go: the files <output_name>.stdout.log and
    /// <output_name>.stderr.log in this existing directory, appended to (a restarted
    /// program keeps its earlier output). Empty: /dev/null. stdin is always /dev/null.
    std::filesystem::path output_directory{};
    /// The stem of the output files; empty: the file name of argv[0].
    std::string output_name{};
    /// How long the destructor waits for the child to exit after SIGTERM before SIGKILL.
    std::chrono::milliseconds terminate_timeout{std::chrono::seconds(5)};
};

class ChildProcess {
public:
    /// Starts the program and returns at once (it does not wait for the program to be
    /// ready: poll for its port or its output). Throws std::invalid_argument for empty
    /// argv or an environment entry without '=', std::runtime_error when the output
    /// files cannot be opened or the program cannot be executed (missing, not
    /// executable), with the path and the system's reason.
    explicit ChildProcess(ChildProcessOptions options);
    /// If still running: SIGTERM, up to options.terminate_timeout for it to exit, then SIGKILL.
    /// Always reaps the child. Never throws.
    ~ChildProcess();

    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    /// The moved-from object owns no process any more (its destructor does nothing).
    ChildProcess(ChildProcess&& other) noexcept;
    /// Stops this object's own child first, as the destructor does.
    ChildProcess& operator=(ChildProcess&& other) noexcept;

    /// The child's PID; stays readable after the child was reaped (for messages only).
    [[nodiscard]] pid_t pid() const { return m_pid; }

    /// Whether the child has not exited yet. Non-blocking; reaps the child if it has.
    [[nodiscard]] bool running();

    /// Sends `signal_number` to the child. Returns false (and sends nothing) when the
    /// child was already reaped, or when kill(2) fails.
    bool signal(int signal_number);

    /// Waits up to `timeout` for the child to exit and reaps it. Returns its status: the
    /// exit code, or 128 + the signal number when a signal ended it (as a shell reports
    /// it); nullopt when it still runs after `timeout`. Once reaped, returns the same
    /// status at once on every call.
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

    /// SIGKILL, then waits for and reaps the child; returns its status as wait_for_exit
    /// does (the earlier status when it had already exited).
    int kill_hard();

    /// The status once the child was reaped (see wait_for_exit); nullopt before.
    [[nodiscard]] std::optional<int> exit_status() const { return m_status; }

    /// What the child wrote so far to stdout / stderr (empty without an output directory).
    [[nodiscard]] std::string stdout_text() const;
    [[nodiscard]] std::string stderr_text() const;
    /// Both, labelled and each cut to its last 64 KiB: ready to append to an assertion's
    /// message, e.g. `ASSERT_TRUE(ready) << server.output();`.
    [[nodiscard]] std::string output() const;

    /// The files stdout and stderr go to (empty paths without an output directory).
    [[nodiscard]] const std::filesystem::path& stdout_path() const { return m_stdout_path; }
    [[nodiscard]] const std::filesystem::path& stderr_path() const { return m_stderr_path; }

private:
    /// waitpid with `flags`; records the status when it reaped the child.
    bool reap(int flags);
    /// The destructor's work: SIGTERM, wait, SIGKILL, reap.
    void terminate() noexcept;

    pid_t m_pid = -1;
    std::optional<int> m_status{};
    std::chrono::milliseconds m_terminate_timeout{};
    std::filesystem::path m_stdout_path{};
    std::filesystem::path m_stderr_path{};
};

} // namespace dtwin::testing
