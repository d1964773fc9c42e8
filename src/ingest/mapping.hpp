// The payload-mapping engine: one MQTT message in, twin updates and rejections out.
//
// Pure: no I/O, no threads, no clock. The subscriber passes the receive time; the same
// inputs always give the same result. Callable from any thread.
//
// What happens to a message (details in docs/architecture.md, "Ingest mapping"):
//   1. Over IngestLimits::max_payload_bytes            -> rejected, payload_too_large
//   2. No rule's topic filter matches the topic        -> rejected, no_matching_rule
//   3. Not valid UTF-8, then not valid JSON            -> rejected, invalid_utf8 / invalid_json
//   4. Every matching rule, in rule order, builds one update. A problem with one rule's
//      fields rejects that update only; the others of the same message go through.
//   5. Source time: invalid, missing, or ahead of receive_time by more than max_skew
//      -> replaced by receive_time and flagged. Older than receive_time - max_lateness
//      -> that update is rejected, too_late. Late but within max_lateness -> kept.
#pragma once

#include "core/json_patch.hpp"
#include "core/time.hpp"
#include "ingest/mapping_rule.hpp"

#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::ingest {

/// Limits on event time relative to the receive time.
struct TimeOptions {
    /// A source time later than receive_time + max_skew is not trusted: the device clock
    /// is wrong. It is replaced by the receive time and the update flagged.
    std::chrono::microseconds max_skew = std::chrono::seconds{30};
    /// A source time earlier than receive_time - max_lateness is rejected (too_late).
    /// Generous by default: a gateway backlog after a long outage is normal late data.
    std::chrono::microseconds max_lateness = std::chrono::hours{24 * 7};
};

/// Limits on what a message may cost.
struct IngestLimits {
    /// Largest payload accepted, in bytes.
    std::size_t max_payload_bytes = 256 * 1024;
};

/// Why a message or one of its updates was rejected. Stable names (reject_reason_name)
/// key the per-reason counters and log lines.
enum class RejectReason {
    payload_too_large, ///< "payload_too_large": over IngestLimits::max_payload_bytes
    invalid_utf8,      ///< "invalid_utf8": the payload bytes are not UTF-8
    invalid_json,      ///< "invalid_json": the payload is not one JSON document
    no_matching_rule,  ///< "no_matching_rule": no rule's topic filter matches
    missing_field,     ///< "missing_field": a required field (or the base) is absent
    wrong_type,        ///< "wrong_type": a field holds JSON of another type
    out_of_range,      ///< "out_of_range": a number outside the property type's range
    too_late,          ///< "too_late": source time older than max_lateness
    invalid_twin_id,   ///< "invalid_twin_id": the rule's twin id template failed
};

/// Stable name of a reject reason ("too_late").
[[nodiscard]] std::string_view reject_reason_name(RejectReason reason) noexcept;

/// Why an update's source time is the receive time rather than the payload's.
enum class TimestampReplacement {
    none,                  ///< the payload's time was used (or no timestamp is configured)
    missing,               ///< the configured timestamp field is absent
    invalid,               ///< not a valid time ("0000-00-00T00:00:00.000Z", wrong type)
    ahead_of_receive_time, ///< more than max_skew ahead of the receive time
};

/// Stable name of a replacement reason ("ahead_of_receive_time").
[[nodiscard]] std::string_view timestamp_replacement_name(TimestampReplacement why) noexcept;

/// One property value of an update.
struct PropertyValue {
    std::string name;
    boost::json::value value;
};

/// The properties one rule produced for one twin from one message.
struct TwinUpdate {
    std::string twin_id;
    /// Name of the rule that produced it.
    std::string rule;
    /// In the rule's field order; the timestamp property, when configured, comes last.
    std::vector<PropertyValue> properties;
    /// Event time of every property of this update.
    core::TimePoint source_time;
    /// Set when source_time is the receive time instead of the payload's timestamp; the
    /// twin engine flags the twin (clock skew) when it is not `none`.
    TimestampReplacement timestamp_replaced = TimestampReplacement::none;
    /// The payload's timestamp text (or JSON) when it was replaced, for the log line.
    std::string original_timestamp;
};

/// The update's properties as JSON Patch "add" operations ("/temperature", value): "add"
/// creates a missing property and replaces an existing one.
[[nodiscard]] std::vector<core::PatchOperation> to_patch(const TwinUpdate& update);

/// A message, or one rule's update of it, that was not applied.
struct Rejection {
    RejectReason reason = RejectReason::invalid_json;
    /// Rule name; empty when the whole message was rejected before any rule ran.
    std::string rule;
    /// Twin id, when it was known.
    std::string twin_id;
    /// JSON pointer into the payload at fault (absolute, base included); empty when none.
    std::string pointer;
    /// For humans: names the topic and the pointer.
    std::string message;
};

/// Everything map_message() made of one message.
struct MappingResult {
    std::vector<TwinUpdate> updates;
    std::vector<Rejection> rejections;
};

/// Maps one message. `rules` should have passed validate_rule(); a rule that did not may
/// match nothing or reject its updates. Never throws on any payload.
[[nodiscard]] MappingResult map_message(std::span<const MappingRule> rules, std::string_view topic,
                                        std::string_view payload, core::TimePoint receive_time,
                                        const TimeOptions& time_options = {}, const IngestLimits& limits = {});

/// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points
/// above U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view bytes) noexcept;

} // namespace dtwin::ingest
