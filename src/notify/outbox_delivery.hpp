// OutboxDelivery: the worker that empties the durable outbox (outbox.hpp) into the sinks.
//
// One thread of its own sends what is due, oldest due first: a record a sink took is
// deleted; one that failed is tried again after retry_delay() (1 s, 2 s, 4 s, ... up to
// the maximum) for as long as it takes, unless the failure is permanent (the sink says so:
// an SMTP 5xx reply, an HTTP 4xx) or its sink is not configured any more: then it stays in
// the outbox marked failed, for `dtwin alerts outbox` to show, and is never tried again.
// The engine never waits for any of this: it only commits records and calls wake().
//
// Records are read from and written to the store the engine commits to (calls on one
// Store object are serialised; a delivery's own commits are a few rows). Records committed
// while the worker sleeps are found when wake() is called, or at the next due record.
//
// Threads: the constructor, start(), stop() and the destructor on the owner's thread;
// wake() and counters() from any thread; the report callback runs on the worker thread.
#pragma once

#include "core/time.hpp"
#include "notify/sink.hpp"
#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace dtwin::notify {

struct OutboxDeliveryOptions {
    std::chrono::milliseconds retry_min{std::chrono::seconds(1)};  ///< delay after the first failure
    std::chrono::milliseconds retry_max{std::chrono::minutes(5)};  ///< the longest delay
    std::size_t batch_size = 64; ///< records read per store query
};

/// What happened to one delivery attempt (for logs and tests).
struct DeliveryReport {
    enum class Outcome { delivered, retry, failed };
    Outcome outcome = Outcome::delivered;
    std::string record_id;
    std::string sink;
    std::uint32_t attempts = 0;             ///< attempts so far, this one included
    std::optional<core::Error> error;       ///< for retry and failed
    core::TimePoint next_attempt_time{};    ///< for retry
};

/// Totals since start (read with counters()).
struct DeliveryCounters {
    std::uint64_t delivered = 0;
    std::uint64_t retries = 0;       ///< failed attempts that will be tried again
    std::uint64_t failed = 0;        ///< records given up (permanent failure, unknown sink)
    std::uint64_t store_errors = 0;  ///< store reads or writes that failed (retried later)
};

class OutboxDelivery {
public:
    using ReportFunction = std::function<void(const DeliveryReport&)>;

    /// @p store and @p clock must outlive the worker. @p sinks by the name outbox records
    /// carry (store::OutboxRecord::sink). @p report (may be empty) hears of every attempt.
    OutboxDelivery(store::Store& store, std::map<std::string, std::unique_ptr<Sink>, std::less<>> sinks,
                   const core::Clock& clock, OutboxDeliveryOptions options, ReportFunction report = {});
    OutboxDelivery(const OutboxDelivery&) = delete;
    OutboxDelivery& operator=(const OutboxDelivery&) = delete;
    /// Calls stop().
    ~OutboxDelivery();

    /// Starts the worker thread; it delivers what is already due at once (a restart
    /// delivers what the last run left behind).
    void start();
    /// New records were committed: look now instead of at the next due record.
    void wake();
    /// Lets the send in progress finish (bounded by the sink's timeout), then joins. What
    /// is still waiting stays in the outbox for the next start. Idempotent.
    void stop();

    [[nodiscard]] DeliveryCounters counters() const;

    /// One pass on the calling thread: delivers every record due at the clock's now (in
    /// batches). Returns when the next record is due (nullopt: none waits). The worker
    /// thread runs exactly this; tests may call it directly instead of start().
    std::optional<core::TimePoint> deliver_due();

private:
    void run();
    void deliver(const store::OutboxRecord& record);
    void record_failure(store::OutboxRecord record, const SendError& error);
    void commit(const store::WriteBatch& batch);
    void publish(const DeliveryReport& report);

    store::Store& m_store;
    std::map<std::string, std::unique_ptr<Sink>, std::less<>> m_sinks;
    const core::Clock& m_clock;
    OutboxDeliveryOptions m_options;
    ReportFunction m_report;

    mutable std::mutex m_mutex;
    std::condition_variable m_wakeup;
    bool m_woken = false;
    bool m_stopping = false;
    DeliveryCounters m_counters;
    std::thread m_thread;
    bool m_commit_failed = false; ///< a commit of this pass failed (deliver_due's thread only)
};

} // namespace dtwin::notify
