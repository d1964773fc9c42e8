// JSON documents of what the engine hands out: change events, connectivity changes,
// rejections and counters, as dtwin serve publishes them (docs/protocol.md, "Server
// topics"). Pure; any thread.
#pragma once

#include "core/change_feed.hpp"
#include "core/downsample.hpp"
#include "engine/engine.hpp"
#include "engine/liveness.hpp"

#include <boost/json/object.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dtwin::engine {

/// {"kind": "twin_patched", "twinId": ..., "model": ..., "version": n, "etag": ...,
///  "sourceTime": ..., "updateTime": ..., "patch": [JSON Patch]} (+ relationshipId,
///  relationshipName for relationship events).
[[nodiscard]] boost::json::object change_event_to_json(const core::ChangeEvent& event);

/// {"twinId": ..., "online": bool, "reason": ..., "time": ..., "lastSeen": ... | null}
[[nodiscard]] boost::json::object connectivity_to_json(const ConnectivityChange& change);

/// {"reason": ..., "topic": ..., "gateway": ..., "sequence": n, "rule": ..., "twinId": ...,
///  "pointer": ..., "message": ..., "receiveTime": ...}; empty fields left out.
[[nodiscard]] boost::json::object rejection_to_json(const RejectionReport& report);

/// {"twinId", "rule", "severity", "state": "firing" | "resolved", "reason", "message",
///  "instance", "startedAt", "firedAt", "resolvedAt", "eventTime", "reportTime",
///  "latenessMs", "values"}: an alert as dtwin/alerts/{twin} carries it.
[[nodiscard]] boost::json::object alert_notice_to_json(const AlertNotice& notice);

/// A stored history value as JSON: numbers, booleans and strings as they are, JSON
/// documents parsed (their text when it does not parse).
[[nodiscard]] boost::json::value sample_value_to_json(const store::SampleValue& value);

/// A stored history value as a number for downsampling: booleans count as 0 and 1;
/// strings and JSON documents have none.
[[nodiscard]] std::optional<double> sample_number(const store::SampleValue& value);

/// The numeric samples of `samples` (sample_number), for downsampling; `skipped` receives
/// how many had no number (strings, JSON documents).
[[nodiscard]] std::vector<core::NumericSample> numeric_samples(std::span<const store::HistorySample> samples,
                                                               std::size_t& skipped);

/// {"start", "count", "min", "max", "mean", "last", "lastTime"}: one downsampled bucket of
/// history, as `dtwin history --step --json` and GET /dtwin/history print it.
[[nodiscard]] boost::json::object bucket_to_json(const core::Bucket& bucket);

/// "acknowledged" once dtwin serve applied an acknowledgement (its `details` hold
/// acknowledgedAt), "ack requested" while `pending` waits, else "none".
[[nodiscard]] std::string alert_ack_status(const boost::json::object& details, const store::AlertAckRecord* pending);

/// A stored alert as `dtwin alerts list --json` and GET /dtwin/alerts show it: id, twin,
/// rule, state, times, the record's details inlined (`details` when they are not an
/// object), "ack" (alert_ack_status) and the pending "ackRequest".
[[nodiscard]] boost::json::object alert_record_to_json(const store::AlertRecord& record,
                                                       const std::optional<boost::json::object>& details,
                                                       const store::AlertAckRecord* pending);

/// Every counter of EngineCounters, rejections and replacements as objects by reason.
[[nodiscard]] boost::json::object counters_to_json(const EngineCounters& counters);

} // namespace dtwin::engine
