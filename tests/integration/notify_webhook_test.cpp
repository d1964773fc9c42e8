// WebhookSink against a real HTTP server: Debian's /usr/bin/python3 running a small
// http.server script, generated per test, that records every request (method, path,
// header fields, body) and answers 200, or the status the test tells it to. Checks the
// documented JSON body, the configured header fields, error statuses and a server that is
// down.
#include "child_process.hpp"
#include "notify/webhook_sink.hpp"
#include "notify_test_support.hpp"
#include "tcp_port.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace dtwin::notify {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::contains;
using testing::door_slam;

constexpr const char* k_python = "/usr/bin/python3";

/// Records each request as request-NNNNNN.json (written before the reply, so a request
/// is on disk once send() returns) and answers with the status in the file "status"
/// (200 without it). Binds port 0 and writes the port it got to the file "port".
constexpr const char* k_server_script = R"PY(import http.server
import json
import os
import sys
import threading

directory = sys.argv[1]
lock = threading.Lock()
count = 0


def write_atomically(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(path + ".tmp", path)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            with open(os.path.join(directory, "status"), encoding="utf-8") as status_file:
                status = int(status_file.read().strip())
        except FileNotFoundError:
            status = 200
        with lock:
            count += 1
            name = "request-%06d.json" % count
        record = {"method": self.command, "path": self.path,
                  "headers": [[key, value] for key, value in self.headers.items()],
                  "body": body.decode("utf-8", "replace")}
        write_atomically(os.path.join(directory, name), json.dumps(record))
        reply = b"ok\n" if status < 300 else b"failing because the test said so\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format, *args):
        sys.stderr.write(format % args + "\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
write_atomically(os.path.join(directory, "port"), str(server.server_address[1]))
server.serve_forever()
)PY";

struct RecordedRequest {
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
        for (const auto& [field, value] : headers) {
            if (std::equal(field.begin(), field.end(), name.begin(), name.end(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                })) {
                return value;
            }
        }
        return std::nullopt;
    }
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class WebhookServer {
public:
    WebhookServer() {
        std::string pattern = (fs::temp_directory_path() / "dtwin-webhook-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed for " + pattern);
        }
        m_dir = pattern;
        std::ofstream(m_dir / "webhook_server.py") << k_server_script;
        m_server.emplace(dtwin::testing::ChildProcessOptions{
            .argv = {k_python, (m_dir / "webhook_server.py").string(), m_dir.string()},
            .output_directory = m_dir,
            .output_name = "server"});
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!fs::exists(m_dir / "port")) {
            if (!m_server->running() || std::chrono::steady_clock::now() > deadline) {
                throw std::runtime_error("the webhook server did not start:\n" + m_server->output());
            }
            std::this_thread::sleep_for(10ms);
        }
        m_port = static_cast<std::uint16_t>(std::stoi(read_file(m_dir / "port")));
    }
    ~WebhookServer() {
        m_server.reset(); // SIGTERM, reaped
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }
    WebhookServer(const WebhookServer&) = delete;
    WebhookServer& operator=(const WebhookServer&) = delete;

    [[nodiscard]] std::string url(std::string_view path_and_query) const {
        return "http://127.0.0.1:" + std::to_string(m_port) + std::string(path_and_query);
    }
    [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(m_port); }

    /// Every later request is answered with `status`.
    void answer_with(int status) const { std::ofstream(m_dir / "status") << status; }

    [[nodiscard]] std::vector<RecordedRequest> requests() const {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(m_dir)) {
            if (entry.path().filename().string().starts_with("request-") && entry.path().extension() == ".json") {
                files.push_back(entry.path());
            }
        }
        std::sort(files.begin(), files.end());
        std::vector<RecordedRequest> out;
        for (const fs::path& file : files) {
            const json::object record = json::parse(read_file(file)).as_object();
            RecordedRequest request{std::string(record.at("method").as_string()),
                                    std::string(record.at("path").as_string()),
                                    {},
                                    std::string(record.at("body").as_string())};
            for (const json::value& field : record.at("headers").as_array()) {
                request.headers.emplace_back(std::string(field.as_array().at(0).as_string()),
                                             std::string(field.as_array().at(1).as_string()));
            }
            out.push_back(std::move(request));
        }
        return out;
    }

    [[nodiscard]] std::string output() const { return m_server ? m_server->output() : std::string(); }

private:
    fs::path m_dir;
    std::uint16_t m_port = 0;
    std::optional<dtwin::testing::ChildProcess> m_server;
};

class NotifyWebhookTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::access(k_python, X_OK) != 0) {
            GTEST_SKIP() << k_python << " is missing: no HTTP server to post to";
        }
    }

    static WebhookSink make_sink(WebhookSinkOptions options) {
        auto sink = WebhookSink::create(std::move(options));
        if (!sink) {
            throw std::runtime_error(sink.error().to_string());
        }
        return std::move(*sink);
    }
};

TEST_F(NotifyWebhookTest, PostsTheDocumentedJsonWithTheConfiguredHeaders) {
    WebhookServer server;
    WebhookSink sink = make_sink({.url = server.url("/hooks/dtwin?key=abc"),
                                  .headers = {{"Authorization", "Bearer t0ken"}, {"X-Dtwin-Site", "Büro Nord"}},
                                  .timeout = 5s});
    const Notification notification = door_slam();

    const auto sent = sink.send(notification);
    ASSERT_TRUE(sent.has_value()) << sent.error().to_string() << "\n" << server.output();

    const std::vector<RecordedRequest> requests = server.requests();
    ASSERT_EQ(requests.size(), 1U) << server.output();
    const RecordedRequest& request = requests.front();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path, "/hooks/dtwin?key=abc");
    EXPECT_EQ(request.header("Content-Type"), "application/json");
    EXPECT_EQ(request.header("Authorization"), "Bearer t0ken");
    EXPECT_TRUE(request.header("X-Dtwin-Site").has_value()); // non-ASCII values travel as bytes
    EXPECT_TRUE(request.header("User-Agent").value_or("").starts_with("dtwin/"));
    EXPECT_FALSE(request.header("Expect").has_value());

    const json::value body = json::parse(request.body);
    const json::value expected = {
        {"id", "door-1/door-slam/7"},
        {"twinId", "door-1"},
        {"rule", "door-slam"},
        {"severity", "warning"},
        {"state", "firing"},
        {"eventTime", "2026-11-24T21:26:15.0000000Z"},
        {"reportTime", "2026-11-24T21:29:40.5000000Z"},
        {"latenessSeconds", 205.5},
        {"values", {{"angularSpeed", 143.25}, {"doorOpen", true}}},
        {"subject", notification.subject},
        {"text", notification.text_body},
    };
    EXPECT_EQ(body, expected) << json::serialize(body);
}

TEST_F(NotifyWebhookTest, ResolvedNotificationWithoutIdLeavesTheIdOut) {
    WebhookServer server;
    WebhookSink sink = make_sink({.url = server.url("/"), .timeout = 5s});
    Notification notification = door_slam();
    notification.id.clear();
    notification.state = AlertState::resolved;
    notification.report_time = notification.event_time - 2s; // a source clock ahead of ours
    write_default_texts(notification, "");

    ASSERT_TRUE(sink.send(notification).has_value()) << server.output();

    const std::vector<RecordedRequest> requests = server.requests();
    ASSERT_EQ(requests.size(), 1U);
    const json::object body = json::parse(requests.front().body).as_object();
    EXPECT_FALSE(body.contains("id"));
    EXPECT_EQ(body.at("state"), "resolved");
    EXPECT_EQ(body.at("latenessSeconds").as_double(), 0.0);
    EXPECT_EQ(body.at("subject"), "[dtwin] door-slam resolved on door-1");
}

TEST_F(NotifyWebhookTest, ErrorStatusIsAnErrorWithTheStatusAndWithoutTheSecretPath) {
    WebhookServer server;
    WebhookSink sink = make_sink({.url = server.url("/hooks/s3cret-path?token=s3cret-query"), .timeout = 5s});
    EXPECT_EQ(sink.endpoint(), server.endpoint());

    server.answer_with(500);
    const auto failed = sink.send(door_slam());
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code, core::ErrorCode::io);
    EXPECT_EQ(failed.error().where, server.endpoint());
    EXPECT_TRUE(contains(failed.error().message, "HTTP status 500")) << failed.error().message;
    EXPECT_TRUE(contains(failed.error().message, "failing because the test said so")) << failed.error().message;
    EXPECT_FALSE(contains(failed.error().to_string(), "s3cret")) << failed.error().to_string();
    EXPECT_FALSE(failed.error().permanent); // a server error may pass: the outbox retries

    server.answer_with(404);
    const auto not_found = sink.send(door_slam());
    ASSERT_FALSE(not_found.has_value());
    EXPECT_TRUE(contains(not_found.error().message, "HTTP status 404")) << not_found.error().message;
    EXPECT_TRUE(not_found.error().permanent); // the same request will be refused again

    server.answer_with(429);
    const auto throttled = sink.send(door_slam());
    ASSERT_FALSE(throttled.has_value());
    EXPECT_FALSE(throttled.error().permanent); // too many requests: later may work

    server.answer_with(204);
    const auto accepted = sink.send(door_slam());
    EXPECT_TRUE(accepted.has_value()) << accepted.error().to_string();
    EXPECT_EQ(server.requests().size(), 4U);
}

TEST_F(NotifyWebhookTest, ServerDownIsAnErrorNamingTheServer) {
    const std::uint16_t port = dtwin::testing::free_tcp_port(); // nothing listens there
    WebhookSink sink = make_sink({.url = "http://127.0.0.1:" + std::to_string(port) + "/hook", .timeout = 3s});

    const auto sent = sink.send(door_slam());
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().where, "http://127.0.0.1:" + std::to_string(port));
    EXPECT_TRUE(contains(sent.error().message, "connect")) << sent.error().message;
    EXPECT_FALSE(sent.error().permanent);
}

TEST(NotifyWebhookOptions, InvalidOptionsAreRejectedNamingTheOption) {
    struct Case {
        const char* what;
        WebhookSinkOptions options;
        const char* where;
        const char* message_part;
    };
    const std::vector<Case> cases = {
        {"scheme", {.url = "ftp://example.org/hook"}, "url", "scheme 'ftp'"},
        {"credentials", {.url = "https://user:pw@example.org/hook"}, "url", "credentials"},
        {"fragment", {.url = "https://example.org/hook#x"}, "url", "fragment"},
        {"not a URL", {.url = "example.org/hook"}, "url", "expected http://"},
        {"header name", {.url = "https://example.org/", .headers = {{"Bad Name", "x"}}}, "headers", "header name"},
        {"header value",
         {.url = "https://example.org/", .headers = {{"X-A", "1\r\nX-Injected: 1"}}},
         "headers",
         "control characters"},
        {"framing header",
         {.url = "https://example.org/", .headers = {{"content-length", "5"}}},
         "headers",
         "set by dtwin"},
        {"timeout", {.url = "https://example.org/", .timeout = -1s}, "timeout", "positive"},
    };
    for (const Case& c : cases) {
        const auto sink = WebhookSink::create(c.options);
        ASSERT_FALSE(sink.has_value()) << c.what;
        EXPECT_EQ(sink.error().code, core::ErrorCode::invalid_value) << c.what;
        EXPECT_EQ(sink.error().where, c.where) << c.what;
        EXPECT_TRUE(contains(sink.error().message, c.message_part)) << c.what << ": " << sink.error().message;
    }
    EXPECT_EQ(WebhookSink::create({.url = "https://hooks.example.org/a/b?c=d"})->endpoint(),
              "https://hooks.example.org:443");
    EXPECT_EQ(WebhookSink::create({.url = "http://[::1]/a"})->endpoint(), "http://[::1]:80");
}

} // namespace
} // namespace dtwin::notify
