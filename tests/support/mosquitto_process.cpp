#include "mosquitto_process.hpp"

#include "tcp_port.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace dtwin::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto k_start_timeout = 5s;
constexpr auto k_stop_timeout = 3s;
constexpr auto k_poll_interval = 10ms;
constexpr int k_start_attempts = 5;

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
        if (try_start(port != 0 ? port : free_tcp_port())) {
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
            // Tests and benchmarks may take a persistent subscriber offline while QoS 1
            // messages keep coming, then count them after it reconnects. Mosquitto 2.0
            // queues at most 1000 of them per client by default and silently drops the
            // rest; 0 lifts that limit (max_queued_bytes already defaults to 0, no limit).
            // max_inflight_messages stays at its default (20 unacknowledged messages per
            // client): it only paces delivery, queued messages wait instead of dropping.
            << "max_queued_messages 0\n"
            << "persistence false\n"
            << "persistence_location " << m_dir.string() << "/\n"
            << "user " << current_user() << "\n"
            << "log_dest file " << (m_dir / "mosquitto.log").string() << "\n"
            << "log_type error\nlog_type warning\nlog_type notice\n";
        if (!out) {
            throw std::runtime_error("cannot write " + config.string());
        }
    }

    // What the broker prints before its log file is open (such as its warning about
    // running as root) goes to files beside the log, not into the test's output.
    m_broker.emplace(ChildProcessOptions{
        .argv = {k_binary, "-c", config.string()}, .output_directory = m_dir, .output_name = "console"});
    m_port = port;

    const auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!m_broker->running()) {
            m_broker.reset(); // exited (port taken?); the caller may retry
            return false;
        }
        if (accepts_tcp_connections(port)) {
            return true;
        }
        std::this_thread::sleep_for(k_poll_interval);
    }
    stop();
    return false;
}

void MosquittoProcess::stop() {
    if (!m_broker) {
        return;
    }
    m_broker->signal(SIGTERM);
    if (!m_broker->wait_for_exit(k_stop_timeout)) {
        m_broker->kill_hard();
    }
    m_broker.reset();
}

std::string MosquittoProcess::log_text() const {
    std::ostringstream text;
    for (const char* name : {"console.stdout.log", "console.stderr.log", "mosquitto.log"}) {
        std::ifstream in(m_dir / name);
        if (in) {
            text << in.rdbuf();
        }
    }
    return text.str();
}

} // namespace dtwin::testing
