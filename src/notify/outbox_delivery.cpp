#include "notify/outbox_delivery.hpp"

#include "notify/outbox.hpp"

#include <utility>

namespace dtwin::notify {

namespace {

/// How long the worker waits before it looks again after the store failed.
constexpr std::chrono::seconds k_store_retry{1};

} // namespace

OutboxDelivery::OutboxDelivery(store::Store& store, std::map<std::string, std::unique_ptr<Sink>, std::less<>> sinks,
                               const core::Clock& clock, OutboxDeliveryOptions options, ReportFunction report)
    : m_store(store), m_sinks(std::move(sinks)), m_clock(clock), m_options(options), m_report(std::move(report)) {}

OutboxDelivery::~OutboxDelivery() {
    stop();
}

void OutboxDelivery::start() {
    if (!m_thread.joinable()) {
        m_thread = std::thread([this] { run(); });
    }
}

void OutboxDelivery::wake() {
    {
        std::lock_guard lock(m_mutex);
        m_woken = true;
    }
    m_wakeup.notify_one();
}

void OutboxDelivery::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wakeup.notify_one();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

DeliveryCounters OutboxDelivery::counters() const {
    std::lock_guard lock(m_mutex);
    return m_counters;
}

void OutboxDelivery::run() {
    while (true) {
        const std::optional<core::TimePoint> next = deliver_due();
        std::unique_lock lock(m_mutex);
        const auto ready = [this] { return m_stopping || m_woken; };
        if (!next) {
            m_wakeup.wait(lock, ready);
        } else {
            const auto delay = *next - m_clock.now();
            if (delay > core::TimePoint::duration::zero()) {
                m_wakeup.wait_for(lock, delay, ready);
            }
        }
        if (m_stopping) {
            return;
        }
        m_woken = false;
    }
}

std::optional<core::TimePoint> OutboxDelivery::deliver_due() {
    while (true) {
        const core::TimePoint now = m_clock.now();
        auto due = m_store.list_outbox({.due_before = now, .limit = m_options.batch_size});
        if (!due) {
            std::lock_guard lock(m_mutex);
            ++m_counters.store_errors;
            return now + k_store_retry;
        }
        for (const auto& record : *due) {
            {
                std::lock_guard lock(m_mutex);
                if (m_stopping) {
                    return std::nullopt;
                }
            }
            deliver(record);
        }
        if (m_commit_failed) {
            // The records are still due in the store: looking again at once would send
            // them again and again while the store refuses writes.
            m_commit_failed = false;
            return m_clock.now() + k_store_retry;
        }
        if (due->size() < m_options.batch_size) {
            break;
        }
    }
    auto next = m_store.next_outbox_attempt();
    if (!next) {
        std::lock_guard lock(m_mutex);
        ++m_counters.store_errors;
        return m_clock.now() + k_store_retry;
    }
    return *next;
}

void OutboxDelivery::deliver(const store::OutboxRecord& record) {
    const auto sink = m_sinks.find(record.sink);
    if (sink == m_sinks.end()) {
        record_failure(record, SendError{{core::ErrorCode::invalid_value,
                                          "no sink named \"" + record.sink + "\" is configured", record.id},
                                         true});
        return;
    }
    auto notification = notification_from_payload(record.payload, record.id);
    if (!notification) {
        record_failure(record, SendError{notification.error(), true});
        return;
    }
    if (auto sent = sink->second->send(*notification); !sent) {
        record_failure(record, sent.error());
        return;
    }
    store::WriteBatch batch;
    batch.delete_outbox(record.id);
    commit(batch);
    {
        std::lock_guard lock(m_mutex);
        ++m_counters.delivered;
    }
    publish({DeliveryReport::Outcome::delivered, record.id, record.sink, record.attempts + 1, std::nullopt, {}});
}

void OutboxDelivery::record_failure(store::OutboxRecord record, const SendError& error) {
    ++record.attempts;
    record.last_error = error.to_string();
    record.failed = error.permanent;
    if (!record.failed) {
        record.next_attempt_time =
            m_clock.now() + retry_delay(record.attempts, m_options.retry_min, m_options.retry_max);
    }
    store::WriteBatch batch;
    batch.put_outbox(record);
    commit(batch);
    {
        std::lock_guard lock(m_mutex);
        ++(record.failed ? m_counters.failed : m_counters.retries);
    }
    publish({record.failed ? DeliveryReport::Outcome::failed : DeliveryReport::Outcome::retry, record.id, record.sink,
             record.attempts, core::Error(error), record.next_attempt_time});
}

void OutboxDelivery::commit(const store::WriteBatch& batch) {
    if (!m_store.commit(batch)) {
        // The record stays as it was: a delivered one may be sent again (at least once)
        // after k_store_retry, when the store may have recovered.
        m_commit_failed = true;
        std::lock_guard lock(m_mutex);
        ++m_counters.store_errors;
    }
}

void OutboxDelivery::publish(const DeliveryReport& report) {
    if (m_report) {
        m_report(report);
    }
}

} // namespace dtwin::notify
