// The HTTP/1.1 server of `dtwin serve` (Boost.Beast, HTTPS through Boost.Asio's OpenSSL
// streams). It accepts connections on the daemon's io_context, reads each request with
// limits (header and body size, a deadline for the whole request, so a client sending a
// byte a second is cut off), hands it to the RequestHandler and writes the response,
// keeping the connection alive when the client wants it. A request it cannot even read
// (malformed HTTP, bad percent-encoding, too large) is answered here, with an error body
// in Azure Digital Twins' shape.
//
// Only http_server.cpp includes Beast. Threads: everything runs on the io_context given
// to start(), the same thread as the engine; the handler may answer later.
#pragma once

#include "api/http_message.hpp"
#include "core/error.hpp"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace dtwin::api {

struct HttpServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080; ///< 0: any free port (see HttpServer::port())
    /// PEM files; with both set the port speaks HTTPS only.
    std::string tls_cert_file;
    std::string tls_key_file;
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    /// Time allowed to read one request (headers and body), and to write one response.
    std::chrono::milliseconds request_timeout{10'000};
    /// An idle keep-alive connection is closed after this.
    std::chrono::milliseconds idle_timeout{60'000};
    /// Connections beyond this are closed at once.
    std::size_t max_connections = 4'096;
};

class HttpServer {
public:
    /// Binds and starts accepting. Errors (bad address, port taken, unreadable
    /// certificate or key) name what failed.
    static core::Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io, HttpServerOptions options,
                                                           RequestHandler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// The port listened on (the chosen one when the options said 0).
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// "http" or "https".
    [[nodiscard]] std::string scheme() const;
    /// Connections open now.
    [[nodiscard]] std::size_t connections() const noexcept;
    /// Stops accepting and closes every connection.
    void stop();

    class Impl;

private:
    explicit HttpServer(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> m_impl;
};

/// The error body of Azure Digital Twins: {"error":{"code":..,"message":..}}.
[[nodiscard]] HttpResponse error_response(int status, std::string_view code, std::string_view message);

} // namespace dtwin::api
