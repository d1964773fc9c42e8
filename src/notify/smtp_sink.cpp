#include "notify/smtp_sink.hpp"

#include "notify/curl_easy.hpp"
#include "notify/endpoint_url.hpp"
#include "notify/mail_message.hpp"

#include <array>
#include <cstring>
#include <curl/curl.h>

namespace dtwin::notify {

namespace {

constexpr std::array<SchemeDefault, 2> k_smtp_schemes = {{{"smtp", 25}, {"smtps", 465}}};

struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

/// The message being uploaded and how much of it curl has taken.
struct Upload {
    std::string_view data;
    std::size_t offset = 0;
};

/// CURLOPT_READFUNCTION: hands curl the next piece of the message. Cannot throw.
std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* context) noexcept {
    auto* upload = static_cast<Upload*>(context);
    const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.data() + upload->offset, n);
    upload->offset += n;
    return n;
}

core::Result<void> invalid(std::string message, std::string option) {
    return core::fail(core::ErrorCode::invalid_value, std::move(message), std::move(option));
}

core::Result<void> check_options(const SmtpSinkOptions& options) {
    if (!is_plain_mail_address(options.from)) {
        return invalid("not a bare mail address (local@domain): '" + options.from + "'", "from");
    }
    if (options.to.empty()) {
        return invalid("at least one recipient is needed", "to");
    }
    for (const std::string& address : options.to) {
        if (!is_plain_mail_address(address)) {
            return invalid("not a bare mail address (local@domain): '" + address + "'", "to");
        }
    }
    if (options.password && !options.username) {
        return invalid("a password needs a username", "password");
    }
    if (options.timeout <= std::chrono::milliseconds::zero() ||
        options.connect_timeout <= std::chrono::milliseconds::zero()) {
        return invalid("timeouts must be positive", "timeout");
    }
    return {};
}

long use_ssl_level(StartTls mode) {
    switch (mode) {
    case StartTls::none:
        return CURLUSESSL_NONE;
    case StartTls::if_offered:
        return CURLUSESSL_TRY;
    case StartTls::required:
        return CURLUSESSL_ALL;
    }
    return CURLUSESSL_ALL;
}

} // namespace

struct SmtpSink::State {
    SmtpSinkOptions options;
    EndpointUrl url;
    detail::CurlEasy curl;
};

std::string_view starttls_name(StartTls mode) {
    switch (mode) {
    case StartTls::none:
        return "none";
    case StartTls::if_offered:
        return "try";
    case StartTls::required:
        return "required";
    }
    return "required";
}

std::optional<StartTls> parse_starttls(std::string_view name) {
    for (const StartTls mode : {StartTls::none, StartTls::if_offered, StartTls::required}) {
        if (starttls_name(mode) == name) {
            return mode;
        }
    }
    return std::nullopt;
}

core::Result<SmtpSink> SmtpSink::create(SmtpSinkOptions options) {
    auto url = parse_endpoint_url(options.url, k_smtp_schemes, false, "url");
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
    return SmtpSink(std::make_unique<State>(State{std::move(options), std::move(*url), std::move(*curl)}));
}

SmtpSink::SmtpSink(std::unique_ptr<State> state) : m_state(std::move(state)) {}
SmtpSink::SmtpSink(SmtpSink&&) noexcept = default;
SmtpSink& SmtpSink::operator=(SmtpSink&&) noexcept = default;
SmtpSink::~SmtpSink() = default;

const std::string& SmtpSink::endpoint() const {
    return m_state->url.endpoint;
}

const SmtpSinkOptions& SmtpSink::options() const {
    return m_state->options;
}

SendResult SmtpSink::send(const Notification& notification) {
    const SmtpSinkOptions& options = m_state->options;
    const MailHeaders headers{
        .from = options.from,
        .from_name = options.from_name,
        .to = options.to,
        .message_id = make_message_id(notification.id, options.from),
        .date = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()),
    };
    const std::string message = render_mail_message(headers, notification);

    detail::CurlEasy& easy = m_state->curl;
    easy.prepare({.timeout = options.timeout, .connect_timeout = options.connect_timeout, .tls = options.tls});
    CURL* curl = easy.handle();
    curl_easy_setopt(curl, CURLOPT_URL, m_state->url.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (m_state->url.scheme == "smtp") {
        curl_easy_setopt(curl, CURLOPT_USE_SSL, use_ssl_level(options.starttls));
    }
    if (options.username) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, options.username->c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, options.password.value_or("").c_str());
    }
    const std::string sender = "<" + options.from + ">";
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender.c_str());
    Slist recipients;
    for (const std::string& address : options.to) {
        curl_slist* appended = curl_slist_append(recipients.get(), ("<" + address + ">").c_str());
        if (appended == nullptr) {
            return std::unexpected(SendError{{core::ErrorCode::io, "out of memory listing the recipients", endpoint()}});
        }
        // curl_slist_append returns the head: a new list the first time, the same one after.
        static_cast<void>(recipients.release());
        recipients.reset(appended);
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());

    Upload upload{message, 0};
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));

    auto sent = easy.perform("sending mail", endpoint());
    // The handle must not keep pointers into this frame's buffers.
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(curl, CURLOPT_READDATA, nullptr);
    if (!sent) {
        // A 5xx reply is the server's final word on this message (RFC 5321, 4.2.1).
        const long reply = easy.response_code();
        return std::unexpected(SendError{std::move(sent.error()), reply >= 500 && reply <= 599});
    }
    return {};
}

} // namespace dtwin::notify
