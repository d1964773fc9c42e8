#include "serve_fixture.hpp"

#include "child_process.hpp"
#include "core/twin_json.hpp"
#include "tcp_port.hpp"

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dtwin::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

fs::path example_dir() {
    return fs::path(DTWIN_SOURCE_DIR) / "examples" / "door-and-two-rooms";
}

std::string iso_now(std::chrono::milliseconds offset) {
    const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    return core::format_time(now + offset);
}

// ---- TestClient ----------------------------------------------------------------------

TestClient::TestClient(const std::string& url, const std::string& client_id) {
    mqtt::MqttClientOptions options;
    options.broker_url = url;
    options.client_id = client_id;
    options.clean_session = true;
    options.max_inflight = 1000;
    options.event_queue_capacity = 1'000'000;
    auto created = mqtt::MqttClient::create(options);
    if (!created) {
        throw std::runtime_error(created.error().to_string());
    }
    m_client = std::make_unique<mqtt::MqttClient>(std::move(*created));
    if (auto started = m_client->connect(); !started) {
        throw std::runtime_error(started.error().to_string());
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto event = m_client->next_event_for(100ms);
        if (event && std::holds_alternative<mqtt::Connected>(*event)) {
            return;
        }
    }
    throw std::runtime_error("test client could not connect to " + url);
}

TestClient::~TestClient() {
    m_client->stop();
}

void TestClient::subscribe(const std::string& filter) {
    auto mid = m_client->subscribe(filter, 1);
    if (!mid) {
        throw std::runtime_error(mid.error().to_string());
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto event = m_client->next_event_for(100ms);
        if (!event) {
            continue;
        }
        if (auto* message = std::get_if<mqtt::Message>(&*event)) {
            m_received.push_back({message->topic, message->payload, std::chrono::steady_clock::now()});
        } else if (auto* done = std::get_if<mqtt::Subscribed>(&*event); done && done->mid == *mid) {
            return;
        }
    }
    throw std::runtime_error("no SUBACK for " + filter);
}

void TestClient::pump(std::chrono::milliseconds wait) {
    auto event = m_client->next_event_for(wait);
    while (event) {
        if (auto* message = std::get_if<mqtt::Message>(&*event)) {
            m_received.push_back(
                {std::move(message->topic), std::move(message->payload), std::chrono::steady_clock::now()});
        } else if (auto* published = std::get_if<mqtt::Published>(&*event)) {
            m_acked.push_back(published->mid);
        }
        event = m_client->try_next_event();
    }
}

void TestClient::publish(const std::string& topic, const std::string& payload, bool retain) {
    auto mid = m_client->publish(topic, payload, 1, retain);
    if (!mid) {
        throw std::runtime_error(mid.error().to_string());
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        pump(50ms);
        if (std::find(m_acked.begin(), m_acked.end(), *mid) != m_acked.end()) {
            return;
        }
    }
    throw std::runtime_error("no PUBACK for a publish on " + topic);
}

void TestClient::publish_async(const std::string& topic, const std::string& payload) {
    if (auto mid = m_client->publish(topic, payload, 1, false); !mid) {
        throw std::runtime_error(mid.error().to_string());
    }
}

std::optional<json::value> TestClient::wait_json(const std::string& topic,
                                                 const std::function<bool(const json::value&)>& accept,
                                                 std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t checked = 0;
    while (true) {
        for (; checked < m_received.size(); ++checked) {
            if (m_received[checked].topic != topic) {
                continue;
            }
            std::error_code ec;
            json::value document = json::parse(m_received[checked].payload, ec);
            if (!ec && accept(document)) {
                return document;
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        pump(20ms);
    }
}

bool TestClient::wait_text(const std::string& topic, const std::string& payload, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t checked = 0;
    while (true) {
        for (; checked < m_received.size(); ++checked) {
            if (m_received[checked].topic == topic && m_received[checked].payload == payload) {
                return true;
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        pump(20ms);
    }
}

std::vector<Received> TestClient::received(const std::string& topic) {
    pump();
    std::vector<Received> out;
    for (const auto& message : m_received) {
        if (message.topic == topic) {
            out.push_back(message);
        }
    }
    return out;
}

void TestClient::forget() {
    pump();
    m_received.clear();
}

// ---- ServeTest -----------------------------------------------------------------------

void ServeTest::SetUp() {
    if (!MosquittoProcess::available()) {
        GTEST_SKIP() << MosquittoProcess::k_binary << " is missing (install mosquitto: scripts/setup)";
    }
    std::string pattern = (fs::temp_directory_path() / "dtwin-serve-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    m_dir = pattern;
    m_data = m_dir / "data";
    m_broker = std::make_unique<MosquittoProcess>();
    m_api_port = free_tcp_port();
    const fs::path models = example_dir() / "models";
    ASSERT_EQ(run_dtwin({"model", "import", (models / "Room.json").string(), (models / "Door.json").string()}), 0);
    ASSERT_EQ(run_dtwin({"import", (example_dir() / "twins.json").string()}), 0);
    m_client = std::make_unique<TestClient>(m_broker->url(), "dtwin-test-observer");
    for (const auto& filter : observed_topics()) {
        m_client->subscribe(filter);
    }
}

void ServeTest::TearDown() {
    m_client.reset();
    if (m_server) {
        m_server->signal(SIGTERM);
        m_server->wait_for_exit(10s);
    }
    m_server.reset();
    m_broker.reset();
    std::error_code ec;
    if (!HasFailure()) {
        fs::remove_all(m_dir, ec);
    } else {
        std::cerr << "test files kept in " << m_dir << "\n";
    }
}

fs::path ServeTest::write_config(const std::string& text) {
    const fs::path path = m_dir / ("dtwin-" + std::to_string(++m_config_count) + ".toml");
    std::ofstream(path) << text;
    return path;
}

std::string ServeTest::example_config() {
    std::ifstream in(example_dir() / "dtwin.toml");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

int ServeTest::run_dtwin(const std::vector<std::string>& args) {
    std::vector<std::string> argv{DTWIN_BIN, "--data", m_data.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess process(ChildProcessOptions{.argv = argv, .output_directory = m_dir, .output_name = "dtwin-cli"});
    auto status = process.wait_for_exit(60s);
    if (!status || *status != 0) {
        ADD_FAILURE() << "dtwin " << args.front() << " failed\n" << process.output();
    }
    return status.value_or(-1);
}

void ServeTest::start_server(const fs::path& config, const std::vector<std::string>& extra_args) {
    m_client->forget();
    std::vector<std::string> argv{DTWIN_BIN, "--config", config.string(), "--data", m_data.string(), "--set",
                                  "mqtt.url=" + m_broker->url(), "--set", "serve.stats_interval_ms=500",
                                  // No mail unless a test sets its own server in extra_args.
                                  "--set", "notify.smtp.url=",
                                  // The API on a port of its own: tests run side by side.
                                  "--set", "api.listen=127.0.0.1:" + std::to_string(m_api_port)};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    argv.emplace_back("serve");
    m_server = std::make_unique<ChildProcess>(
        ChildProcessOptions{.argv = argv, .output_directory = m_dir, .output_name = "dtwin-serve"});
    if (!m_client->wait_text("dtwin/server/status", "online", 30s)) {
        throw std::runtime_error("dtwin serve did not come online\n" + m_server->output());
    }
}

int ServeTest::stop_server() {
    m_server->signal(SIGTERM);
    auto status = m_server->wait_for_exit(20s);
    if (!status) {
        ADD_FAILURE() << "dtwin serve did not stop on SIGTERM\n" << m_server->output();
        return m_server->kill_hard();
    }
    return *status;
}

void ServeTest::kill_server() {
    m_server->kill_hard();
}

std::unique_ptr<store::Store> ServeTest::open_store() const {
    auto opened = store::open_store(m_data.string(), store::StoreOptions{.read_only = true});
    if (!opened) {
        throw std::runtime_error(opened.error().to_string());
    }
    return std::move(*opened);
}

json::value ServeTest::twin_json(const std::string& id) const {
    auto record = open_store()->get_twin(id);
    if (!record) {
        throw std::runtime_error(record.error().to_string());
    }
    return json::parse(record->document);
}

std::vector<store::HistorySample> ServeTest::history(const std::string& twin, const std::string& property) const {
    auto samples = open_store()->history(store::HistoryQuery{.twin = twin, .property = property});
    if (!samples) {
        throw std::runtime_error(samples.error().to_string());
    }
    return *samples;
}

} // namespace dtwin::testing
