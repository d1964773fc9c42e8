// The durable outbox against a real SQLite store and a real SMTP server (aiosmtpd): a
// notification queued while the mail server is down arrives, exactly once, after it comes
// back; retries back off; permanent failures and unknown sinks are given up and kept for
// `dtwin alerts outbox`; the worker thread delivers what is woken for and leaves what it
// could not send in the store when stopped. Timing is driven by a manual clock and direct
// deliver_due() calls wherever the outcome does not need the thread.
#include "app/system_clock.hpp"
#include "notify/outbox.hpp"
#include "notify/outbox_delivery.hpp"
#include "notify/smtp_sink.hpp"
#include "notify_test_support.hpp"
#include "smtp_server_process.hpp"
#include "store_test_support.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace dtwin::notify {
namespace {

using namespace std::chrono_literals;
using dtwin::testing::SmtpCredentials;
using dtwin::testing::SmtpServerOptions;
using dtwin::testing::SmtpServerProcess;
using testing::door_slam;

class OutboxTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string reason = SmtpServerProcess::unavailable_reason(); !reason.empty()) {
            GTEST_SKIP() << reason;
        }
        m_store = store::testing::open_or_fail(m_dir.url());
    }

    static std::unique_ptr<Sink> smtp_sink(const SmtpServerProcess& server, bool insecure_tls = false) {
        SmtpSinkOptions options{.url = server.url(), .from = "dtwin@example.org", .to = {"ops@example.org"}};
        options.timeout = 5s;
        options.tls.insecure = insecure_tls;
        auto sink = SmtpSink::create(std::move(options));
        if (!sink) {
            throw std::runtime_error(sink.error().to_string());
        }
        return std::make_unique<SmtpSink>(std::move(*sink));
    }

    std::unique_ptr<OutboxDelivery> delivery(std::unique_ptr<Sink> sink,
                                             OutboxDeliveryOptions options = {.retry_min = 1s, .retry_max = 8s}) {
        std::map<std::string, std::unique_ptr<Sink>, std::less<>> sinks;
        sinks.emplace("smtp", std::move(sink));
        return std::make_unique<OutboxDelivery>(*m_store, std::move(sinks), m_clock, options,
                                                [this](const DeliveryReport& report) {
                                                    std::lock_guard lock(m_reports_mutex);
                                                    m_reports.push_back(report);
                                                });
    }

    void enqueue(const Notification& notification, std::vector<std::string> sinks = {"smtp"}) {
        store::WriteBatch batch;
        enqueue_notification(batch, notification, sinks, m_clock.now());
        ASSERT_TRUE(m_store->commit(batch).has_value());
    }

    std::vector<store::OutboxRecord> records() const {
        auto records = m_store->list_outbox({});
        EXPECT_TRUE(records.has_value());
        return records.value_or(std::vector<store::OutboxRecord>{});
    }

    std::vector<DeliveryReport> reports() {
        std::lock_guard lock(m_reports_mutex);
        return m_reports;
    }

    core::ManualClock m_clock{testing::slam_time() + 1min};
    store::testing::TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
    std::mutex m_reports_mutex;
    std::vector<DeliveryReport> m_reports;
};

TEST_F(OutboxTest, ANotificationQueuedWhileTheServerIsDownArrivesOnceWhenItIsBack) {
    SmtpServerProcess server;
    auto worker = delivery(smtp_sink(server));
    server.stop();
    enqueue(door_slam());

    // Down: the attempt fails and is rescheduled, not lost.
    EXPECT_EQ(worker->deliver_due(), std::optional(m_clock.now() + 1s));
    ASSERT_EQ(records().size(), 1U);
    EXPECT_EQ(records()[0].attempts, 1U);
    EXPECT_FALSE(records()[0].failed);
    EXPECT_NE(records()[0].last_error.find(server.url().substr(7)), std::string::npos) << records()[0].last_error;
    ASSERT_EQ(reports().size(), 1U);
    EXPECT_EQ(reports()[0].outcome, DeliveryReport::Outcome::retry);

    // Not due yet: nothing is tried.
    m_clock.advance(500ms);
    worker->deliver_due();
    EXPECT_EQ(reports().size(), 1U);

    server.restart();
    m_clock.advance(500ms);
    EXPECT_EQ(worker->deliver_due(), std::nullopt);
    EXPECT_TRUE(records().empty());
    const auto mails = server.wait_for_messages(1, 5s);
    ASSERT_EQ(mails.size(), 1U) << server.output();
    EXPECT_NE(mails[0].header("Subject").value_or("").find("door-slam"), std::string::npos);
    EXPECT_NE(mails[0].header("Message-ID").value_or("").find("door-1"), std::string::npos);

    // Nothing is sent twice.
    m_clock.advance(1h);
    worker->deliver_due();
    EXPECT_EQ(server.wait_for_messages(2, 1s).size(), 1U);
    EXPECT_EQ(worker->counters().delivered, 1U);
    EXPECT_EQ(worker->counters().retries, 1U);
}

TEST_F(OutboxTest, RetriesBackOffByDoublingUpToTheMaximum) {
    SmtpServerProcess server;
    auto worker = delivery(smtp_sink(server));
    server.stop();
    enqueue(door_slam());
    std::vector<std::chrono::seconds> delays;
    for (int attempt = 0; attempt < 6; ++attempt) {
        const core::TimePoint before = m_clock.now();
        const auto next = worker->deliver_due();
        ASSERT_TRUE(next.has_value());
        delays.push_back(std::chrono::duration_cast<std::chrono::seconds>(*next - before));
        m_clock.set(*next);
    }
    EXPECT_EQ(delays, (std::vector<std::chrono::seconds>{1s, 2s, 4s, 8s, 8s, 8s}));
    EXPECT_EQ(records()[0].attempts, 6U);
}

TEST_F(OutboxTest, APermanentRefusalIsGivenUpAndKeptAsFailed) {
    if (const std::string reason = SmtpServerProcess::tls_unavailable_reason(); !reason.empty()) {
        GTEST_SKIP() << reason;
    }
    // The server wants AUTH and the sink has no credentials: 530 to MAIL, a 5xx reply.
    SmtpServerProcess server(SmtpServerOptions{.credentials = SmtpCredentials{"alerts", "secret"}});
    auto worker = delivery(smtp_sink(server, true));
    enqueue(door_slam());
    EXPECT_EQ(worker->deliver_due(), std::nullopt); // nothing left to try
    const auto kept = records();
    ASSERT_EQ(kept.size(), 1U);
    EXPECT_TRUE(kept[0].failed);
    EXPECT_EQ(kept[0].attempts, 1U);
    EXPECT_NE(kept[0].last_error.find("530"), std::string::npos) << kept[0].last_error;
    m_clock.advance(1h);
    worker->deliver_due();
    EXPECT_EQ(reports().size(), 1U);
    EXPECT_EQ(reports()[0].outcome, DeliveryReport::Outcome::failed);
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(OutboxTest, ARecordForASinkThatIsNotConfiguredIsGivenUpAndTheOthersGoOn) {
    SmtpServerProcess server;
    auto worker = delivery(smtp_sink(server));
    enqueue(door_slam(), {"webhook", "smtp"});
    worker->deliver_due();
    const auto kept = records();
    ASSERT_EQ(kept.size(), 1U);
    EXPECT_EQ(kept[0].id, "door-1/door-slam/7#webhook");
    EXPECT_TRUE(kept[0].failed);
    EXPECT_NE(kept[0].last_error.find("no sink named \"webhook\""), std::string::npos) << kept[0].last_error;
    EXPECT_EQ(server.wait_for_messages(1, 5s).size(), 1U);
}

TEST_F(OutboxTest, AnUnreadablePayloadIsGivenUpWithTheReason) {
    SmtpServerProcess server;
    auto worker = delivery(smtp_sink(server));
    store::WriteBatch batch;
    batch.put_outbox({"broken#smtp", "smtp", "{\"twinId\": 3", m_clock.now(), m_clock.now(), 0, "", false});
    ASSERT_TRUE(m_store->commit(batch).has_value());
    worker->deliver_due();
    ASSERT_EQ(records().size(), 1U);
    EXPECT_TRUE(records()[0].failed);
    EXPECT_NE(records()[0].last_error.find("broken#smtp"), std::string::npos) << records()[0].last_error;
}

TEST_F(OutboxTest, TheWorkerThreadDeliversWhenWokenAndStopLeavesTheRestInTheStore) {
    SmtpServerProcess server;
    app::SystemClock clock;
    std::map<std::string, std::unique_ptr<Sink>, std::less<>> sinks;
    sinks.emplace("smtp", smtp_sink(server));
    OutboxDelivery worker(*m_store, std::move(sinks), clock, {.retry_min = 1h, .retry_max = 1h});
    worker.start();
    Notification first = door_slam();
    store::WriteBatch batch;
    enqueue_notification(batch, first, std::vector<std::string>{"smtp"}, clock.now());
    ASSERT_TRUE(m_store->commit(batch).has_value());
    worker.wake();
    ASSERT_EQ(server.wait_for_messages(1, 10s).size(), 1U) << server.output();

    server.stop();
    Notification second = door_slam();
    second.id = "door-1/door-slam/8";
    batch.clear();
    enqueue_notification(batch, second, std::vector<std::string>{"smtp"}, clock.now());
    ASSERT_TRUE(m_store->commit(batch).has_value());
    worker.wake();
    // The failed attempt is recorded, then the worker waits an hour for the retry.
    for (int i = 0; i < 100 && worker.counters().retries == 0; ++i) {
        std::this_thread::sleep_for(50ms);
    }
    worker.stop();
    const auto kept = records();
    ASSERT_EQ(kept.size(), 1U);
    EXPECT_EQ(kept[0].id, "door-1/door-slam/8#smtp");
    EXPECT_EQ(kept[0].attempts, 1U);
}

} // namespace
} // namespace dtwin::notify
