#include "engine/engine.hpp"

#include "engine/staging.hpp"
#include "ingest/mapping.hpp"
#include "ingest/topic_filter.hpp"
#include "notify/outbox.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <deque>
#include <variant>

namespace dtwin::engine {

namespace json = boost::json;

namespace {

constexpr std::string_view k_envelope_prefix = "dtwin/gw/";
constexpr std::string_view k_envelope_suffix = "/up";
/// How often retention runs.
constexpr auto k_prune_interval = std::chrono::hours{1};

bool is_envelope_topic(std::string_view topic) {
    return topic.starts_with(k_envelope_prefix) && topic.ends_with(k_envelope_suffix);
}

std::string_view graph_reason(core::ErrorCode code) {
    switch (code) {
    case core::ErrorCode::unknown_twin:
        return "unknown_twin";
    default:
        return "invalid_value";
    }
}

} // namespace

std::string gateway_cursor_name(std::string_view gateway) {
    return "gw:" + std::string(gateway);
}

Engine::Engine(core::TwinGraph& graph, store::Store& store, EngineOptions options, const core::Clock& clock)
    : m_graph(graph), m_store(store), m_options(std::move(options)), m_clock(clock), m_derived(m_options),
      m_liveness(m_options), m_rules(m_options.rules) {}

core::Result<void> Engine::start() {
    auto cursors = m_store.cursors();
    if (!cursors) {
        return std::unexpected(cursors.error());
    }
    for (const auto& cursor : *cursors) {
        if (cursor.source.starts_with("gw:")) {
            m_cursors[cursor.source.substr(3)] = cursor.sequence;
            m_committed_cursors[cursor.source.substr(3)] = cursor.sequence;
        }
    }
    const core::TimePoint now = m_clock.now();
    m_liveness.seed(m_graph, now);
    const auto last_true = [this](const std::string& twin, const std::string& property,
                                  core::TimePoint from) -> std::optional<core::TimePoint> {
        auto samples = m_store.history({twin, property, from});
        if (!samples) {
            return std::nullopt;
        }
        for (auto it = samples->rbegin(); it != samples->rend(); ++it) {
            if (const bool* motion = std::get_if<bool>(&it->value); motion != nullptr && *motion) {
                return it->source_time;
            }
        }
        return std::nullopt;
    };
    apply_derived(m_derived.seed(m_graph, now, last_true));
    if (!m_options.rules.empty()) {
        if (auto restored = restore_alerts(); !restored) {
            return restored;
        }
        m_rules.watch_twins(m_graph, now);
        if (auto synced = sync_alert_requests(); !synced) {
            return synced;
        }
    }
    if (m_options.history_retention) {
        m_next_prune = now;
    }
    return {};
}

std::vector<std::string> Engine::subscriptions() const {
    std::vector<std::string> filters;
    for (const auto& rule : m_options.mappings) {
        filters.push_back(ingest::subscription_filter(rule.topic_filter));
    }
    filters.emplace_back("dtwin/gw/+/up");
    for (auto& filter : m_liveness.status_filters()) {
        filters.push_back(std::move(filter));
    }
    std::sort(filters.begin(), filters.end());
    filters.erase(std::unique(filters.begin(), filters.end()), filters.end());
    return filters;
}

void Engine::on_message(std::string_view topic, std::string_view payload, core::TimePoint receive_time) {
    if (is_envelope_topic(topic)) {
        on_envelope(topic, payload, receive_time);
        return;
    }
    std::optional<ConnectivityChange> change;
    if (m_liveness.on_status(m_graph, topic, payload, receive_time, change)) {
        if (change) {
            apply_connectivity(*change);
        }
        return;
    }
    on_device_message(topic, payload, receive_time, {});
}

void Engine::on_envelope(std::string_view topic, std::string_view payload, core::TimePoint receive_time) {
    auto envelope = ingest::decode_envelope(topic, payload, m_options.envelope_limits);
    if (!envelope) {
        auto gateway = ingest::gateway_from_topic(topic);
        reject({"invalid_envelope",
                std::string(topic),
                gateway ? *gateway : std::string(),
                0,
                {},
                {},
                envelope.error().where,
                envelope.error().to_string(),
                receive_time});
        return;
    }
    ++m_counters.envelopes;
    const std::string& gateway = envelope->gateway;
    std::uint64_t& cursor = m_cursors[gateway];
    for (const auto& message : envelope->messages) {
        if (message.sequence <= cursor) {
            ++m_counters.duplicates;
            continue;
        }
        if (message.sequence != cursor + 1 && cursor != 0) {
            ++m_counters.sequence_gaps;
        }
        on_device_message(message.topic, message.payload, message.receive_time, {gateway, message.sequence});
        cursor = message.sequence;
    }
    // Acked after the commit that holds the cursor; a replay of committed messages only
    // needs the ack again.
    m_pending_acks[gateway] = cursor;
}

void Engine::on_device_message(std::string_view topic, std::string_view payload, core::TimePoint receive_time,
                               const Origin& origin) {
    ++m_counters.messages;
    ++m_pending_messages;
    auto mapped = ingest::map_message(m_options.mappings, topic, payload, receive_time, m_options.time_options,
                                      m_options.ingest_limits);
    for (auto& rejection : mapped.rejections) {
        reject({std::string(ingest::reject_reason_name(rejection.reason)), std::string(topic),
                std::string(origin.gateway), origin.sequence, std::move(rejection.rule), std::move(rejection.twin_id),
                std::move(rejection.pointer), std::move(rejection.message), receive_time});
    }
    for (const auto& update : mapped.updates) {
        apply_update(update, topic, receive_time, origin);
    }
}

void Engine::apply_update(const ingest::TwinUpdate& update, std::string_view topic, core::TimePoint receive_time,
                          const Origin& origin) {
    const std::vector<core::PatchOperation> patch = ingest::to_patch(update);
    core::WriteOptions options{.source_time = update.source_time};
    if (origin.sequence != 0) {
        options.sequence = origin.sequence;
    }
    std::map<std::string, json::value> previous;
    if (!m_options.rules.empty()) {
        if (const core::Twin* before = m_graph.find_twin(update.twin_id)) {
            for (const auto& property : update.properties) {
                if (const json::value* value = before->property(property.name)) {
                    previous.emplace(property.name, *value);
                }
            }
        }
    }
    auto result = m_graph.patch_twin(update.twin_id, patch, options);
    if (!result) {
        reject({std::string(graph_reason(result.error().code)),
                std::string(topic),
                std::string(origin.gateway),
                origin.sequence,
                update.rule,
                update.twin_id,
                {},
                result.error().to_string(),
                receive_time});
        return;
    }
    ++m_counters.updates_applied;
    // History identity (store.hpp): a gateway's sequence; for a direct message 0, so that
    // the broker redelivering it after a crash rewrites the same samples. A receive-time
    // stamp is unique by itself but gets the version, to keep equal stamps apart.
    std::uint64_t sequence = origin.sequence;
    if (sequence == 0 && update.timestamp_replaced != ingest::TimestampReplacement::none) {
        sequence = result->version;
    }
    m_counters.samples += stage_history(m_batch, update.twin_id, *result, update.source_time, sequence);
    // A newer reading that repeats the stored value is not in the WriteResult, but it is a
    // reading all the same: history keeps it (start() finds the last motion there), and the
    // rules see it (a stuck sensor repeats itself; a silent one does not).
    std::vector<std::string> sampled;
    for (const auto& property : update.properties) {
        const std::string path = "/" + property.name;
        const auto same_path = [&](const auto& entry) { return entry.path == path; };
        if (std::none_of(result->applied.begin(), result->applied.end(), same_path) &&
            std::none_of(result->stale.begin(), result->stale.end(), same_path)) {
            if (auto value = sample_value(property.value)) {
                m_batch.append_sample({update.twin_id, property.name, update.source_time, sequence, std::move(*value)});
                ++m_counters.samples;
            }
            if (!m_options.rules.empty()) {
                sampled.push_back(property.name);
            }
        }
    }
    // Even an unchanged value moved its source time on: the twin record is rewritten.
    m_dirty_twins.insert(update.twin_id);
    note_clock(update, receive_time);
    if (const core::Twin* twin = m_graph.find_twin(update.twin_id)) {
        if (auto change = m_liveness.on_seen(*twin, receive_time)) {
            apply_connectivity(*change);
        }
    }
    if (!m_options.rules.empty() && (result->changed() || !sampled.empty())) {
        std::vector<std::string> changed;
        for (const auto& operation : result->applied) {
            changed.push_back(operation.path.substr(1));
        }
        changed.insert(changed.end(), sampled.begin(), sampled.end());
        // Reported now: for a gateway's backlog receive_time is when the gateway got the
        // reading, and the alert's lateness is how long dtwin took to learn of it.
        run_rules(update.twin_id, changed, previous, update.source_time, m_clock.now());
    }
    if (!m_derived.empty()) {
        apply_derived(
            m_derived.on_update(m_graph, update.twin_id, update.properties, update.source_time, m_clock.now()));
    }
}

void Engine::note_clock(const ingest::TwinUpdate& update, core::TimePoint receive_time) {
    const core::Twin* twin = m_graph.find_twin(update.twin_id);
    if (twin == nullptr) {
        return;
    }
    const core::ClockSkewFlag* current = twin->clock_skew();
    if (update.timestamp_replaced == ingest::TimestampReplacement::none) {
        if (current != nullptr) {
            (void)m_graph.set_clock_skew(update.twin_id, std::nullopt);
        }
        return;
    }
    const std::string reason(ingest::timestamp_replacement_name(update.timestamp_replaced));
    ++m_counters.timestamps_replaced[reason];
    core::ClockSkewFlag flag{reason, update.original_timestamp, receive_time, receive_time, 1};
    if (current != nullptr && current->reason == reason) {
        flag.since = current->since;
        flag.count = current->count + 1;
    }
    (void)m_graph.set_clock_skew(update.twin_id, std::move(flag));
}

void Engine::apply_derived(std::vector<DerivedWrite> writes) {
    std::deque<DerivedWrite> queue(std::make_move_iterator(writes.begin()), std::make_move_iterator(writes.end()));
    const core::TimePoint now = m_clock.now();
    while (!queue.empty()) {
        DerivedWrite write = std::move(queue.front());
        queue.pop_front();
        std::map<std::string, json::value> previous;
        if (const core::Twin* before = m_graph.find_twin(write.twin_id)) {
            if (const json::value* value = before->property(write.property)) {
                previous.emplace(write.property, *value);
            }
        }
        const core::PatchOperation operation{core::PatchOp::add, "/" + write.property, {}, write.value};
        auto result = m_graph.patch_twin(write.twin_id, std::span(&operation, 1),
                                         core::WriteOptions{.source_time = write.source_time});
        if (!result) {
            reject({std::string(graph_reason(result.error().code)),
                    {},
                    {},
                    0,
                    "derive",
                    write.twin_id,
                    "/" + write.property,
                    "derived state: " + result.error().to_string(),
                    now});
            continue;
        }
        if (!result->changed()) {
            continue;
        }
        ++m_counters.derived_writes;
        m_counters.samples += stage_history(m_batch, write.twin_id, *result, write.source_time, result->version);
        m_dirty_twins.insert(write.twin_id);
        for (auto& next : m_derived.after_write(m_graph, write, now)) {
            queue.push_back(std::move(next));
        }
        if (!write.from_rule && !m_options.rules.empty()) {
            run_rules(write.twin_id, {write.property}, previous, write.source_time, now);
        }
    }
}

void Engine::apply_connectivity(const ConnectivityChange& change) {
    auto marked = m_graph.set_properties_stale(change.twin_id, m_liveness.ingested_properties(), !change.online);
    if (marked && *marked) {
        m_dirty_twins.insert(change.twin_id);
    }
    m_pending_connectivity.push_back(change);
}

void Engine::run_rules(const std::string& twin_id, const std::vector<std::string>& changed,
                       const std::map<std::string, json::value>& previous, core::TimePoint event_time,
                       core::TimePoint report_time) {
    handle_rule_outcomes(m_rules.on_twin_updated(m_graph, twin_id, changed, previous, event_time, report_time));
}

void Engine::handle_rule_outcomes(std::vector<RuleOutcome> outcomes) {
    const core::TimePoint now = m_clock.now();
    for (auto& outcome : outcomes) {
        if (outcome.error) {
            ++m_counters.rule_errors;
            reject({"rule_error",
                    {},
                    {},
                    0,
                    outcome.rule,
                    outcome.twin_id,
                    outcome.error->where,
                    outcome.error->to_string(),
                    now});
            continue;
        }
        const auto rule = std::find_if(m_options.rules.begin(), m_options.rules.end(),
                                       [&](const RuleDefinition& r) { return r.name == outcome.rule; });
        const bool raises = rule == m_options.rules.end() || rule->raise_alert;
        const core::alerts::AlertKey key{outcome.twin_id, outcome.rule};
        core::TimePoint stamp = now;
        for (const auto& transition : outcome.transitions) {
            stamp = transition.event_time;
            if (!raises) {
                continue;
            }
            AlertMemo& memo = m_alert_memos[{outcome.twin_id, outcome.rule}];
            if (memo.instance != transition.instance) {
                memo = {transition.instance,
                        {std::string(rule != m_options.rules.end() ? severity_name(rule->severity) : "warning"), {}},
                        {}};
            }
            if (!outcome.message.empty()) {
                memo.text.message = outcome.message;
            }
            stage_alert(key, memo, transition);
        }
        std::vector<DerivedWrite> writes;
        for (const auto& [property, value] : outcome.writes) {
            writes.push_back({outcome.twin_id, std::string(property), value, stamp, true});
        }
        if (!writes.empty()) {
            apply_derived(std::move(writes));
        }
    }
}

void Engine::stage_alert(const core::alerts::AlertKey& key, const AlertMemo& memo,
                         const core::alerts::AlertTransition& transition) {
    ++m_counters.alert_transitions;
    if (transition.to == core::alerts::AlertState::inactive) {
        // A pending instance that cleared before it fired leaves nothing behind.
        m_batch.delete_alert(alert_id(key.twin, key.rule, transition.instance));
        return;
    }
    const core::alerts::AlertTracker* tracker = m_rules.find_tracker(key.twin, key.rule);
    m_batch.put_alert(alert_record(key, memo.text, transition,
                                   tracker != nullptr ? tracker->snapshot() : core::alerts::AlertSnapshot{}, memo.ack));
    if (!transition.notify) {
        return;
    }
    m_pending_alerts.push_back({key.twin, key.rule, memo.text.severity, memo.text.message, transition});
    if (!m_options.notification_sinks.empty()) {
        notify::enqueue_notification(m_batch, alert_notification(key, memo.text, transition),
                                     m_options.notification_sinks, m_clock.now());
    }
}

core::Result<void> Engine::restore_alerts() {
    auto records = m_store.list_alerts({});
    if (!records) {
        return std::unexpected(records.error());
    }
    // The newest instance of each (twin, rule) is the tracker's state.
    std::map<std::pair<std::string, std::string>, RestoredAlert> newest;
    for (const auto& record : *records) {
        auto restored = restore_alert(record);
        if (!restored) {
            reject({"alert_restore",
                    {},
                    {},
                    0,
                    record.rule,
                    record.twin,
                    record.id,
                    restored.error().to_string(),
                    m_clock.now()});
            continue;
        }
        auto [it, inserted] = newest.try_emplace({record.twin, record.rule}, *restored);
        if (!inserted && restored->snapshot.instance > it->second.snapshot.instance) {
            it->second = std::move(*restored);
        }
    }
    for (auto& [key, restored] : newest) {
        if (m_rules.restore(key.first, key.second, restored.snapshot)) {
            m_alert_memos[key] = {restored.snapshot.instance, std::move(restored.text), std::move(restored.ack)};
        }
    }
    return {};
}

core::Result<void> Engine::sync_alert_requests() {
    if (m_options.rules.empty()) {
        return {}; // no alerts to acknowledge or silence
    }
    auto silences = m_store.list_silences();
    if (!silences) {
        return std::unexpected(silences.error());
    }
    if (*silences != m_silences) {
        core::alerts::Silences in_force;
        for (const auto& record : *silences) {
            // The CLI checks silences before writing them; one that is invalid anyway
            // (written by hand) is reported and left out.
            if (auto added = in_force.add({record.twin_pattern, record.rule_pattern, record.from, record.until});
                !added) {
                reject({"invalid_silence",
                        {},
                        {},
                        0,
                        record.rule_pattern,
                        record.twin_pattern,
                        record.id,
                        added.error().to_string(),
                        m_clock.now()});
            }
        }
        m_rules.set_silences(std::move(in_force));
        m_silences = std::move(*silences);
    }
    auto acks = m_store.list_alert_acks();
    if (!acks) {
        return std::unexpected(acks.error());
    }
    const core::TimePoint now = m_clock.now();
    for (const auto& request : *acks) {
        m_batch.delete_alert_ack(request.alert_id);
        auto record = m_store.get_alert(request.alert_id);
        auto restored = record ? restore_alert(*record) : core::Result<RestoredAlert>(std::unexpected(record.error()));
        if (!restored) {
            reject({"alert_ack", {}, {}, 0, {}, {}, request.alert_id, restored.error().to_string(), now});
            continue;
        }
        auto transition = m_rules.acknowledge(record->twin, record->rule, restored->snapshot.instance, now);
        if (!transition) {
            reject({"alert_ack",
                    {},
                    {},
                    0,
                    record->rule,
                    record->twin,
                    request.alert_id,
                    transition.error().to_string(),
                    now});
            continue;
        }
        AlertMemo& memo = m_alert_memos[{record->twin, record->rule}];
        if (memo.instance != transition->instance) {
            memo = {transition->instance, restored->text, {}};
        }
        memo.ack = {request.by, request.comment};
        stage_alert({record->twin, record->rule}, memo, *transition);
    }
    return {};
}

void Engine::reject(RejectionReport report) {
    ++m_counters.rejected[report.reason];
    m_rejections.push_back(std::move(report));
}

void Engine::on_timers() {
    const core::TimePoint now = m_clock.now();
    apply_derived(m_derived.on_timers(m_graph, now));
    for (const auto& change : m_liveness.on_timers(now)) {
        apply_connectivity(change);
    }
    handle_rule_outcomes(m_rules.on_timers(now));
    if (m_next_prune && now >= *m_next_prune) {
        m_next_prune = now + k_prune_interval;
        if (auto pruned = m_store.prune_history(now - *m_options.history_retention)) {
            m_counters.samples_pruned += *pruned;
        } else {
            ++m_counters.prune_failures;
        }
    }
}

std::optional<core::TimePoint> Engine::next_deadline() const {
    std::optional<core::TimePoint> next = m_next_prune;
    for (auto candidate : {m_derived.next_deadline(), m_liveness.next_deadline(), m_rules.next_deadline()}) {
        if (candidate && (!next || *candidate < *next)) {
            next = candidate;
        }
    }
    return next;
}

bool Engine::has_pending() const noexcept {
    return !m_batch.empty() || !m_dirty_twins.empty() || !m_pending_acks.empty() || !m_pending_connectivity.empty() ||
           !m_pending_alerts.empty() || m_graph.pending_events() != 0 || !m_commit_waiters.empty();
}

core::Result<CommitOutput> Engine::commit() {
    if (m_failed) {
        return core::fail(core::ErrorCode::storage, "an earlier commit failed; the engine must be restarted");
    }
    for (const auto& id : m_dirty_twins) {
        stage_twin(m_batch, m_graph, id);
    }
    for (const auto& [gateway, sequence] : m_pending_acks) {
        m_batch.set_cursor(gateway_cursor_name(gateway), sequence);
    }
    if (!m_batch.empty()) {
        stage_version(m_batch, m_graph);
        if (auto committed = m_store.commit(m_batch); !committed) {
            m_failed = true;
            for (auto& waiter : m_commit_waiters) {
                waiter(false);
            }
            m_commit_waiters.clear();
            return std::unexpected(committed.error());
        }
        ++m_counters.commits;
    }
    CommitOutput output;
    output.acks.reserve(m_pending_acks.size());
    for (const auto& [gateway, sequence] : m_pending_acks) {
        output.acks.push_back({gateway, sequence});
        m_committed_cursors[gateway] = sequence;
    }
    output.changes = m_graph.drain_events();
    output.connectivity = std::move(m_pending_connectivity);
    m_pending_connectivity.clear();
    output.alerts = std::move(m_pending_alerts);
    m_pending_alerts.clear();
    output.waiters = std::move(m_commit_waiters);
    m_commit_waiters.clear();
    m_pending_acks.clear();
    m_dirty_twins.clear();
    m_batch.clear();
    m_pending_messages = 0;
    return output;
}

std::vector<RejectionReport> Engine::take_rejections() {
    std::vector<RejectionReport> out;
    out.swap(m_rejections);
    return out;
}

std::uint64_t Engine::gateway_cursor(std::string_view gateway) const {
    auto it = m_committed_cursors.find(gateway);
    return it == m_committed_cursors.end() ? 0 : it->second;
}

} // namespace dtwin::engine
