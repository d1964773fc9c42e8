// Where an MQTT client connects: the broker URL of the options, parsed and checked.
//
// Threads: pure functions, any thread.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace dtwin::mqtt {

/// A broker endpoint taken from "mqtt://host[:port]" (plain TCP, default port 1883) or
/// "mqtts://host[:port]" (TLS, default port 8883). IPv6 hosts are written in brackets
/// in the URL ("mqtt://[::1]:1883") and stored here without them.
struct BrokerAddress {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;
};

/// Parses a broker URL. Rejects (ErrorCode::invalid_value, `where` = the URL) other
/// schemes, a missing host, a port that is not 1..65535, and anything the client could
/// not honour: user info (use the username/password options), a path, a query or a
/// fragment.
core::Result<BrokerAddress> parse_broker_url(std::string_view url);

} // namespace dtwin::mqtt
