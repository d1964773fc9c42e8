// The twin engine: the single writer of twin state.
//
// Everything that changes twins in `dtwin serve` goes through one Engine on one thread:
// MQTT messages (direct device messages, gateway envelopes, device status), timers
// (occupancy expiry, device silence, history retention). The engine applies each change
// to the twin graph at once (so the next message sees it), and stages what must be
// stored: the twins it touched, every history sample, each gateway's highest sequence
// and the graph's version counter. commit() writes all of that in ONE store transaction
// and only then hands out what may leave the process: acks to gateways, change events,
// connectivity events. Nobody hears of a state that a crash could undo.
//
// Group commit: callers feed as many messages as are waiting, then commit once; under
// load one commit covers thousands of messages, when idle each message commits alone.
//
// Exactly-once effect for gateways (docs/protocol.md): a message whose sequence is at or
// below the gateway's committed cursor is dropped (and acked again); the cursor moves in
// the same transaction as the samples it covers. Direct device messages are at-least-once
// (docs/architecture.md, "What a crash can lose").
//
// Bad input never stops the engine: each rejected message or update becomes a
// RejectionReport (take_rejections) and a count (counters), and the rest goes on.
//
// A failed commit leaves the graph ahead of the store: the engine is then unusable
// (failed() is true) and the owner must stop; a restart reloads the committed state and
// gateways replay what was not acknowledged.
//
// Threads: one thread calls everything (the writer). The graph, the store and the clock
// are borrowed and must outlive the engine; nobody else may write the graph meanwhile.
#pragma once

#include "core/change_feed.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "core/twin_graph.hpp"
#include "engine/alert_records.hpp"
#include "engine/derived_state.hpp"
#include "engine/engine_options.hpp"
#include "engine/liveness.hpp"
#include "engine/rule_runner.hpp"
#include "ingest/envelope.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::engine {

/// A message, or one update of it, that was not applied.
struct RejectionReport {
    /// Stable reason name: ingest::reject_reason_name() values, plus "invalid_envelope",
    /// "unknown_twin", "invalid_value" (the twin's model refused the value).
    std::string reason;
    std::string topic;          ///< the MQTT topic of the message (inside an envelope: the wrapped one)
    std::string gateway;        ///< the gateway whose envelope carried it; empty for direct messages
    std::uint64_t sequence = 0; ///< its sequence in that envelope; 0 for direct messages
    std::string rule;           ///< mapping rule, if one was involved
    std::string twin_id;        ///< twin, if known
    std::string pointer;        ///< JSON pointer at fault, if any
    std::string message;        ///< for humans
    core::TimePoint receive_time;
};

/// What the engine counts (published as dtwin/diagnostics/counters by dtwin serve).
struct EngineCounters {
    std::uint64_t messages = 0;          ///< direct messages and messages inside envelopes
    std::uint64_t envelopes = 0;         ///< envelopes decoded
    std::uint64_t duplicates = 0;        ///< envelope messages dropped as already committed
    std::uint64_t updates_applied = 0;   ///< twin updates accepted (changed or not)
    std::uint64_t samples = 0;           ///< history samples staged
    std::uint64_t derived_writes = 0;    ///< derived property changes
    std::uint64_t commits = 0;           ///< store transactions
    std::uint64_t samples_pruned = 0;    ///< history samples deleted by retention
    std::uint64_t prune_failures = 0;    ///< retention runs the store refused
    std::uint64_t sequence_gaps = 0;     ///< envelopes that skipped sequences (gateway lost messages)
    std::uint64_t rule_errors = 0;       ///< rule evaluations that failed at run time (x / 0, ...)
    std::uint64_t alert_transitions = 0; ///< alert state changes stored
    std::map<std::string, std::uint64_t, std::less<>> rejected;            ///< per reason
    std::map<std::string, std::uint64_t, std::less<>> timestamps_replaced; ///< per replacement reason
};

/// An alert transition that sinks should deliver (AlertTransition::notify).
struct AlertNotice {
    std::string twin_id;
    std::string rule;
    std::string severity; ///< "info" | "warning" | "critical"
    std::string message;  ///< the rule's message template, rendered when it fired
    core::alerts::AlertTransition transition;
};

/// What may leave the process after a commit.
struct CommitOutput {
    std::vector<ingest::Ack> acks;
    std::vector<core::ChangeEvent> changes;
    std::vector<ConnectivityChange> connectivity;
    std::vector<AlertNotice> alerts;
    /// after_commit() callbacks waiting for this commit: call each with true.
    std::vector<std::function<void(bool)>> waiters;
};

class Engine {
public:
    Engine(core::TwinGraph& graph, store::Store& store, EngineOptions options, const core::Clock& clock);
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Reads the gateway cursors, rebuilds derived state and liveness from the loaded
    /// graph, and stages the corrections that brought derived state up to date (commit
    /// them). Call once, after the graph is loaded. Error: the store's.
    [[nodiscard]] core::Result<void> start();

    /// The MQTT topic filters to subscribe to (QoS 1): every mapping's topic, the gateway
    /// envelope topic and the device status topics.
    [[nodiscard]] std::vector<std::string> subscriptions() const;

    /// One MQTT message, received at `receive_time`: an envelope (dtwin/gw/{id}/up), a
    /// device status, or a direct device message. Never throws on any payload.
    void on_message(std::string_view topic, std::string_view payload, core::TimePoint receive_time);

    /// Fires every timer due at the clock's now (occupancy, silence, retention).
    void on_timers();
    /// The earliest instant on_timers() has work; nullopt when no timer is armed.
    [[nodiscard]] std::optional<core::TimePoint> next_deadline() const;

    /// True when something waits for commit() (writes, acks or events).
    [[nodiscard]] bool has_pending() const noexcept;
    /// Messages fed since the last commit (the owner bounds its groups by it).
    [[nodiscard]] std::size_t pending_messages() const noexcept { return m_pending_messages; }

    /// Commits everything staged in one transaction, then returns what may now be
    /// published. On error nothing is returned, failed() becomes true and stays so.
    [[nodiscard]] core::Result<CommitOutput> commit();
    [[nodiscard]] bool failed() const noexcept { return m_failed; }

    /// Reads what users asked through the store (`dtwin alerts ack`, `dtwin alerts
    /// silence`): applies pending acknowledgements to their alerts (stored, and the request
    /// deleted, in the next commit; one that cannot apply, e.g. the alert resolved
    /// meanwhile, is dropped with an `alert_ack` rejection) and replaces the silences the
    /// rules check. The owner calls it every second or so. Error: the store's reads.
    core::Result<void> sync_alert_requests();

    /// Rejections since the last call (they change no state, so they need no commit).
    [[nodiscard]] std::vector<RejectionReport> take_rejections();

    // Writes requested through the API (engine_writes.cpp). Each is applied to the graph
    // at once, as an MQTT update is, and staged for the next commit; errors are the
    // graph's (unknown_twin, precondition_failed, invalid_value, invalid_patch, ...) and
    // change nothing. `only_if_absent` is If-None-Match: * (precondition_failed when the
    // twin or relationship exists).
    [[nodiscard]] core::Result<core::WriteResult> put_twin(std::string_view id, const boost::json::value& body,
                                                           const core::WriteOptions& options, bool only_if_absent);
    [[nodiscard]] core::Result<core::WriteResult> patch_twin(std::string_view id, const boost::json::value& patch,
                                                             const core::WriteOptions& options);
    [[nodiscard]] core::Result<void> delete_twin(std::string_view id, const core::WriteOptions& options);
    [[nodiscard]] core::Result<core::WriteResult> put_relationship(std::string_view source, std::string_view id,
                                                                   const boost::json::value& body,
                                                                   const core::WriteOptions& options,
                                                                   bool only_if_absent);
    [[nodiscard]] core::Result<core::WriteResult> patch_relationship(std::string_view source, std::string_view id,
                                                                     const boost::json::value& patch,
                                                                     const core::WriteOptions& options);
    [[nodiscard]] core::Result<void> delete_relationship(std::string_view source, std::string_view id,
                                                         const core::WriteOptions& options);
    /// Models uploaded through the API: `interfaces` (parsed and resolved against the
    /// loaded ones) go into the graph and `records` into the next commit. All or nothing:
    /// on an error (already_exists) the graph is as before.
    [[nodiscard]] core::Result<void> add_models(const std::vector<core::InterfacePtr>& interfaces,
                                                std::vector<store::ModelRecord> records);
    /// Stores `record` (its decommissioned flag changed) and applies the flag to the graph.
    [[nodiscard]] core::Result<void> set_decommissioned(store::ModelRecord record);
    /// Removes model `id` from the graph and the store. Errors: unknown_model; in_use while
    /// twins of it exist or other models use it.
    [[nodiscard]] core::Result<void> delete_model(std::string_view id);
    /// Stages a user's acknowledgement request (as `dtwin alerts ack` writes it); the
    /// next sync_alert_requests() after the commit applies it to the alert.
    void request_alert_ack(store::AlertAckRecord ack) { m_batch.put_alert_ack(std::move(ack)); }
    /// Calls `done(true)` once the next commit() made everything staged so far durable,
    /// or `done(false)` if that commit failed (CommitOutput::waiters; the owner calls them).
    void after_commit(std::function<void(bool)> done);

    [[nodiscard]] const EngineCounters& counters() const noexcept { return m_counters; }
    /// Committed cursor of a gateway (0: none).
    [[nodiscard]] std::uint64_t gateway_cursor(std::string_view gateway) const;

private:
    /// Where a message came from, for sequences and rejections.
    struct Origin {
        std::string_view gateway; ///< empty: direct
        std::uint64_t sequence = 0;
    };

    void on_envelope(std::string_view topic, std::string_view payload, core::TimePoint receive_time);
    void on_device_message(std::string_view topic, std::string_view payload, core::TimePoint receive_time,
                           const Origin& origin);
    void apply_update(const ingest::TwinUpdate& update, std::string_view topic, core::TimePoint receive_time,
                      const Origin& origin);
    void note_clock(const ingest::TwinUpdate& update, core::TimePoint receive_time);
    void apply_derived(std::vector<DerivedWrite> writes);
    void apply_connectivity(const ConnectivityChange& change);
    /// Runs the rules after `twin_id` changed `changed` (previous values given).
    void run_rules(const std::string& twin_id, const std::vector<std::string>& changed,
                   const std::map<std::string, boost::json::value>& previous, core::TimePoint event_time,
                   core::TimePoint report_time);
    void handle_rule_outcomes(std::vector<RuleOutcome> outcomes);
    /// What the store record of the current instance of a (twin, rule) says beyond the
    /// tracker: its texts and who acknowledged it.
    struct AlertMemo {
        std::uint64_t instance = 0;
        AlertText text;
        AckInfo ack;
    };
    /// Stages the record of one transition (and its outbox records when it notifies).
    void stage_alert(const core::alerts::AlertKey& key, const AlertMemo& memo,
                     const core::alerts::AlertTransition& transition);
    /// Rebuilds the trackers from the newest stored instance of each (twin, rule).
    core::Result<void> restore_alerts();
    void reject(RejectionReport report);
    /// Stages history and the twin record after an API write, runs rules and derived state.
    void after_twin_write(const std::string& id, const core::WriteResult& result, core::TimePoint source_time,
                          const std::map<std::string, boost::json::value>& previous);
    /// The twin's top-level property values, when rules need PREVIOUS (else empty).
    [[nodiscard]] std::map<std::string, boost::json::value> current_values(std::string_view id) const;
    void stage_relationship(std::string_view source, std::string_view id);

    core::TwinGraph& m_graph;
    store::Store& m_store;
    EngineOptions m_options;
    const core::Clock& m_clock;
    DerivedState m_derived;
    Liveness m_liveness;
    RuleRunner m_rules;
    std::vector<AlertNotice> m_pending_alerts;
    std::map<std::pair<std::string, std::string>, AlertMemo> m_alert_memos; ///< (twin, rule) ->
    std::vector<store::SilenceRecord> m_silences;                           ///< as last read from the store

    store::WriteBatch m_batch;
    std::set<std::string, std::less<>> m_dirty_twins;
    std::map<std::string, std::uint64_t, std::less<>> m_cursors;           ///< gateway -> highest sequence applied
    std::map<std::string, std::uint64_t, std::less<>> m_committed_cursors; ///< gateway -> highest sequence committed
    std::map<std::string, std::uint64_t, std::less<>> m_pending_acks;      ///< gateway -> sequence to ack after commit
    std::vector<ConnectivityChange> m_pending_connectivity;
    std::vector<RejectionReport> m_rejections;
    std::vector<std::function<void(bool)>> m_commit_waiters;
    std::size_t m_pending_messages = 0;
    std::optional<core::TimePoint> m_next_prune;
    EngineCounters m_counters;
    bool m_failed = false;
};

/// The store cursor name of a gateway's committed sequence: "gw:<gateway>".
[[nodiscard]] std::string gateway_cursor_name(std::string_view gateway);

} // namespace dtwin::engine
