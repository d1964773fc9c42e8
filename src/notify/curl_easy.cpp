#include "notify/curl_easy.hpp"

#include <algorithm>
#include <curl/curl.h>

namespace dtwin::notify::detail {

namespace {

constexpr std::size_t k_error_buffer_size = CURL_ERROR_SIZE;

/// curl_global_init once per process (a function-local static: thread-safe), never
/// undone: other parts of the process may use curl or OpenSSL until exit.
bool curl_initialised() {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return initialised;
}

long as_milliseconds(std::chrono::milliseconds duration) {
    return static_cast<long>(duration.count());
}

} // namespace

void CurlEasy::HandleDeleter::operator()(void* handle) const noexcept {
    curl_easy_cleanup(handle);
}

CurlEasy::CurlEasy(void* handle) : m_handle(handle), m_error_buffer(std::make_unique<char[]>(k_error_buffer_size)) {}

core::Result<CurlEasy> CurlEasy::create() {
    if (!curl_initialised()) {
        return core::fail(core::ErrorCode::io, "curl_global_init failed");
    }
    CURL* handle = curl_easy_init();
    if (handle == nullptr) {
        return core::fail(core::ErrorCode::io, "curl_easy_init failed");
    }
    return CurlEasy(handle);
}

void CurlEasy::prepare(const TransferSettings& settings) {
    CURL* curl = m_handle.get();
    curl_easy_reset(curl);
    m_error_buffer[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, m_error_buffer.get());
    // Timeouts would otherwise use SIGALRM for name resolution: not with threads.
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, as_milliseconds(settings.timeout));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     as_milliseconds(std::min(settings.connect_timeout, settings.timeout)));
    if (!settings.tls.ca_file.empty()) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, settings.tls.ca_file.c_str());
    }
    if (settings.tls.insecure) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

core::Result<void> CurlEasy::perform(std::string_view what, const std::string& endpoint) {
    const CURLcode code = curl_easy_perform(m_handle.get());
    if (code == CURLE_OK) {
        return {};
    }
    std::string message = std::string(what) + " failed: " + curl_easy_strerror(code);
    if (m_error_buffer[0] != '\0') {
        message += std::string(": ") + m_error_buffer.get();
    }
    // Only an error reply explains anything (SMTP 4xx/5xx, HTTP 4xx/5xx).
    if (const long reply = response_code(); reply >= 400) {
        message += " (server replied " + std::to_string(reply) + ")";
    }
    return core::fail(core::ErrorCode::io, std::move(message), endpoint);
}

long CurlEasy::response_code() const {
    long code = 0;
    curl_easy_getinfo(m_handle.get(), CURLINFO_RESPONSE_CODE, &code);
    return code;
}

} // namespace dtwin::notify::detail
