#include "mosquitto_process.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace dtwin::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto k_start_timeout = 5s;
constexpr auto k_stop_timeout = 3s;
constexpr auto k_poll_interval = 10ms;
constexpr int k_start_attempts = 5;

/// A closed file descriptor on scope exit.
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

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

/// A port the kernel considers free right now (bind to port 0, read it back). Another
/// process may take it before the broker binds; the caller retries then.
std::uint16_t free_loopback_port() {
    const Fd socket_fd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (socket_fd.get() < 0 || ::bind(socket_fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(socket_fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("cannot find a free loopback port");
    }
    return ntohs(address.sin_port);
}

bool accepts_connections(std::uint16_t port) {
    const Fd socket_fd(::socket(AF_INET, SOCK_STREAM, 0));
    const sockaddr_in address = loopback(port);
    return socket_fd.get() >= 0 &&
           ::connect(socket_fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

/// The broker drops root privileges to the "mosquitto" user unless told to stay the
/// current user; it must keep being able to use our temporary directory.
std::string current_user() {
    const passwd* entry = ::getpwuid(::geteuid());
    return entry != nullptr ? entry->pw_name : "root";
}

} // namespace

bool MosquittoProcess::available() {
    return ::access(k_binary, X_OK) == 0;
}

MosquittoProcess::MosquittoProcess(std::uint16_t port) {
    std::string pattern = (fs::temp_directory_path() / "dtwin-mosquitto-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    m_dir = pattern;
    for (int attempt = 0; attempt < k_start_attempts; ++attempt) {
        // A fixed port may still be held briefly by the broker that had it before.
        if (try_start(port != 0 ? port : free_loopback_port())) {
            return;
        }
        std::this_thread::sleep_for(100ms);
    }
    const std::string log = log_text();
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
    throw std::runtime_error("mosquitto did not start; its log:\n" + log);
}

MosquittoProcess::~MosquittoProcess() {
    stop();
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

std::string MosquittoProcess::url() const {
    return "mqtt://127.0.0.1:" + std::to_string(m_port);
}

bool MosquittoProcess::try_start(std::uint16_t port) {
    const fs::path config = m_dir / "mosquitto.conf";
    {
        std::ofstream out(config, std::ios::trunc);
        out << "listener " << port << " 127.0.0.1\n"
            << "allow_anonymous true\n"
            << "set_tcp_nodelay true\n"
            << "persistence false\n"
            << "persistence_location " << m_dir.string() << "/\n"
            << "user " << current_user() << "\n"
            << "log_dest file " << (m_dir / "mosquitto.log").string() << "\n"
            << "log_type error\nlog_type warning\nlog_type notice\n";
        if (!out) {
            throw std::runtime_error("cannot write " + config.string());
        }
    }

    const std::string config_text = config.string();
    std::string binary = k_binary;
    std::string flag = "-c";
    std::string config_arg = config_text;
    char* argv[] = {binary.data(), flag.data(), config_arg.data(), nullptr};
    // What the broker prints before its log file is open (such as its warning about
    // running as root) goes to a file beside the log, not into the test's output.
    const std::string console = (m_dir / "console.log").string();
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, console.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = -1;
    const int spawned = ::posix_spawn(&pid, k_binary, &actions, nullptr, argv, environ);
    ::posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        throw std::runtime_error(std::string("cannot start ") + k_binary);
    }
    m_pid = pid;
    m_port = port;

    const auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1; // exited (port taken?); the caller may retry
            return false;
        }
        if (accepts_connections(port)) {
            return true;
        }
        std::this_thread::sleep_for(k_poll_interval);
    }
    stop();
    return false;
}

void MosquittoProcess::stop() {
    if (m_pid <= 0) {
        return;
    }
    ::kill(m_pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + k_stop_timeout;
    int status = 0;
    while (::waitpid(m_pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(k_poll_interval);
    }
    m_pid = -1;
}

std::string MosquittoProcess::log_text() const {
    std::ostringstream text;
    for (const char* name : {"console.log", "mosquitto.log"}) {
        std::ifstream in(m_dir / name);
        if (in) {
            text << in.rdbuf();
        }
    }
    return text.str();
}

} // namespace dtwin::testing
