// The HTTP request and response as the routes see them: plain values, no Beast, so
// that only http_server.cpp compiles the heavy headers. The server fills a request
// (path segments percent-decoded one by one, query parameters decoded) and sends back
// whatever response the handler produces, possibly later (a write answers after its
// commit).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dtwin::api {

struct HttpRequest {
    std::string method;                            ///< "GET", "PUT", ...
    std::string target;                            ///< as received, e.g. "/digitaltwins/a%20b?api-version=..."
    std::vector<std::string> path;                 ///< decoded segments: {"digitaltwins", "a b"}
    std::multimap<std::string, std::string> query; ///< decoded parameters
    std::map<std::string, std::string> headers;    ///< lower-case names
    std::string body;
    std::string peer;            ///< "127.0.0.1:53412", for logs
    std::string scheme = "http"; ///< "http" or "https": how it arrived

    /// The header `name` (lower case), or "" when absent.
    [[nodiscard]] std::string header(const std::string& name) const {
        const auto found = headers.find(name);
        return found == headers.end() ? std::string() : found->second;
    }
    /// The first query parameter `name`, or "" when absent.
    [[nodiscard]] std::string parameter(const std::string& name) const {
        const auto found = query.find(name);
        return found == query.end() ? std::string() : found->second;
    }
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// Sends the response of one request; call it exactly once, on the server's io_context.
using Responder = std::function<void(HttpResponse)>;

/// Handles one request on the server's io_context thread.
using RequestHandler = std::function<void(HttpRequest, Responder)>;

} // namespace dtwin::api
