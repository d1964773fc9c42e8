// A real mosquitto broker for integration tests: started with a generated config on a
// loopback port chosen at run time, stopped (exactly the process it started) when the
// object goes. Optionally it refuses anonymous clients (a password file made with
// mosquitto_passwd) and speaks TLS only (a throwaway CA, server and client certificate
// made with the openssl command line). Everything it generates, keys included, lives in
// its temporary directory and goes with it. Tests only; create, use and destroy it from
// one thread.
#pragma once

#include "child_process.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dtwin::testing {

/// The one user a broker with credentials lets in.
struct MosquittoCredentials {
    std::string username;
    std::string password;
};

/// How the broker is set up, field by field:
/// `MosquittoOptions{.credentials = MosquittoCredentials{"gateway", "s3cret"}, .tls = true}`.
struct MosquittoOptions {
    /// 127.0.0.1:`port`; 0: a free port.
    std::uint16_t port = 0;
    /// Set: `allow_anonymous false` and a password file holding only this user.
    /// Unset: anyone may connect without credentials.
    std::optional<MosquittoCredentials> credentials{};
    /// The listener speaks TLS only (url() is mqtts://), with a server certificate for
    /// 127.0.0.1 and localhost signed by a CA generated for this broker (ca_file()).
    bool tls = false;
    /// Implies tls: the broker refuses clients without a certificate signed by its CA
    /// (`require_certificate true`); one is generated (client_cert_file(), client_key_file()).
    bool require_client_certificate = false;
};

class MosquittoProcess {
public:
    /// Debian's broker, installed by scripts/setup.
    static constexpr const char* k_binary = "/usr/sbin/mosquitto";
    /// Makes the password file; from the same Debian package as the broker.
    static constexpr const char* k_passwd_binary = "/usr/bin/mosquitto_passwd";
    /// Makes the certificates for the TLS options.
    static constexpr const char* k_openssl_binary = "/usr/bin/openssl";

    /// Whether k_binary exists and is executable; tests GTEST_SKIP() when it does not.
    static bool available();
    /// Whether k_openssl_binary exists and is executable; TLS tests GTEST_SKIP() when it
    /// does not.
    static bool tls_available();

    /// Starts a broker listening on 127.0.0.1:`port`, or on a free port when `port` is 0,
    /// and returns once it accepts connections. Throws std::runtime_error (with the
    /// broker's log) when it cannot be started within a few seconds.
    explicit MosquittoProcess(std::uint16_t port = 0);
    /// The same with credentials and TLS as `options` say. Also throws std::runtime_error
    /// (with the tool's output) when mosquitto_passwd or openssl fail.
    explicit MosquittoProcess(MosquittoOptions options);
    /// stop(), then removes the temporary directory (config, log, password file, keys).
    ~MosquittoProcess();

    MosquittoProcess(const MosquittoProcess&) = delete;
    MosquittoProcess& operator=(const MosquittoProcess&) = delete;

    /// SIGTERM to the broker, SIGKILL if it has not exited after a timeout; reaps it.
    /// Idempotent.
    void stop();
    /// stop(), then the same broker again: same port, config, password file and
    /// certificates. Throws std::runtime_error (with the log) when it does not start.
    void restart();

    [[nodiscard]] std::uint16_t port() const { return m_port; }
    /// "mqtt://127.0.0.1:<port>", or "mqtts://127.0.0.1:<port>" with TLS.
    [[nodiscard]] std::string url() const;

    /// The PEM certificate of the CA that signed the server (and client) certificate:
    /// what a client passes as its CA file. Empty without TLS.
    [[nodiscard]] const std::filesystem::path& ca_file() const { return m_ca_file; }
    /// A PEM client certificate and its unencrypted key, signed by ca_file()'s CA. Empty
    /// unless require_client_certificate.
    [[nodiscard]] const std::filesystem::path& client_cert_file() const { return m_client_cert_file; }
    [[nodiscard]] const std::filesystem::path& client_key_file() const { return m_client_key_file; }

private:
    void write_password_file(const MosquittoCredentials& credentials);
    void write_certificates();
    /// <name>.crt and <name>.key in m_dir, signed by the CA of write_certificates().
    void make_certificate(const std::string& name, const std::string& common_name, int serial) const;
    /// Runs a tool to completion with its output in m_dir; throws unless it exits with 0.
    void run_tool(const std::string& name, std::vector<std::string> argv) const;
    /// A few tries of try_start() on `port`, or on a new free port each time when 0.
    bool start(std::uint16_t port);
    bool try_start(std::uint16_t port);
    [[nodiscard]] std::string log_text() const;

    MosquittoOptions m_options;
    std::filesystem::path m_dir;
    std::filesystem::path m_password_file;
    std::filesystem::path m_ca_file;
    std::filesystem::path m_server_cert_file;
    std::filesystem::path m_server_key_file;
    std::filesystem::path m_client_cert_file;
    std::filesystem::path m_client_key_file;
    std::uint16_t m_port = 0;
    std::optional<ChildProcess> m_broker;
};

} // namespace dtwin::testing
