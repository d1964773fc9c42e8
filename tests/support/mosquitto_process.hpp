// A real mosquitto broker for integration tests: started with a generated config on a
// loopback port chosen at run time, stopped (exactly the process it started) when the
// object goes. Tests only; create, use and destroy it from one thread.
#pragma once

#include "child_process.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace dtwin::testing {

class MosquittoProcess {
public:
    /// Debian's broker, installed by scripts/setup.
    static constexpr const char* k_binary = "/usr/sbin/mosquitto";

    /// Whether k_binary exists and is executable; tests GTEST_SKIP() when it does not.
    static bool available();

    /// Starts a broker listening on 127.0.0.1:`port`, or on a free port when `port` is 0,
    /// and returns once it accepts connections. Throws std::runtime_error (with the
    /// broker's log) when it cannot be started within a few seconds.
    explicit MosquittoProcess(std::uint16_t port = 0);
    /// stop().
    ~MosquittoProcess();

    MosquittoProcess(const MosquittoProcess&) = delete;
    MosquittoProcess& operator=(const MosquittoProcess&) = delete;

    /// SIGTERM to the broker, SIGKILL if it has not exited after a timeout; reaps it.
    /// Idempotent.
    void stop();

    [[nodiscard]] std::uint16_t port() const { return m_port; }
    /// "mqtt://127.0.0.1:<port>".
    [[nodiscard]] std::string url() const;

private:
    bool try_start(std::uint16_t port);
    [[nodiscard]] std::string log_text() const;

    std::filesystem::path m_dir;
    std::uint16_t m_port = 0;
    std::optional<ChildProcess> m_broker;
};

} // namespace dtwin::testing
