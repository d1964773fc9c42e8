// Loopback TCP ports for tests and benchmarks that start servers (mosquitto, dtwin serve):
// a port handed out at run time instead of a fixed one, so parallel tests never collide.
// Any thread.
#pragma once

#include <cstdint>

namespace dtwin::testing {

/// A TCP port of 127.0.0.1 that is free right now: binds port 0, reads back the port the
/// kernel chose, closes. Another process may take it before the server under test binds
/// it, so a caller that starts a server on it retries with a new port when the server
/// fails to bind. Throws std::runtime_error when no socket can be bound at all.
std::uint16_t free_tcp_port();

/// Whether something accepts TCP connections on 127.0.0.1:`port` (a connect succeeds; the
/// connection is closed at once). For polling until a started server is ready.
bool accepts_tcp_connections(std::uint16_t port);

} // namespace dtwin::testing
