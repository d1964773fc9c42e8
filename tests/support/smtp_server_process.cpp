#include "smtp_server_process.hpp"

#include "tcp_port.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace dtwin::testing {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr auto k_start_timeout = 10s;
constexpr auto k_stop_timeout = 3s;
constexpr auto k_tool_timeout = 10s;
constexpr auto k_poll_interval = 10ms;
constexpr int k_start_attempts = 5;

constexpr const char* k_handler_module = "dtwin_smtp_recorder";

/// The aiosmtpd handler (loaded with -c dtwin_smtp_recorder.RecordingHandler). Each
/// accepted message becomes <mail dir>/NNNNNN.json, written to a temporary name first so
/// that a reader never sees half a file. AUTH mechanisms defined on a handler replace
/// aiosmtpd's own, which only know its (unset) authenticator. Times are time.time_ns():
/// CLOCK_REALTIME, the clock of std::chrono::system_clock in a process on the same machine.
constexpr const char* k_handler_source =
    R"PY("""Written by dtwin's SmtpServerProcess: records every accepted message."""
import base64
import binascii
import email
import email.policy
import json
import os
import time

from aiosmtpd.smtp import MISSING, AuthResult, LoginPassword


class RecordingHandler:
    def __init__(self, directory, username=None, password=None):
        self.directory = directory
        self.credentials = None
        if username is not None:
            self.credentials = (username.encode(), (password or "").encode())
        # Numbering goes on after a restart.
        self.count = len([name for name in os.listdir(directory) if name.endswith(".json")])

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(*args)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        envelope.mail_ns = time.time_ns()
        return "250 OK"

    def _check(self, login, password):
        if (login, password) == self.credentials:
            return AuthResult(success=True, auth_data=LoginPassword(login, password))
        return AuthResult(success=False, handled=False)

    async def _answer(self, server, args, challenge):
        # MISSING means a reply has been sent already (by challenge_auth or here).
        if len(args) > 1:
            try:
                return base64.b64decode(args[1], validate=True)
            except binascii.Error:
                await server.push("501 5.5.2 Can't decode base64")
                return MISSING
        return await server.challenge_auth(challenge)

    async def auth_PLAIN(self, server, args):
        blob = await self._answer(server, args, "")
        if blob is MISSING:
            return AuthResult(success=False, handled=True)
        fields = blob.split(b"\0")
        if len(fields) != 3:
            return AuthResult(success=False, handled=False)
        return self._check(fields[1], fields[2])

    async def auth_LOGIN(self, server, args):
        login = await self._answer(server, args, server.AuthLoginUsernameChallenge)
        if login is MISSING:
            return AuthResult(success=False, handled=True)
        password = await server.challenge_auth(server.AuthLoginPasswordChallenge)
        if password is MISSING:
            return AuthResult(success=False, handled=True)
        return self._check(login, password)

    async def handle_DATA(self, server, session, envelope):
        data_end_ns = time.time_ns()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        defects = []
        parts = []
        for part in message.walk():
            defects += [type(defect).__name__ for defect in part.defects]
            if part.is_multipart():
                continue
            try:
                text = part.get_content()
            except Exception as error:
                defects.append("undecodable %s part: %s" % (part.get_content_type(), error))
                text = ""
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            parts.append({"contentType": part.get_content_type(),
                          "charset": part.get_content_charset() or "", "text": text})
        auth = session.auth_data
        login = getattr(auth, "login", None) or b""
        record = {
            "mailFrom": envelope.mail_from,
            "recipients": list(envelope.rcpt_tos),
            "user": login.decode("utf-8", "replace") if isinstance(login, bytes) else str(login),
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "content": envelope.content.decode("utf-8", "replace"),
            "headers": [[name, str(value)] for name, value in message.items()],
            "parts": parts,
            "defects": defects,
            "peerPort": session.peer[1] if isinstance(session.peer, tuple) else 0,
            "mailNs": getattr(envelope, "mail_ns", 0),
            "dataEndNs": data_end_ns,
        }
        self.count += 1
        path = os.path.join(self.directory, "%06d.json" % self.count)
        record["acceptedNs"] = time.time_ns()
        with open(path + ".tmp", "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(path + ".tmp", path)
        return "250 2.0.0 Message accepted"
)PY";

/// The server's certificate: self-signed for 127.0.0.1 and localhost, so that a client
/// passes it as its CA file. Our own config: the system's openssl.cnf adds nothing.
constexpr const char* k_openssl_config = R"([req]
distinguished_name = subject
x509_extensions = server

[subject]

[server]
basicConstraints = critical, CA:true
keyUsage = critical, digitalSignature, keyCertSign
subjectAltName = IP:127.0.0.1, DNS:localhost
)";

void write_file(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::trunc | std::ios::binary);
    out << text;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Runs a program to completion with its output in `dir`; its exit status, or nullopt
/// when it hung.
std::optional<int> run_to_completion(std::vector<std::string> argv, const fs::path& dir, const std::string& name) {
    ChildProcess tool(ChildProcessOptions{.argv = std::move(argv), .output_directory = dir, .output_name = name});
    return tool.wait_for_exit(k_tool_timeout);
}

std::string string_of(const json::value& value) {
    return value.is_string() ? std::string(value.get_string()) : std::string();
}

ReceivedMail parse_record(const fs::path& file) {
    const json::value record = json::parse(read_file(file));
    const json::object& object = record.as_object();
    ReceivedMail mail;
    mail.mail_from = string_of(object.at("mailFrom"));
    for (const json::value& recipient : object.at("recipients").as_array()) {
        mail.recipients.push_back(string_of(recipient));
    }
    mail.authenticated_user = string_of(object.at("user"));
    mail.tls = object.at("tls").as_bool();
    mail.content = string_of(object.at("content"));
    for (const json::value& field : object.at("headers").as_array()) {
        mail.headers.emplace_back(string_of(field.as_array().at(0)), string_of(field.as_array().at(1)));
    }
    for (const json::value& part : object.at("parts").as_array()) {
        mail.parts.push_back(ReceivedMailPart{string_of(part.at("contentType")), string_of(part.at("charset")),
                                              string_of(part.at("text"))});
    }
    for (const json::value& defect : object.at("defects").as_array()) {
        mail.defects.push_back(string_of(defect));
    }
    mail.peer_port = object.at("peerPort").to_number<std::uint16_t>();
    mail.mail_ns = object.at("mailNs").to_number<std::int64_t>();
    mail.data_end_ns = object.at("dataEndNs").to_number<std::int64_t>();
    mail.accepted_ns = object.at("acceptedNs").to_number<std::int64_t>();
    return mail;
}

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::optional<std::string> ReceivedMail::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (same_name(field, name)) {
            return value;
        }
    }
    return std::nullopt;
}

const ReceivedMailPart* ReceivedMail::part(std::string_view content_type) const {
    for (const ReceivedMailPart& candidate : parts) {
        if (candidate.content_type == content_type) {
            return &candidate;
        }
    }
    return nullptr;
}

std::string SmtpServerProcess::unavailable_reason() {
    if (::access(k_python, X_OK) != 0) {
        return std::string(k_python) + " is missing (install python3-aiosmtpd: scripts/setup)";
    }
    std::string pattern = (fs::temp_directory_path() / "dtwin-smtp-probe-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return "mkdtemp failed for " + pattern;
    }
    const std::optional<int> status = run_to_completion({k_python, "-c", "import aiosmtpd"}, pattern, "probe");
    std::error_code ignored;
    fs::remove_all(pattern, ignored);
    if (status != 0) {
        return std::string(k_python) + " cannot import aiosmtpd (install python3-aiosmtpd: scripts/setup)";
    }
    return {};
}

std::string SmtpServerProcess::tls_unavailable_reason() {
    if (::access(k_openssl_binary, X_OK) != 0) {
        return std::string(k_openssl_binary) + " is missing: cannot make a TLS certificate";
    }
    return {};
}

SmtpServerProcess::SmtpServerProcess(SmtpServerOptions options) : m_options(std::move(options)) {
    if (m_options.credentials) {
        m_options.starttls = true;
    }
    if (m_options.starttls && m_options.implicit_tls) {
        throw std::invalid_argument("SmtpServerProcess: starttls (or credentials) and implicit_tls exclude each other");
    }
    std::string pattern = (fs::temp_directory_path() / "dtwin-smtp-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    m_dir = pattern;
    m_mail_dir = m_dir / "mail";
    try {
        fs::create_directory(m_mail_dir);
        write_handler();
        if (m_options.starttls || m_options.implicit_tls) {
            write_certificate();
        }
        if (!start(m_options.port)) {
            throw std::runtime_error("aiosmtpd did not start; its output:\n" + output());
        }
    } catch (...) {
        stop();
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
        throw;
    }
}

SmtpServerProcess::~SmtpServerProcess() {
    stop();
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

std::string SmtpServerProcess::url() const {
    return (m_options.implicit_tls ? "smtps://127.0.0.1:" : "smtp://127.0.0.1:") + std::to_string(m_port);
}

void SmtpServerProcess::write_handler() const {
    write_file(m_dir / (std::string(k_handler_module) + ".py"), k_handler_source);
}

void SmtpServerProcess::write_certificate() {
    const fs::path config = m_dir / "openssl.cnf";
    write_file(config, k_openssl_config);
    m_ca_file = m_dir / "server.crt";
    m_key_file = m_dir / "server.key";
    const std::optional<int> status =
        run_to_completion({k_openssl_binary, "req", "-config", config.string(), "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout",
                           m_key_file.string(), "-out", m_ca_file.string()},
                          m_dir, "openssl");
    if (status != 0) {
        throw std::runtime_error("openssl could not make the server certificate:\n" +
                                 read_file(m_dir / "openssl.stderr.log"));
    }
}

bool SmtpServerProcess::start(std::uint16_t port) {
    for (int attempt = 0; attempt < k_start_attempts; ++attempt) {
        // A fixed port may still be held briefly by the server that had it before.
        if (try_start(port != 0 ? port : free_tcp_port())) {
            return true;
        }
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

bool SmtpServerProcess::try_start(std::uint16_t port) {
    std::vector<std::string> argv = {k_python,   "-m",
                                     "aiosmtpd", "-n",
                                     "-l",       "127.0.0.1:" + std::to_string(port),
                                     "-c",       std::string(k_handler_module) + ".RecordingHandler"};
    if (m_options.starttls) {
        argv.insert(argv.end(), {"--tlscert", m_ca_file.string(), "--tlskey", m_key_file.string()});
    }
    if (m_options.implicit_tls) {
        argv.insert(argv.end(), {"--smtpscert", m_ca_file.string(), "--smtpskey", m_key_file.string()});
    }
    // The handler's arguments; "--" so that a password starting with '-' is not an option.
    argv.insert(argv.end(), {"--", m_mail_dir.string()});
    if (m_options.credentials) {
        argv.insert(argv.end(), {m_options.credentials->username, m_options.credentials->password});
    }
    m_server.emplace(ChildProcessOptions{.argv = std::move(argv),
                                         .environment = {"PYTHONPATH=" + m_dir.string(), "PYTHONDONTWRITEBYTECODE=1"},
                                         .output_directory = m_dir,
                                         .output_name = "aiosmtpd"});
    m_port = port;

    const auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!m_server->running()) {
            return false; // exited (port taken?); the caller may retry. Output stays for output().
        }
        if (accepts_tcp_connections(port)) {
            return true;
        }
        std::this_thread::sleep_for(k_poll_interval);
    }
    stop();
    return false;
}

void SmtpServerProcess::stop() {
    if (!m_server) {
        return;
    }
    m_server->signal(SIGTERM);
    if (!m_server->wait_for_exit(k_stop_timeout)) {
        m_server->kill_hard();
    }
    m_server.reset();
}

void SmtpServerProcess::restart() {
    stop();
    if (!start(m_port)) {
        throw std::runtime_error("aiosmtpd did not start again; its output:\n" + output());
    }
}

std::size_t SmtpServerProcess::message_count() const {
    std::size_t count = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_mail_dir, ec)) {
        count += entry.path().extension() == ".json" ? 1 : 0;
    }
    return count;
}

std::vector<ReceivedMail> SmtpServerProcess::messages() const {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_mail_dir, ec)) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end()); // NNNNNN.json: arrival order
    std::vector<ReceivedMail> mails;
    for (const fs::path& file : files) {
        mails.push_back(parse_record(file));
    }
    return mails;
}

std::vector<ReceivedMail> SmtpServerProcess::wait_for_messages(std::size_t count,
                                                               std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (message_count() < count && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(k_poll_interval);
    }
    return messages();
}

std::string SmtpServerProcess::output() const {
    std::ostringstream text;
    for (const char* name : {"aiosmtpd.stdout.log", "aiosmtpd.stderr.log"}) {
        text << read_file(m_dir / name);
    }
    return text.str();
}

} // namespace dtwin::testing
