// Boost.Beast lives in this translation unit only.
#include "api/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

namespace dtwin::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace json = boost::json;
using tcp = asio::ip::tcp;

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
    HttpResponse response;
    response.status = status;
    json::object error{{"code", code}, {"message", message}};
    response.body = json::serialize(json::object{{"error", std::move(error)}});
    return response;
}

namespace {

// Fills `request` from what Beast parsed; false (with `problem`) for a target whose
// path or query cannot be decoded.
bool to_request(const http::request<http::string_body>& message, HttpRequest& request, std::string& problem) {
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    const auto url = boost::urls::parse_origin_form(message.target());
    if (!url) {
        problem = "the request target '" + request.target + "' is not a valid path (bad percent-encoding?)";
        return false;
    }
    // Segments are split on '/' first and decoded one by one: "%2F" stays inside its segment.
    for (auto segment : url->segments()) {
        if (!segment.empty()) {
            request.path.push_back(segment);
        }
    }
    for (auto param : url->params()) {
        request.query.emplace(param.key, param.has_value ? param.value : std::string());
    }
    for (const auto& field : message) {
        std::string name(field.name_string());
        for (auto& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        request.headers[name] = std::string(field.value());
    }
    request.body = message.body();
    return true;
}

} // namespace

class HttpServer::Impl : public std::enable_shared_from_this<Impl> {
public:
    Impl(asio::io_context& io, HttpServerOptions options, RequestHandler handler)
        : m_io(io), m_options(std::move(options)), m_handler(std::move(handler)), m_acceptor(io) {}

    core::Result<void> listen();
    void accept();
    void stop() {
        boost::system::error_code ignored;
        m_acceptor.close(ignored);
        m_accept_pause.cancel();
    }

    asio::io_context& m_io;
    HttpServerOptions m_options;
    RequestHandler m_handler;
    tcp::acceptor m_acceptor;
    std::optional<ssl::context> m_tls;
    asio::steady_timer m_accept_pause{m_io};
    std::size_t m_connections = 0;
    std::uint16_t m_port = 0;
};

namespace {

template <typename Stream> class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    Session(std::shared_ptr<HttpServer::Impl> server, Stream stream, std::string peer)
        : m_server(std::move(server)), m_stream(std::move(stream)), m_peer(std::move(peer)) {
        ++m_server->m_connections;
    }
    ~Session() { --m_server->m_connections; }

    void start() {
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            beast::get_lowest_layer(m_stream).expires_after(m_server->m_options.request_timeout);
            m_stream.async_handshake(ssl::stream_base::server,
                                     [self = this->shared_from_this()](const beast::error_code& error) {
                                         if (!error) {
                                             self->read();
                                         }
                                     });
        } else {
            read();
        }
    }

private:
    void read() {
        m_parser.emplace();
        m_parser->body_limit(m_server->m_options.max_body_bytes);
        m_parser->header_limit(static_cast<std::uint32_t>(m_server->m_options.max_header_bytes));
        beast::get_lowest_layer(m_stream).expires_after(m_server->m_options.request_timeout);
        http::async_read(
            m_stream, m_buffer, *m_parser,
            [self = this->shared_from_this()](const beast::error_code& error, std::size_t) { self->on_read(error); });
    }

    void on_read(const beast::error_code& error) {
        if (error == http::error::end_of_stream || error == beast::error::timeout ||
            error == asio::error::operation_aborted || error == asio::error::connection_reset) {
            close();
            return;
        }
        if (error == http::error::body_limit) {
            reply_and_close(error_response(413, "PayloadTooLarge",
                                           "the request body is larger than api.max_body_bytes (" +
                                               std::to_string(m_server->m_options.max_body_bytes) + " bytes)"));
            return;
        }
        if (error == http::error::header_limit) {
            reply_and_close(error_response(431, "RequestHeaderFieldsTooLarge",
                                           "the request headers are larger than " +
                                               std::to_string(m_server->m_options.max_header_bytes) + " bytes"));
            return;
        }
        if (error) {
            reply_and_close(error_response(400, "InvalidArgument", "malformed HTTP request: " + error.message()));
            return;
        }
        auto message = m_parser->release();
        m_keep_alive = message.keep_alive();
        m_version = message.version();
        HttpRequest request;
        request.peer = m_peer;
        request.scheme = std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>> ? "https" : "http";
        std::string problem;
        if (!to_request(message, request, problem)) {
            reply_and_close(error_response(400, "InvalidArgument", problem));
            return;
        }
        // The handler may answer later (after a commit); the session waits for it.
        auto self = this->shared_from_this();
        m_server->m_handler(std::move(request), [self](HttpResponse response) {
            // Always on the io_context: handlers answer there.
            self->write(std::move(response));
        });
    }

    void reply_and_close(HttpResponse response) {
        m_keep_alive = false;
        write(std::move(response));
    }

    void write(HttpResponse response) {
        auto message = std::make_shared<http::response<http::string_body>>();
        message->version(m_version);
        message->result(static_cast<unsigned>(response.status));
        message->set(http::field::server, "dtwin");
        if (!response.body.empty() || response.status >= 400) {
            message->set(http::field::content_type, response.content_type);
        }
        for (const auto& [name, value] : response.headers) {
            message->insert(name, value);
        }
        message->body() = std::move(response.body);
        message->keep_alive(m_keep_alive);
        message->prepare_payload();
        beast::get_lowest_layer(m_stream).expires_after(m_server->m_options.request_timeout);
        http::async_write(m_stream, *message,
                          [self = this->shared_from_this(), message](const beast::error_code& error, std::size_t) {
                              if (error || !self->m_keep_alive) {
                                  self->close();
                                  return;
                              }
                              self->read();
                          });
    }

    void close() {
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(2));
            m_stream.async_shutdown([self = this->shared_from_this()](const beast::error_code&) {
                beast::error_code ignored;
                beast::get_lowest_layer(self->m_stream).socket().close(ignored);
            });
        } else {
            beast::error_code ignored;
            m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            m_stream.socket().close(ignored);
        }
    }

    std::shared_ptr<HttpServer::Impl> m_server;
    Stream m_stream;
    std::string m_peer;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    bool m_keep_alive = false;
    unsigned m_version = 11;
};

} // namespace

core::Result<void> HttpServer::Impl::listen() {
    if (!m_options.tls_cert_file.empty() || !m_options.tls_key_file.empty()) {
        m_tls.emplace(ssl::context::tls_server);
        m_tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        boost::system::error_code error;
        m_tls->use_certificate_chain_file(m_options.tls_cert_file, error);
        if (error) {
            return core::fail(core::ErrorCode::io, "cannot use the TLS certificate: " + error.message(),
                              "api.tls_cert " + m_options.tls_cert_file);
        }
        m_tls->use_private_key_file(m_options.tls_key_file, ssl::context::pem, error);
        if (error) {
            return core::fail(core::ErrorCode::io, "cannot use the TLS key: " + error.message(),
                              "api.tls_key " + m_options.tls_key_file);
        }
    }
    boost::system::error_code error;
    const auto address = asio::ip::make_address(m_options.address, error);
    if (error) {
        return core::fail(core::ErrorCode::invalid_value, "'" + m_options.address + "' is not an IP address",
                          "api.listen");
    }
    const tcp::endpoint endpoint(address, m_options.port);
    m_acceptor.open(endpoint.protocol(), error);
    if (!error) {
        m_acceptor.set_option(asio::socket_base::reuse_address(true), error);
    }
    if (!error) {
        m_acceptor.bind(endpoint, error);
    }
    if (!error) {
        m_acceptor.listen(asio::socket_base::max_listen_connections, error);
    }
    if (error) {
        return core::fail(core::ErrorCode::io,
                          "cannot listen on " + m_options.address + ":" + std::to_string(m_options.port) + ": " +
                              error.message(),
                          "api.listen");
    }
    m_port = m_acceptor.local_endpoint().port();
    return {};
}

void HttpServer::Impl::accept() {
    m_acceptor.async_accept(
        m_io, [self = shared_from_this()](const boost::system::error_code& error, tcp::socket socket) {
            if (error == asio::error::operation_aborted || !self->m_acceptor.is_open()) {
                return;
            }
            if (!error) {
                boost::system::error_code ignored;
                const auto remote = socket.remote_endpoint(ignored);
                std::string peer = remote.address().to_string() + ":" + std::to_string(remote.port());
                socket.set_option(tcp::no_delay(true), ignored);
                if (self->m_connections >= self->m_options.max_connections) {
                    socket.close(ignored); // over the limit: refuse at once, keep serving the others
                } else if (self->m_tls) {
                    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
                        self, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *self->m_tls),
                        std::move(peer))
                        ->start();
                } else {
                    std::make_shared<Session<beast::tcp_stream>>(self, beast::tcp_stream(std::move(socket)),
                                                                 std::move(peer))
                        ->start();
                }
                self->accept();
                return;
            }
            // Out of file descriptors (EMFILE) and the like: accepting again at once would
            // spin; wait a little, and say so once per pause, not per attempt.
            spdlog::warn("HTTP accept failed ({}), {} connections open; pausing accepts for 100 ms", error.message(),
                         self->m_connections);
            self->m_accept_pause.expires_after(std::chrono::milliseconds(100));
            self->m_accept_pause.async_wait([self](const boost::system::error_code& waited) {
                if (!waited) {
                    self->accept();
                }
            });
        });
}

core::Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io, HttpServerOptions options,
                                                            RequestHandler handler) {
    auto impl = std::make_shared<Impl>(io, std::move(options), std::move(handler));
    if (auto listening = impl->listen(); !listening) {
        return std::unexpected(listening.error());
    }
    impl->accept();
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() {
    stop();
}

std::uint16_t HttpServer::port() const noexcept {
    return m_impl->m_port;
}

std::string HttpServer::scheme() const {
    return m_impl->m_tls ? "https" : "http";
}

std::size_t HttpServer::connections() const noexcept {
    return m_impl->m_connections;
}

void HttpServer::stop() {
    m_impl->stop();
}

} // namespace dtwin::api
