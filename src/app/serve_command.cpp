// dtwin serve: the twin server. Loads the store, starts the engine, connects to the MQTT
// broker and runs until SIGINT or SIGTERM (then commits what is pending and exits 0).
#include "api/access_tokens.hpp"
#include "api/adt_routes.hpp"
#include "api/http_server.hpp"
#include "app/commands.hpp"
#include "app/notify_config.hpp"
#include "app/rule_config.hpp"
#include "app/server.hpp"
#include "app/system_clock.hpp"
#include "app/workspace.hpp"
#include "engine/engine.hpp"

#include <atomic>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>
#include <utility>

namespace dtwin::app {

namespace {

// The one mutable global: a signal handler can reach nothing else.
std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int /*signal*/) {
    g_stop_requested.store(true);
}

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

void configure_logging(const Config& config) {
    auto logger = spdlog::stderr_color_mt("dtwin");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_level(spdlog::level::from_str(config.get_string("log.level")));
    spdlog::flush_on(spdlog::level::info);
}

/// An exclusive lock on "<store file>.lock" for as long as the server runs: a second
/// `dtwin serve` on the same store is refused at once, instead of failing at its first
/// commit. CLI commands do not take it (readers and short writes go through SQLite's own
/// locking). Released by the kernel when the process ends, however it ends.
class ServeLock {
public:
    static core::Result<ServeLock> acquire(const std::string& store_file) {
        const std::string path = store_file + ".lock";
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            return core::fail(core::ErrorCode::io, std::string("cannot open the lock file: ") + std::strerror(errno),
                              path);
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(fd);
            if (error == EWOULDBLOCK) {
                return core::fail(core::ErrorCode::io, "another dtwin serve is running on this store", store_file);
            }
            return core::fail(core::ErrorCode::io, std::string("cannot lock: ") + std::strerror(error), path);
        }
        return ServeLock(fd);
    }
    ServeLock(ServeLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    ServeLock& operator=(ServeLock&&) = delete;
    ServeLock(const ServeLock&) = delete;
    ServeLock& operator=(const ServeLock&) = delete;
    ~ServeLock() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }

private:
    explicit ServeLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

/// The outbox worker's reports (its own thread; spdlog is thread-safe).
void log_delivery(const notify::DeliveryReport& report) {
    using Outcome = notify::DeliveryReport::Outcome;
    switch (report.outcome) {
    case Outcome::delivered:
        spdlog::info("notification {} delivered (attempt {})", report.record_id, report.attempts);
        break;
    case Outcome::retry:
        spdlog::warn("notification {} not delivered (attempt {}), retrying at {}: {}", report.record_id,
                     report.attempts, core::format_time(report.next_attempt_time),
                     report.error ? report.error->to_string() : std::string());
        break;
    case Outcome::failed:
        spdlog::error("notification {} failed for good after {} attempts: {}", report.record_id, report.attempts,
                      report.error ? report.error->to_string() : std::string());
        break;
    }
}

mqtt::MqttClientOptions mqtt_options(const Config& config) {
    mqtt::MqttClientOptions options;
    options.broker_url = config.get_string("mqtt.url");
    options.client_id = config.get_string("mqtt.client_id");
    options.keepalive = std::chrono::seconds{config.get_integer("mqtt.keepalive_s")};
    if (const auto& user = config.get_string("mqtt.username"); !user.empty()) {
        options.username = user;
        options.password = config.get_string("mqtt.password");
    }
    mqtt::TlsFiles tls{config.get_string("mqtt.tls_ca_file"), config.get_string("mqtt.tls_cert_file"),
                       config.get_string("mqtt.tls_key_file")};
    if (!tls.ca_file.empty() || !tls.cert_file.empty() || !tls.key_file.empty()) {
        options.tls = tls;
    }
    options.last_will = mqtt::LastWill{std::string(k_status_topic), "offline", 1, true};
    options.reconnect_backoff_min = std::chrono::seconds{1};
    options.reconnect_backoff_max = std::chrono::seconds{10};
    options.max_inflight = 1000;
    return options;
}

/// api.listen as address and port; nullopt for "off". Errors name the key.
core::Result<std::optional<api::HttpServerOptions>> api_options(const Config& config) {
    const std::string listen = config.get_string("api.listen");
    if (listen == "off") {
        return std::optional<api::HttpServerOptions>{};
    }
    api::HttpServerOptions options;
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return core::fail(core::ErrorCode::invalid_value,
                          "'" + listen + "' is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080) or off", "api.listen");
    }
    options.address = listen.substr(0, colon);
    if (options.address.size() > 2 && options.address.front() == '[' && options.address.back() == ']') {
        options.address = options.address.substr(1, options.address.size() - 2);
    }
    const std::string port = listen.substr(colon + 1);
    char* end = nullptr;
    const long number = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || number < 0 || number > 65535) {
        return core::fail(core::ErrorCode::invalid_value, "'" + port + "' is not a port (0-65535)", "api.listen");
    }
    options.port = static_cast<std::uint16_t>(number);
    const bool loopback =
        options.address.starts_with("127.") || options.address == "::1" || options.address == "localhost";
    if (options.address == "localhost") {
        options.address = "127.0.0.1";
    }
    options.tls_cert_file = config.get_string("api.tls_cert");
    options.tls_key_file = config.get_string("api.tls_key");
    if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
        return core::fail(core::ErrorCode::invalid_value,
                          "api.tls_cert and api.tls_key go together: set both or neither",
                          options.tls_cert_file.empty() ? "api.tls_cert" : "api.tls_key");
    }
    const bool tokens = !config.get_string("api.token_file").empty();
    if (!loopback && (!tokens || options.tls_cert_file.empty())) {
        return core::fail(core::ErrorCode::invalid_value,
                          "the API would listen on " + options.address + " without " +
                              (tokens ? "TLS" : "access tokens") +
                              ": anyone who reaches that address could read and change the twins" +
                              (tokens ? " and see the tokens" : "") +
                              ". Either listen on a loopback address (127.0.0.1:8080), or set api.token_file "
                              "(lines '<token> <read|write>') and api.tls_cert + api.tls_key",
                          "api.listen");
    }
    options.max_body_bytes = static_cast<std::size_t>(config.get_integer("api.max_body_bytes"));
    options.max_connections = static_cast<std::size_t>(config.get_integer("api.max_connections"));
    options.request_timeout = std::chrono::milliseconds{config.get_integer("api.request_timeout_ms")};
    return std::optional(std::move(options));
}

/// Raises the soft limit of open files to the hard one: every API connection is a file
/// descriptor, and the usual soft limit (1024) is below api.max_connections.
void raise_open_file_limit() {
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

int serve(CommandContext& ctx) {
    raise_open_file_limit();
    configure_logging(ctx.config);
    engine::EngineOptions engine_options = ctx.config.engine_options();
    if (engine_options.mappings.empty()) {
        spdlog::warn("no [[mapping]] in the configuration: only gateway envelopes can be mapped, and they map "
                     "nothing either (pass --config FILE)");
    }
    auto http_options = api_options(ctx.config);
    if (!http_options) {
        return report_error(ctx, http_options.error());
    }
    boost::asio::io_context io{1};
    MqttWakeup wakeup(io);
    auto client_options = mqtt_options(ctx.config);
    client_options.on_event_queued = [&wakeup] { wakeup.notify(); };
    auto client = mqtt::MqttClient::create(std::move(client_options));
    if (!client) {
        return report_error(ctx, client.error());
    }
    const auto started = std::chrono::steady_clock::now();
    auto workspace = Workspace::open(ctx.config, Access::read_write);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    auto settings = (*workspace)->store().settings();
    if (!settings) {
        return report_error(ctx, settings.error());
    }
    auto lock = ServeLock::acquire(settings->location);
    if (!lock) {
        return report_error(ctx, lock.error());
    }
    if (auto loaded = (*workspace)->load_graph(); !loaded) {
        return report_error(ctx, loaded.error());
    }
    core::TwinGraph& graph = (*workspace)->graph();
    spdlog::info(
        "loaded {} twins and {} relationships in {} ms", graph.twin_count(), graph.relationship_count(),
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
    if (auto checked = check_rules_against_models(engine_options.rules, graph.models()); !checked) {
        return report_error(ctx, checked.error());
    }
    auto notify = notify_setup(ctx.config);
    if (!notify) {
        return report_error(ctx, notify.error());
    }
    SystemClock clock;
    engine::Engine engine(graph, (*workspace)->store(), std::move(engine_options), clock);
    if (auto ready = engine.start(); !ready) {
        return report_error(ctx, ready.error());
    }
    // Delivers what the engine puts into the outbox, and what an earlier run left there.
    std::optional<notify::OutboxDelivery> outbox;
    if (!notify->sinks.empty()) {
        for (const auto& [name, sink] : notify->sinks) {
            spdlog::info("alert notifications go to {} ({})", sink->endpoint(), name);
        }
        outbox.emplace((*workspace)->store(), std::move(notify->sinks), clock, notify->delivery, log_delivery);
        outbox->start();
    }
    ServeOptions options;
    options.publish_events = ctx.config.get_bool("serve.publish_events");
    options.stats_interval = std::chrono::milliseconds{ctx.config.get_integer("serve.stats_interval_ms")};
    install_signal_handlers();
    Server server(io, wakeup, engine, *client, clock, options, outbox ? &*outbox : nullptr);
    std::unique_ptr<api::HttpServer> http;
    // The models API's view of the stored models; its writes keep it current.
    std::vector<store::ModelRecord> model_catalog = (*workspace)->model_records();
    // Tokens: replaced as a whole on SIGHUP (the io_context thread reads and swaps them).
    std::shared_ptr<const api::AccessTokens> tokens;
    const std::string token_file = ctx.config.get_string("api.token_file");
    if (!token_file.empty()) {
        auto loaded = api::AccessTokens::load(token_file);
        if (!loaded) {
            return report_error(ctx, loaded.error());
        }
        spdlog::info("API tokens: {} from {}", loaded->size(), token_file);
        tokens = std::make_shared<const api::AccessTokens>(std::move(*loaded));
    }
    boost::asio::signal_set hangup(io, SIGHUP);
    std::function<void()> await_hangup = [&] {
        hangup.async_wait([&](const boost::system::error_code& error, int) {
            if (error) {
                return;
            }
            if (!token_file.empty()) {
                if (auto reloaded = api::AccessTokens::load(token_file)) {
                    tokens = std::make_shared<const api::AccessTokens>(std::move(*reloaded));
                    spdlog::info("API tokens re-read on SIGHUP: {}", tokens->size());
                } else {
                    spdlog::error("API tokens not re-read, the old ones stay: {}", reloaded.error().to_string());
                }
            }
            await_hangup();
        });
    };
    await_hangup();
    if (*http_options) {
        api::AdtRoutes routes(api::ApiSources{.graph = &graph,
                                              .models = &model_catalog,
                                              .parse_options = (*workspace)->parse_options(),
                                              .clock = &clock,
                                              .store = &(*workspace)->store(),
                                              .http_connections = [&http] { return http ? http->connections() : 0; },
                                              .mqtt_connected = [&server] { return server.mqtt_connected(); },
                                              .engine = &engine,
                                              .request_commit = [&server] { server.request_commit(); }});
        auto started_http = api::HttpServer::start(
            io, **http_options,
            [routes = std::move(routes), &tokens](api::HttpRequest request, api::Responder respond) {
                if (auto refused = api::authorize(tokens.get(), request)) {
                    return respond(std::move(*refused));
                }
                routes.handle(request, respond);
            });
        if (!started_http) {
            return report_error(ctx, started_http.error());
        }
        http = std::move(*started_http);
        spdlog::info("API listening on {}://{}:{}", http->scheme(),
                     (*http_options)->address.find(':') != std::string::npos ? "[" + (*http_options)->address + "]"
                                                                             : (*http_options)->address,
                     http->port());
    }
    const int status = server.run(g_stop_requested);
    boost::system::error_code ignored;
    hangup.cancel(ignored);
    if (http) {
        http->stop();
    }
    if (outbox) {
        // Lets a send in progress finish; what waits stays in the outbox for the next run.
        outbox->stop();
    }
    return status;
}

} // namespace

void add_serve_command(CLI::App& app, Action& action) {
    auto* command = app.add_subcommand("serve", "Run the twin server: MQTT ingest into the twin graph (Ctrl-C stops)");
    command->callback([&action] { action = [](CommandContext& ctx) { return serve(ctx); }; });
}

} // namespace dtwin::app
