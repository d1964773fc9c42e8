#include "mosquitto_process.hpp"

#include "tcp_port.hpp"

#include <array>
#include <chrono>
#include <csignal>
#include <fstream>
#include <initializer_list>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>
#include <utility>

namespace dtwin::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto k_start_timeout = 5s;
constexpr auto k_stop_timeout = 3s;
constexpr auto k_tool_timeout = 10s;
constexpr auto k_poll_interval = 10ms;
constexpr int k_start_attempts = 5;

/// What the test certificates are made with: our own config, so the system's
/// openssl.cnf adds nothing. One extensions section per certificate.
constexpr const char* k_openssl_config = R"([req]
distinguished_name = subject
[subject]

[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

# libmosquitto checks the server's name against the host of the broker URL: an IP
# address against the IP entries, a host name against the DNS entries.
[server]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid

[client]
basicConstraints = CA:false
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
)";

/// `openssl req` making a new unencrypted P-256 key (in milliseconds, unlike RSA) at `key`
/// and, for `subject`, a signing request at `out`, or with "-x509" in `mode` a
/// self-signed certificate.
std::vector<std::string> new_key_command(const fs::path& config, const std::string& subject, const fs::path& key,
                                         const fs::path& out, std::initializer_list<const char*> mode) {
    std::vector<std::string> command = {MosquittoProcess::k_openssl_binary,
                                        "req",
                                        "-config",
                                        config.string(),
                                        "-newkey",
                                        "ec",
                                        "-pkeyopt",
                                        "ec_paramgen_curve:P-256",
                                        "-nodes",
                                        "-subj",
                                        subject,
                                        "-keyout",
                                        key.string(),
                                        "-out",
                                        out.string()};
    command.insert(command.end(), mode.begin(), mode.end());
    return command;
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

bool MosquittoProcess::tls_available() {
    return ::access(k_openssl_binary, X_OK) == 0;
}

MosquittoProcess::MosquittoProcess(std::uint16_t port) : MosquittoProcess(MosquittoOptions{.port = port}) {}

MosquittoProcess::MosquittoProcess(MosquittoOptions options) : m_options(std::move(options)) {
    m_options.tls = m_options.tls || m_options.require_client_certificate;
    std::string pattern = (fs::temp_directory_path() / "dtwin-mosquitto-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    m_dir = pattern;
    try {
        if (m_options.credentials) {
            write_password_file(*m_options.credentials);
        }
        if (m_options.tls) {
            write_certificates();
        }
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
        throw;
    }
    if (!start(m_options.port)) {
        const std::string log = log_text();
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
        throw std::runtime_error("mosquitto did not start; its log:\n" + log);
    }
}

void MosquittoProcess::restart() {
    stop();
    if (!start(m_port)) {
        throw std::runtime_error("mosquitto did not start again; its log:\n" + log_text());
    }
}

bool MosquittoProcess::start(std::uint16_t port) {
    for (int attempt = 0; attempt < k_start_attempts; ++attempt) {
        // A fixed port may still be held briefly by the broker that had it before.
        if (try_start(port != 0 ? port : free_tcp_port())) {
            return true;
        }
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

MosquittoProcess::~MosquittoProcess() {
    stop();
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

std::string MosquittoProcess::url() const {
    return (m_options.tls ? "mqtts://127.0.0.1:" : "mqtt://127.0.0.1:") + std::to_string(m_port);
}

void MosquittoProcess::write_password_file(const MosquittoCredentials& credentials) {
    m_password_file = m_dir / "passwords";
    // -b takes the password from the command line: fine for a throwaway test user.
    run_tool("mosquitto_passwd",
             {k_passwd_binary, "-c", "-b", m_password_file.string(), credentials.username, credentials.password});
}

void MosquittoProcess::write_certificates() {
    const fs::path config = m_dir / "openssl.cnf";
    {
        std::ofstream out(config, std::ios::trunc);
        out << k_openssl_config;
        if (!out) {
            throw std::runtime_error("cannot write " + config.string());
        }
    }
    m_ca_file = m_dir / "ca.crt";
    // Each broker's CA has a name of its own, so a client given another broker's CA
    // fails on the signature, not on a look-alike.
    run_tool("openssl-ca", new_key_command(config, "/CN=dtwin test CA " + m_dir.filename().string(), m_dir / "ca.key",
                                           m_ca_file, {"-x509", "-days", "1", "-extensions", "ca"}));

    make_certificate("server", "127.0.0.1", 2);
    m_server_cert_file = m_dir / "server.crt";
    m_server_key_file = m_dir / "server.key";
    if (m_options.require_client_certificate) {
        make_certificate("client", "dtwin test client", 3);
        m_client_cert_file = m_dir / "client.crt";
        m_client_key_file = m_dir / "client.key";
    }
}

void MosquittoProcess::make_certificate(const std::string& name, const std::string& common_name, int serial) const {
    const std::string config = (m_dir / "openssl.cnf").string();
    const std::string request = (m_dir / (name + ".csr")).string();
    run_tool("openssl-" + name,
             new_key_command(config, "/CN=" + common_name, m_dir / (name + ".key"), request, {"-new"}));
    // The extensions section of the config is named like the certificate.
    run_tool("openssl-" + name, {k_openssl_binary, "x509", "-req", "-in", request, "-CA", m_ca_file.string(), "-CAkey",
                                 (m_dir / "ca.key").string(), "-set_serial", std::to_string(serial), "-days", "1",
                                 "-extfile", config, "-extensions", name, "-out", (m_dir / (name + ".crt")).string()});
}

void MosquittoProcess::run_tool(const std::string& name, std::vector<std::string> argv) const {
    const std::string program = argv.front();
    ChildProcess tool(ChildProcessOptions{.argv = std::move(argv), .output_directory = m_dir, .output_name = name});
    const std::optional<int> status = tool.wait_for_exit(k_tool_timeout);
    if (status != 0) {
        throw std::runtime_error(program + (status ? " failed with status " + std::to_string(*status) : " hung") +
                                 "\n" + tool.output());
    }
}

bool MosquittoProcess::try_start(std::uint16_t port) {
    const fs::path config = m_dir / "mosquitto.conf";
    {
        std::ofstream out(config, std::ios::trunc);
        out << "listener " << port << " 127.0.0.1\n"
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
        if (m_options.credentials) {
            out << "allow_anonymous false\n"
                << "password_file " << m_password_file.string() << "\n";
        } else {
            out << "allow_anonymous true\n";
        }
        if (m_options.tls) {
            out << "cafile " << m_ca_file.string() << "\n"
                << "certfile " << m_server_cert_file.string() << "\n"
                << "keyfile " << m_server_key_file.string() << "\n";
            if (m_options.require_client_certificate) {
                out << "require_certificate true\n";
            }
        }
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
