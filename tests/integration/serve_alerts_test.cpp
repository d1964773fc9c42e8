// dtwin serve's alerts end to end: a real mosquitto, the real binary with the example's
// rules, and a real SMTP server (aiosmtpd). A slam is mailed once; a slam while the mail
// server is down is mailed once it is back, also across a restart of dtwin serve; an
// acknowledgement given with `dtwin alerts ack` reaches the running server; a mail setup
// that cannot work is refused at start naming the key.
#include "child_process.hpp"
#include "serve_fixture.hpp"
#include "smtp_server_process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

namespace dtwin::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class ServeAlertsTest : public ServeTest {
protected:
    void SetUp() override {
        if (const std::string reason = SmtpServerProcess::unavailable_reason(); !reason.empty()) {
            GTEST_SKIP() << reason;
        }
        ServeTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        m_smtp = std::make_unique<SmtpServerProcess>();
    }

    void TearDown() override {
        m_smtp.reset();
        ServeTest::TearDown();
    }

    /// The example's config, alerts mailed to ops@example.org through the test's server;
    /// retries after 200 ms (doubling up to 1 s) so that a test need not wait long.
    void start() {
        start_server(write_config(example_config()),
                     {"--set", "notify.smtp.url=" + m_smtp->url(), "--set", "notify.smtp.to=ops@example.org",
                      "--set", "notify.smtp.from=twin@example.org", "--set", "notify.retry_min_ms=200", "--set",
                      "notify.retry_max_ms=1000"});
    }

    /// The gateway's combined document with the door part only.
    void door(double gyro) {
        json::object local{{"door_timestamp", iso_now()}, {"angle", 40.0}, {"gyro", gyro}, {"magnet", 0}};
        m_client->publish("door", json::serialize(json::object{{"local_data", std::move(local)}}));
    }

    /// Polls the store until `accept` holds for the alert `id` (10 s at most).
    bool wait_for_alert(const std::string& id, const std::function<bool(const store::AlertRecord&)>& accept) {
        for (int i = 0; i < 200; ++i) {
            if (auto alert = open_store()->get_alert(id); alert && accept(*alert)) {
                return true;
            }
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    std::unique_ptr<SmtpServerProcess> m_smtp;
};

TEST_F(ServeAlertsTest, ASlamIsMailedOnceNamingTwinRuleValueAndEventTime) {
    start();
    door(2.0);
    door(-85.0);
    door(-90.0); // the same slam: no second mail
    door(1.0);
    const auto mails = m_smtp->wait_for_messages(1, 10s);
    ASSERT_EQ(mails.size(), 1U) << m_server->output();
    const auto& mail = mails[0];
    EXPECT_EQ(mail.mail_from, "twin@example.org");
    EXPECT_EQ(mail.recipients, std::vector<std::string>{"ops@example.org"});
    const std::string subject = mail.header("Subject").value_or("");
    EXPECT_NE(subject.find("door-slammed"), std::string::npos) << subject;
    EXPECT_NE(subject.find("Door was slammed (-85 deg/s)"), std::string::npos) << subject;
    const auto* text = mail.part("text/plain");
    ASSERT_NE(text, nullptr);
    EXPECT_NE(text->text.find("Event time:"), std::string::npos) << text->text;
    EXPECT_NE(text->text.find("-85"), std::string::npos) << text->text;
    ASSERT_NE(mail.part("text/html"), nullptr);
    ASSERT_EQ(stop_server(), 0) << m_server->output();
    EXPECT_EQ(m_smtp->messages().size(), 1U);
    EXPECT_TRUE(open_store()->list_outbox({})->empty());
}

TEST_F(ServeAlertsTest, ASlamWhileTheMailServerIsDownIsMailedOnceWhenItIsBackEvenAcrossARestart) {
    start();
    m_smtp->stop();
    door(120.0);
    door(0.0);
    // The first attempt fails and the notification waits in the outbox.
    bool waiting = false;
    for (int i = 0; i < 200 && !waiting; ++i) {
        auto records = open_store()->list_outbox({});
        waiting = records && records->size() == 1 && records->front().attempts >= 1 && !records->front().failed;
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(waiting) << m_server->output();
    // dtwin serve restarts while the mail server is still down ...
    ASSERT_EQ(stop_server(), 0) << m_server->output();
    start();
    // ... and the mail server comes back.
    m_smtp->restart();
    const auto mails = m_smtp->wait_for_messages(1, 15s);
    ASSERT_EQ(mails.size(), 1U) << m_server->output();
    EXPECT_NE(mails[0].header("Subject").value_or("").find("door-slammed"), std::string::npos);
    std::this_thread::sleep_for(1500ms); // longer than the longest retry delay
    ASSERT_EQ(stop_server(), 0) << m_server->output();
    EXPECT_EQ(m_smtp->messages().size(), 1U);
    EXPECT_TRUE(open_store()->list_outbox({})->empty());
}

TEST_F(ServeAlertsTest, AnAcknowledgementFromTheCliReachesTheRunningServer) {
    start();
    door(95.0);
    ASSERT_TRUE(wait_for_alert("Door/door-slammed/1", [](const store::AlertRecord& a) { return a.state == "firing"; }))
        << m_server->output();
    ASSERT_EQ(run_dtwin({"alerts", "ack", "Door/door-slammed/1", "--by", "alice", "--comment", "on it"}), 0);
    EXPECT_TRUE(wait_for_alert("Door/door-slammed/1", [](const store::AlertRecord& a) {
        const auto details = json::parse(a.details).as_object();
        return details.contains("acknowledgedAt") && details.at("acknowledgedBy") == json::value("alice");
    })) << m_server->output();
    EXPECT_TRUE(open_store()->list_alert_acks()->empty());
    ASSERT_EQ(stop_server(), 0) << m_server->output();
}

TEST_F(ServeAlertsTest, AMailSetupWithoutRecipientsIsRefusedAtStartNamingTheKey) {
    ChildProcess serve(ChildProcessOptions{
        .argv = {DTWIN_BIN, "--config", write_config(example_config()).string(), "--data", m_data.string(), "--set",
                 "mqtt.url=" + m_broker->url(), "--set", "notify.smtp.url=" + m_smtp->url(), "--set",
                 "notify.smtp.to=", "--set", "api.listen=off", "serve"},
        .output_directory = m_dir,
        .output_name = "dtwin-serve-bad"});
    const auto status = serve.wait_for_exit(30s);
    ASSERT_TRUE(status.has_value());
    EXPECT_NE(*status, 0);
    EXPECT_NE(serve.output().find("notify.smtp.to"), std::string::npos) << serve.output();
}

} // namespace
} // namespace dtwin::testing
