// Private to src/notify: one libcurl easy handle with what every sink sets on it
// (timeouts, TLS checks, no signals) and curl's failures turned into core::Error.
//
// curl's own header is included only by the .cpp files of this folder: here a CURL* is
// a void* (as curl.h itself declares it for applications).
//
// Threads: one thread at a time per object (libcurl's rule for an easy handle);
// different objects on different threads at once.
#pragma once

#include "core/error.hpp"
#include "notify/sink.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace dtwin::notify::detail {

/// What bounds one transfer and how it checks TLS.
struct TransferSettings {
    /// The whole transfer: connect, TLS, dialogue, upload, reply.
    std::chrono::milliseconds timeout{};
    /// Only the TCP (and TLS) connection; capped at `timeout`.
    std::chrono::milliseconds connect_timeout{};
    TlsOptions tls{};
};

class CurlEasy {
public:
    /// A new handle (curl_global_init runs once per process first). io when curl cannot
    /// be initialised or make one (out of memory).
    static core::Result<CurlEasy> create();

    /// The CURL* for curl_easy_setopt in this folder's .cpp files.
    [[nodiscard]] void* handle() const { return m_handle.get(); }

    /// Forgets every option of the previous transfer (curl_easy_reset; open connections
    /// stay cached for reuse), then sets `settings`, no signals (threads) and the error
    /// buffer.
    void prepare(const TransferSettings& settings);

    /// curl_easy_perform. On failure an io Error whose `where` is `endpoint` and whose
    /// message is "<what> failed: <curl's reason>: <curl's detail>", plus "(server
    /// replied <code>)" when the server's last reply was an error (400 and up).
    core::Result<void> perform(std::string_view what, const std::string& endpoint);

    /// The last reply code of the server (HTTP status, SMTP reply code); 0 when none.
    [[nodiscard]] long response_code() const;

private:
    struct HandleDeleter {
        void operator()(void* handle) const noexcept;
    };
    explicit CurlEasy(void* handle);

    std::unique_ptr<void, HandleDeleter> m_handle;
    /// curl writes its detailed message here; on the heap so its address survives moves.
    std::unique_ptr<char[]> m_error_buffer;
};

} // namespace dtwin::notify::detail
