// How alerts are written down: the store record of an alert instance (store::AlertRecord,
// mapping described in core/alerts/alert_tracker.hpp), the notification sinks deliver,
// and the way back from a record to the tracker's snapshot after a restart.
//
// Record details (JSON text; `dtwin alerts list --json` shows them):
//   severity, message, instance, reason (of the last transition), eventTime, reportTime,
//   latenessMs (of the last transition), values, firedAt, acknowledgedAt, acknowledgedBy,
//   ackComment, lastNotifiedAt, lastSampleAt (the last four only when set).
//
// Threads: pure functions; any thread.
#pragma once

#include "core/alerts/alert_tracker.hpp"
#include "core/error.hpp"
#include "notify/notification.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace dtwin::engine {

/// "<twin>/<rule>/<instance>": the id of an alert instance in the store.
[[nodiscard]] std::string alert_id(std::string_view twin, std::string_view rule, std::uint64_t instance);

/// Who acknowledged an alert, when the transition is an acknowledgement.
struct AckInfo {
    std::string by;
    std::string comment;
};

/// What a record says beyond the tracker's state.
struct AlertText {
    std::string severity; ///< "info" | "warning" | "critical"
    std::string message;  ///< the rule's message, rendered when the instance fired
};

/// The record of @p transition's instance; @p snapshot is the tracker's state after it
/// (acknowledgement, last notification and last sample come from there).
[[nodiscard]] store::AlertRecord alert_record(const core::alerts::AlertKey& key, const AlertText& text,
                                              const core::alerts::AlertTransition& transition,
                                              const core::alerts::AlertSnapshot& snapshot, const AckInfo& ack = {});

/// The notification of @p transition for the sinks: id "<alert id>/<reason>" (a repeat
/// adds its report time in microseconds, so each repeat is a new notification), texts by
/// notify::write_default_texts.
[[nodiscard]] notify::Notification alert_notification(const core::alerts::AlertKey& key, const AlertText& text,
                                                      const core::alerts::AlertTransition& transition);

/// The tracker snapshot a record describes, and its texts. Error (invalid_json, where =
/// the record id): a state or time the record cannot have come from alert_record().
struct RestoredAlert {
    core::alerts::AlertSnapshot snapshot;
    AlertText text;
    AckInfo ack;
};
[[nodiscard]] core::Result<RestoredAlert> restore_alert(const store::AlertRecord& record);

/// Whether `alert` may be acknowledged: firing, not acknowledged yet, no acknowledgement
/// request waiting in `store`. Errors: invalid_value (not firing), already_exists (with
/// when and by whom), the store's read errors.
[[nodiscard]] core::Result<void> check_acknowledgeable(store::Store& store, const store::AlertRecord& alert);

} // namespace dtwin::engine
