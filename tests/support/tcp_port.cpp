#include "tcp_port.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace dtwin::testing {

namespace {

/// A socket closed on scope exit.
class Socket {
public:
    Socket() : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
    ~Socket() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    [[nodiscard]] int get() const { return m_fd; }

private:
    int m_fd;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

} // namespace

std::uint16_t free_tcp_port() {
    const Socket socket;
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    // Never listened on, so closing it leaves no TIME_WAIT behind to block the server.
    if (socket.get() < 0 || ::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error(std::string("cannot find a free loopback TCP port: ") + std::strerror(errno));
    }
    return ntohs(address.sin_port);
}

bool accepts_tcp_connections(std::uint16_t port) {
    const Socket socket;
    const sockaddr_in address = loopback(port);
    return socket.get() >= 0 &&
           ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

} // namespace dtwin::testing
