#include "notify/webhook_sink.hpp"

#include "notify/curl_easy.hpp"
#include "notify/endpoint_url.hpp"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <curl/curl.h>
#include <new>

#ifndef DTWIN_VERSION
#error "DTWIN_VERSION must be defined (src/notify/CMakeLists.txt)"
#endif

namespace dtwin::notify {

namespace {

constexpr std::array<SchemeDefault, 2> k_http_schemes = {{{"http", 80}, {"https", 443}}};
/// How much of a failed reply's body goes into the error message.
constexpr std::size_t k_reply_excerpt = 200;

struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

/// CURLOPT_WRITEFUNCTION: keeps the start of the reply body for error messages, drops the
/// rest. Cannot throw.
std::size_t keep_reply_start(char* data, std::size_t size, std::size_t count, void* context) noexcept {
    auto* reply = static_cast<std::string*>(context);
    const std::size_t n = size * count;
    const std::size_t room = k_reply_excerpt - std::min(reply->size(), k_reply_excerpt);
    try {
        reply->append(data, std::min(n, room));
    } catch (...) {
        // Out of memory: the excerpt is only for the message.
    }
    return n;
}

bool is_token(std::string_view name) {
    static constexpr std::string_view k_token_symbols = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || k_token_symbols.find(c) != std::string_view::npos;
    });
}

bool is_field_value(std::string_view value) {
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && byte != '\t') || byte == 0x7f;
    });
}

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

core::Result<void> check_options(const WebhookSinkOptions& options) {
    const auto invalid = [](std::string message, std::string option) {
        return core::fail(core::ErrorCode::invalid_value, std::move(message), std::move(option));
    };
    for (const HttpHeader& header : options.headers) {
        if (!is_token(header.name)) {
            return invalid("'" + header.name + "' is not a valid header name", "headers");
        }
        if (!is_field_value(header.value)) {
            return invalid("the value of header '" + header.name + "' holds control characters", "headers");
        }
        for (const std::string_view framing : {"Content-Length", "Host", "Transfer-Encoding"}) {
            if (same_name(header.name, framing)) {
                return invalid("header '" + header.name + "' is set by dtwin and may not be configured", "headers");
            }
        }
    }
    if (options.timeout <= std::chrono::milliseconds::zero() ||
        options.connect_timeout <= std::chrono::milliseconds::zero()) {
        return invalid("timeouts must be positive", "timeout");
    }
    return {};
}

/// dtwin's headers first, the configured ones after: curl sends the last of a name.
Slist request_headers(const WebhookSinkOptions& options) {
    Slist list;
    const auto append = [&](const std::string& line) {
        // curl_slist_append returns the head: a new list the first time, the same one after.
        curl_slist* appended = curl_slist_append(list.get(), line.c_str());
        if (appended == nullptr) {
            throw std::bad_alloc();
        }
        static_cast<void>(list.release());
        list.reset(appended);
    };
    append("Content-Type: application/json");
    // No "Expect: 100-continue" round trip before the body.
    append("Expect:");
    for (const HttpHeader& header : options.headers) {
        // "Name;" is curl's way of sending a header with an empty value ("Name:" removes it).
        append(header.value.empty() ? header.name + ";" : header.name + ": " + header.value);
    }
    return list;
}

} // namespace

struct WebhookSink::State {
    WebhookSinkOptions options;
    EndpointUrl url;
    detail::CurlEasy curl;
    Slist headers;
};

core::Result<WebhookSink> WebhookSink::create(WebhookSinkOptions options) {
    auto url = parse_endpoint_url(options.url, k_http_schemes, true, "url");
    if (!url) {
        return std::unexpected(url.error());
    }
    if (auto checked = check_options(options); !checked) {
        return std::unexpected(checked.error());
    }
    auto curl = detail::CurlEasy::create();
    if (!curl) {
        return std::unexpected(curl.error());
    }
    Slist headers = request_headers(options);
    return WebhookSink(
        std::make_unique<State>(State{std::move(options), std::move(*url), std::move(*curl), std::move(headers)}));
}

WebhookSink::WebhookSink(std::unique_ptr<State> state) : m_state(std::move(state)) {}
WebhookSink::WebhookSink(WebhookSink&&) noexcept = default;
WebhookSink& WebhookSink::operator=(WebhookSink&&) noexcept = default;
WebhookSink::~WebhookSink() = default;

const std::string& WebhookSink::endpoint() const {
    return m_state->url.endpoint;
}

const WebhookSinkOptions& WebhookSink::options() const {
    return m_state->options;
}

SendResult WebhookSink::send(const Notification& notification) {
    const WebhookSinkOptions& options = m_state->options;
    const std::string body = boost::json::serialize(notification_to_json(notification));
    std::string reply;

    detail::CurlEasy& easy = m_state->curl;
    easy.prepare({.timeout = options.timeout, .connect_timeout = options.connect_timeout, .tls = options.tls});
    CURL* curl = easy.handle();
    curl_easy_setopt(curl, CURLOPT_URL, m_state->url.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "dtwin/" DTWIN_VERSION);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, m_state->headers.get());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_reply_start);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);

    auto sent = easy.perform("webhook POST", endpoint());
    // The handle must not keep pointers into this frame's buffers.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
    if (!sent) {
        return std::unexpected(SendError{std::move(sent.error()), false});
    }
    const long status = easy.response_code();
    if (status < 200 || status > 299) {
        std::string message = "webhook POST returned HTTP status " + std::to_string(status);
        if (!reply.empty()) {
            message += ": " + reply;
        }
        // A client error is final unless the receiver asks to come back (timeout, too
        // early, rate limited); server errors are worth another try.
        const bool permanent = status >= 400 && status <= 499 && status != 408 && status != 425 && status != 429;
        return std::unexpected(SendError{{core::ErrorCode::io, std::move(message), endpoint()}, permanent});
    }
    return {};
}

} // namespace dtwin::notify
