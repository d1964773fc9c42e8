#include "app/notify_config.hpp"

#include "notify/smtp_sink.hpp"
#include "notify/webhook_sink.hpp"

#include <fmt/format.h>
#include <utility>

namespace dtwin::app {

namespace {

/// A sink's own error names its option ("to"); the user knows the config key.
core::Error name_key(core::Error error, std::string_view prefix) {
    error.where = error.where.empty() ? std::string(prefix) : fmt::format("{}.{}", prefix, error.where);
    return error;
}

core::Result<std::unique_ptr<notify::Sink>> smtp_sink(const Config& config, std::chrono::milliseconds timeout) {
    notify::SmtpSinkOptions options;
    options.url = config.get_string("notify.smtp.url");
    options.from = config.get_string("notify.smtp.from");
    options.to = config.get_string_list("notify.smtp.to");
    if (options.to.empty()) {
        return core::fail(core::ErrorCode::invalid_value, "at least one recipient is required when notify.smtp.url is set",
                          "notify.smtp.to");
    }
    // The key's allowed values are checked when the config is read.
    options.starttls = notify::parse_starttls(config.get_string("notify.smtp.starttls")).value_or(
        notify::StartTls::if_offered);
    if (const auto& user = config.get_string("notify.smtp.username"); !user.empty()) {
        options.username = user;
        options.password = config.get_string("notify.smtp.password");
    }
    options.tls.ca_file = config.get_string("notify.smtp.tls_ca_file");
    options.timeout = timeout;
    options.connect_timeout = std::min(options.connect_timeout, timeout);
    auto sink = notify::SmtpSink::create(std::move(options));
    if (!sink) {
        return std::unexpected(name_key(sink.error(), "notify.smtp"));
    }
    return std::make_unique<notify::SmtpSink>(std::move(*sink));
}

core::Result<std::unique_ptr<notify::Sink>> webhook_sink(const Config& config, std::chrono::milliseconds timeout) {
    notify::WebhookSinkOptions options;
    options.url = config.get_string("notify.webhook.url");
    for (const auto& header : config.get_string_list("notify.webhook.headers")) {
        const auto colon = header.find(':');
        if (colon == std::string::npos || colon == 0) {
            return core::fail(core::ErrorCode::invalid_value,
                              fmt::format("\"{}\" is not a header (expected \"Name: value\")", header),
                              "notify.webhook.headers");
        }
        std::string value = header.substr(colon + 1);
        const auto first = value.find_first_not_of(" \t");
        value.erase(0, first == std::string::npos ? value.size() : first);
        options.headers.push_back({header.substr(0, colon), std::move(value)});
    }
    options.timeout = timeout;
    options.connect_timeout = std::min(options.connect_timeout, timeout);
    auto sink = notify::WebhookSink::create(std::move(options));
    if (!sink) {
        return std::unexpected(name_key(sink.error(), "notify.webhook"));
    }
    return std::make_unique<notify::WebhookSink>(std::move(*sink));
}

} // namespace

core::Result<NotifySetup> notify_setup(const Config& config) {
    NotifySetup setup;
    const std::chrono::milliseconds timeout{config.get_integer("notify.timeout_ms")};
    setup.delivery.retry_min = std::chrono::milliseconds{config.get_integer("notify.retry_min_ms")};
    setup.delivery.retry_max = std::chrono::milliseconds{config.get_integer("notify.retry_max_ms")};
    if (setup.delivery.retry_max < setup.delivery.retry_min) {
        return core::fail(core::ErrorCode::invalid_value, "must not be smaller than notify.retry_min_ms",
                          "notify.retry_max_ms");
    }
    if (!config.get_string("notify.smtp.url").empty()) {
        auto sink = smtp_sink(config, timeout);
        if (!sink) {
            return std::unexpected(sink.error());
        }
        setup.sinks.emplace("smtp", std::move(*sink));
    }
    if (!config.get_string("notify.webhook.url").empty()) {
        auto sink = webhook_sink(config, timeout);
        if (!sink) {
            return std::unexpected(sink.error());
        }
        setup.sinks.emplace("webhook", std::move(*sink));
    }
    return setup;
}

} // namespace dtwin::app
