// The durable outbox: notifications waiting for delivery, kept in the store
// (store::OutboxRecord) so that a sink that is down, or a crash, loses none of them.
//
// Whoever raises an alert puts one record per configured sink into the SAME write batch
// as the alert transition it reports (enqueue_notification): either both are committed or
// neither is. The delivery worker (outbox_delivery.hpp) sends what is due, deletes what a
// sink took, and reschedules what failed with an exponential backoff.
//
// Delivery is at least once: a crash between a sink taking a notification and the record's
// delete sends it again after the restart. Each notification carries a stable id (the
// mail's Message-ID, the webhook body's "id") so that receivers can drop such a repeat.
//
// Threads: pure functions; any thread.
#pragma once

#include "core/error.hpp"
#include "core/time.hpp"
#include "notify/notification.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace dtwin::notify {

/// The record's payload: notification_to_json() plus the HTML body ("html"), as JSON text.
[[nodiscard]] std::string outbox_payload(const Notification& notification);

/// The inverse of outbox_payload. Error (invalid_json, where = @p where): not JSON, or a
/// field missing or of the wrong type (named in the message).
[[nodiscard]] core::Result<Notification> notification_from_payload(std::string_view payload, std::string_view where);

/// The outbox record id of @p notification_id for @p sink: "<notification id>#<sink>".
[[nodiscard]] std::string outbox_record_id(std::string_view notification_id, std::string_view sink);

/// Adds one outbox record per sink of @p sinks to @p batch, due at once (@p now).
/// @p notification must have a non-empty id.
void enqueue_notification(store::WriteBatch& batch, const Notification& notification,
                          std::span<const std::string> sinks, core::TimePoint now);

/// How long to wait before attempt number @p attempts + 1 after @p attempts failed ones:
/// @p min doubled per failed attempt, never more than @p max (min, 2 min, 4 min, ...).
[[nodiscard]] std::chrono::milliseconds retry_delay(std::uint32_t attempts, std::chrono::milliseconds min,
                                                    std::chrono::milliseconds max);

} // namespace dtwin::notify
