// The server URL of a sink (smtp://, smtps://, http://, https://), parsed and checked
// before anything is sent, and the short form that logs and errors show.
//
// Threads: pure functions; any thread.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace dtwin::notify {

/// A scheme a sink accepts and the port it implies when the URL names none.
struct SchemeDefault {
    std::string_view scheme;
    std::uint16_t port;
};

struct EndpointUrl {
    /// Lower case, one of the accepted schemes.
    std::string scheme;
    /// As written; an IPv6 address in brackets ("[::1]").
    std::string host;
    /// The URL's port, or the scheme's default.
    std::uint16_t port = 0;
    /// "scheme://host:port": what errors and logs show. No path, query or credentials.
    std::string endpoint;
    /// The URL with the port written out (so the transfer goes where `endpoint` says).
    std::string url;
};

/// Parses `url`. Rejects (ErrorCode::invalid_value, `where` = `option`) a URL that does
/// not parse, a scheme not in `schemes`, a missing host, a port outside 1..65535, user
/// info (credentials come from their own options, never from a URL that ends up in logs)
/// and a fragment; a path or a query unless `allow_path_and_query`.
core::Result<EndpointUrl> parse_endpoint_url(std::string_view url, std::span<const SchemeDefault> schemes,
                                             bool allow_path_and_query, std::string_view option);

} // namespace dtwin::notify
