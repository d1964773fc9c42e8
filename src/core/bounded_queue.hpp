// A bounded, closable FIFO between threads: producers wait while it is full, consumers
// while it is empty; close() wakes everyone, after which pop() drains what is left and
// then returns nullopt. Used to hand work from one thread to another (the start-up
// loader's parse stage in app, the MQTT library thread's hand-over in mqtt).
//
// It lives here, header-only, because core is the one target every other target links;
// the core's own code never uses it (the domain stays free of threads).
//
// Threads: any number of producers and consumers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace dtwin::core {

template <typename T> class BoundedQueue {
public:
    explicit BoundedQueue(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

    /// Waits for room, then appends. Returns false (dropping `item`) once closed.
    bool push(T item) {
        std::unique_lock lock(m_mutex);
        m_not_full.wait(lock, [&] { return m_closed || m_items.size() < m_capacity; });
        if (m_closed) {
            return false;
        }
        m_items.push_back(std::move(item));
        m_not_empty.notify_one();
        return true;
    }

    /// Waits for an item; nullopt when the queue is closed and empty.
    std::optional<T> pop() {
        std::unique_lock lock(m_mutex);
        m_not_empty.wait(lock, [&] { return m_closed || !m_items.empty(); });
        return take(lock);
    }

    /// Waits at most `timeout` for an item; nullopt on timeout, or when the queue is
    /// closed and empty.
    template <typename Rep, typename Period> std::optional<T> pop_for(std::chrono::duration<Rep, Period> timeout) {
        std::unique_lock lock(m_mutex);
        m_not_empty.wait_for(lock, timeout, [&] { return m_closed || !m_items.empty(); });
        return take(lock);
    }

    /// An item if one is ready, without waiting.
    std::optional<T> try_pop() {
        std::unique_lock lock(m_mutex);
        return take(lock);
    }

    /// No more pushes; pending items can still be popped.
    void close() {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_not_empty.notify_all();
        m_not_full.notify_all();
    }

private:
    std::optional<T> take(std::unique_lock<std::mutex>&) {
        if (m_items.empty()) {
            return std::nullopt;
        }
        T item = std::move(m_items.front());
        m_items.pop_front();
        m_not_full.notify_one();
        return item;
    }

    std::mutex m_mutex;
    std::condition_variable m_not_full;
    std::condition_variable m_not_empty;
    std::deque<T> m_items;
    std::size_t m_capacity;
    bool m_closed = false;
};

} // namespace dtwin::core
