#include "engine/event_json.hpp"

#include "core/twin.hpp"

#include <boost/json/parse.hpp>
#include <system_error>
#include <type_traits>
#include <variant>

namespace dtwin::engine {

namespace json = boost::json;

json::object change_event_to_json(const core::ChangeEvent& event) {
    json::object out;
    out["kind"] = core::change_kind_name(event.kind);
    out["twinId"] = event.twin_id;
    if (!event.relationship_id.empty()) {
        out["relationshipId"] = event.relationship_id;
        out["relationshipName"] = event.relationship_name;
    }
    if (event.model) {
        out["model"] = event.model->id;
    }
    out["version"] = event.version;
    out["etag"] = core::make_etag(event.version);
    if (event.source_time) {
        out["sourceTime"] = core::format_time(*event.source_time);
    }
    out["updateTime"] = core::format_time(event.update_time);
    out["patch"] = core::patch_to_json(event.patch);
    return out;
}

json::object connectivity_to_json(const ConnectivityChange& change) {
    json::object out;
    out["twinId"] = change.twin_id;
    out["online"] = change.online;
    out["reason"] = change.reason;
    out["time"] = core::format_time(change.time);
    out["lastSeen"] = change.last_seen ? json::value(core::format_time(*change.last_seen)) : json::value(nullptr);
    return out;
}

json::object rejection_to_json(const RejectionReport& report) {
    json::object out;
    out["reason"] = report.reason;
    out["topic"] = report.topic;
    const auto put = [&](std::string_view key, const std::string& value) {
        if (!value.empty()) {
            out[key] = value;
        }
    };
    put("gateway", report.gateway);
    if (report.sequence != 0) {
        out["sequence"] = report.sequence;
    }
    put("rule", report.rule);
    put("twinId", report.twin_id);
    put("pointer", report.pointer);
    out["message"] = report.message;
    out["receiveTime"] = core::format_time(report.receive_time);
    return out;
}

json::object alert_notice_to_json(const AlertNotice& notice) {
    const auto& t = notice.transition;
    const auto time_or_null = [](const std::optional<core::TimePoint>& time) {
        return time ? json::value(core::format_time(*time)) : json::value(nullptr);
    };
    json::object out;
    out["twinId"] = notice.twin_id;
    out["rule"] = notice.rule;
    out["severity"] = notice.severity;
    out["state"] = core::alerts::alert_state_name(t.to);
    out["reason"] = core::alerts::transition_reason_name(t.reason);
    out["message"] = notice.message;
    out["instance"] = t.instance;
    out["startedAt"] = core::format_time(t.started_at);
    out["firedAt"] = time_or_null(t.fired_at);
    out["resolvedAt"] = time_or_null(t.resolved_at);
    out["eventTime"] = core::format_time(t.event_time);
    out["reportTime"] = core::format_time(t.report_time);
    out["latenessMs"] = std::chrono::duration_cast<std::chrono::milliseconds>(t.lateness).count();
    out["values"] = t.values;
    return out;
}

json::object counters_to_json(const EngineCounters& counters) {
    json::object out;
    out["messages"] = counters.messages;
    out["envelopes"] = counters.envelopes;
    out["duplicates"] = counters.duplicates;
    out["sequenceGaps"] = counters.sequence_gaps;
    out["updatesApplied"] = counters.updates_applied;
    out["samples"] = counters.samples;
    out["derivedWrites"] = counters.derived_writes;
    out["commits"] = counters.commits;
    out["samplesPruned"] = counters.samples_pruned;
    out["pruneFailures"] = counters.prune_failures;
    out["ruleErrors"] = counters.rule_errors;
    out["alertTransitions"] = counters.alert_transitions;
    json::object rejected;
    for (const auto& [reason, count] : counters.rejected) {
        rejected[reason] = count;
    }
    out["rejected"] = std::move(rejected);
    json::object replaced;
    for (const auto& [reason, count] : counters.timestamps_replaced) {
        replaced[reason] = count;
    }
    out["timestampsReplaced"] = std::move(replaced);
    return out;
}

json::value sample_value_to_json(const store::SampleValue& value) {
    return std::visit(
        [](const auto& held) -> json::value {
            using Held = std::decay_t<decltype(held)>;
            if constexpr (std::is_same_v<Held, store::JsonText>) {
                std::error_code ec;
                json::value parsed = json::parse(held.text, ec);
                return ec ? json::value(held.text) : parsed;
            } else {
                return json::value(held);
            }
        },
        value);
}

std::optional<double> sample_number(const store::SampleValue& value) {
    if (const auto* number = std::get_if<double>(&value)) {
        return *number;
    }
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        return static_cast<double>(*integer);
    }
    if (const auto* flag = std::get_if<bool>(&value)) {
        return *flag ? 1.0 : 0.0;
    }
    return std::nullopt;
}

json::object bucket_to_json(const core::Bucket& bucket) {
    return json::object{{"start", core::format_time(bucket.start)},
                        {"count", bucket.count},
                        {"min", bucket.min},
                        {"max", bucket.max},
                        {"mean", bucket.mean},
                        {"last", bucket.last},
                        {"lastTime", core::format_time(bucket.last_time)}};
}

/// "acknowledged" once dtwin serve applied an acknowledgement, "ack requested" while one
/// waits for it, else "none".
std::string alert_ack_status(const json::object& details, const store::AlertAckRecord* pending) {
    if (details.contains("acknowledgedAt")) {
        return "acknowledged";
    }
    return pending != nullptr ? "ack requested" : "none";
}

namespace {

json::value optional_time(const std::optional<core::TimePoint>& time) {
    return time ? json::value(core::format_time(*time)) : json::value(nullptr);
}

} // namespace

json::object alert_record_to_json(const store::AlertRecord& record, const std::optional<json::object>& details,
                                  const store::AlertAckRecord* pending) {
    json::object out{{"id", record.id},
                     {"twin", record.twin},
                     {"rule", record.rule},
                     {"state", record.state},
                     {"raisedTime", core::format_time(record.raised_time)},
                     {"updatedTime", core::format_time(record.updated_time)},
                     {"resolvedTime", optional_time(record.resolved_time)}};
    if (!details) {
        out["details"] = record.details; // not an object: shown as stored
    } else {
        for (const auto& [key, value] : *details) {
            out.emplace(key, value); // the record's own fields win over a clashing key
        }
    }
    out["ack"] = alert_ack_status(details.value_or(json::object{}), pending);
    if (pending != nullptr) {
        out["ackRequest"] = json::object{{"requestedTime", core::format_time(pending->requested_time)},
                                         {"by", pending->by},
                                         {"comment", pending->comment}};
    }
    return out;
}

std::vector<core::NumericSample> numeric_samples(std::span<const store::HistorySample> samples, std::size_t& skipped) {
    std::vector<core::NumericSample> numeric;
    numeric.reserve(samples.size());
    skipped = 0;
    for (const auto& sample : samples) {
        if (auto number = sample_number(sample.value)) {
            numeric.push_back({sample.source_time, *number});
        } else {
            ++skipped;
        }
    }
    return numeric;
}

} // namespace dtwin::engine
