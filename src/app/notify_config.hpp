// The alert delivery of `dtwin serve` from the notify.* config keys: which sinks exist
// (smtp when notify.smtp.url is set, webhook when notify.webhook.url is) and how the
// outbox worker retries. Config::engine_options() names the same sinks, so the engine
// enqueues one outbox record per sink built here.
//
// Threads: any; the sinks then belong to the outbox worker.
#pragma once

#include "app/config.hpp"
#include "core/error.hpp"
#include "notify/outbox_delivery.hpp"
#include "notify/sink.hpp"

#include <map>
#include <memory>
#include <string>

namespace dtwin::app {

struct NotifySetup {
    std::map<std::string, std::unique_ptr<notify::Sink>, std::less<>> sinks; ///< by name: "smtp", "webhook"
    notify::OutboxDeliveryOptions delivery;
};

/// Builds the sinks. Errors (invalid_value) name the config key (where), e.g.
/// "notify.smtp.to: required when notify.smtp.url is set".
[[nodiscard]] core::Result<NotifySetup> notify_setup(const Config& config);

} // namespace dtwin::app
