// SmtpSink against a real SMTP server (Debian's aiosmtpd, started per test by
// SmtpServerProcess): what arrives (envelope, header fields, both MIME parts, as Python's
// email package decodes them), non-ASCII texts, STARTTLS, implicit TLS, AUTH, and the
// failures a delivery worker must see as errors naming the server: server down, server
// silent, STARTTLS missing, certificate untrusted, credentials wrong or missing.
#include "notify/smtp_sink.hpp"
#include "notify_test_support.hpp"
#include "smtp_server_process.hpp"
#include "tcp_port.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace dtwin::notify {
namespace {

using namespace std::chrono_literals;
using dtwin::testing::ReceivedMail;
using dtwin::testing::SmtpCredentials;
using dtwin::testing::SmtpServerOptions;
using dtwin::testing::SmtpServerProcess;
using testing::contains;
using testing::door_slam;

constexpr auto k_arrival_timeout = 5s;
const SmtpCredentials k_user{"alerts", "s3cret-Passw0rd"};

class NotifySmtpTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string reason = SmtpServerProcess::unavailable_reason(); !reason.empty()) {
            GTEST_SKIP() << reason;
        }
    }

    static void skip_without_tls() {
        if (const std::string reason = SmtpServerProcess::tls_unavailable_reason(); !reason.empty()) {
            GTEST_SKIP() << reason;
        }
    }

    /// Options for `server`: from alerts@example.org to two recipients.
    static SmtpSinkOptions options_for(const SmtpServerProcess& server) {
        return SmtpSinkOptions{.url = server.url(),
                               .from = "alerts@example.org",
                               .to = {"ops@example.org", "facility@example.net"},
                               .timeout = 5s};
    }

    static SmtpSink make_sink(SmtpSinkOptions options) {
        auto sink = SmtpSink::create(std::move(options));
        if (!sink) {
            throw std::runtime_error(sink.error().to_string());
        }
        return std::move(*sink);
    }

    /// The one message `server` received; fails the test when there is not exactly one.
    static ReceivedMail only_message(const SmtpServerProcess& server) {
        std::vector<ReceivedMail> mails = server.wait_for_messages(1, k_arrival_timeout);
        if (mails.size() != 1) {
            throw std::runtime_error("expected 1 message, got " + std::to_string(mails.size()) + "\n" +
                                     server.output());
        }
        return mails.front();
    }
};

/// A TCP port that accepts connections (the kernel completes the handshake into the
/// backlog) but never says a word: a hung mail server.
class SilentListener {
public:
    SilentListener() : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(m_fd, 8) != 0 || ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("cannot listen on a loopback port");
        }
        m_port = ntohs(address.sin_port);
    }
    ~SilentListener() { ::close(m_fd); }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    [[nodiscard]] std::uint16_t port() const { return m_port; }

private:
    int m_fd;
    std::uint16_t m_port = 0;
};

TEST_F(NotifySmtpTest, MailArrivesWithEnvelopeHeadersAndBothParts) {
    SmtpServerProcess server;
    SmtpSink sink = make_sink(options_for(server));
    const Notification notification = door_slam();

    const auto sent = sink.send(notification);
    ASSERT_TRUE(sent.has_value()) << sent.error().to_string() << "\n" << server.output();

    const ReceivedMail mail = only_message(server);
    EXPECT_EQ(mail.mail_from, "alerts@example.org");
    EXPECT_EQ(mail.recipients, (std::vector<std::string>{"ops@example.org", "facility@example.net"}));
    EXPECT_TRUE(mail.defects.empty()) << ::testing::PrintToString(mail.defects) << "\n" << mail.content;
    EXPECT_EQ(mail.header("Subject"), notification.subject);
    EXPECT_EQ(mail.header("Subject"), "[dtwin] door-slam firing on door-1 (warning): The door was slammed");
    EXPECT_EQ(mail.header("From"), "dtwin <alerts@example.org>");
    EXPECT_EQ(mail.header("To"), "ops@example.org, facility@example.net");
    EXPECT_EQ(mail.header("Message-ID"), "<dtwin.door-1%2Fdoor-slam%2F7@example.org>");
    EXPECT_EQ(mail.header("MIME-Version"), "1.0");
    EXPECT_EQ(mail.header("Auto-Submitted"), "auto-generated");
    ASSERT_TRUE(mail.header("Date").has_value());
    EXPECT_TRUE(mail.header("Date")->ends_with("+0000")) << *mail.header("Date");
    EXPECT_TRUE(contains(mail.header("Content-Type").value_or(""), "multipart/alternative"));

    ASSERT_EQ(mail.parts.size(), 2U) << mail.content;
    EXPECT_EQ(mail.parts[0].content_type, "text/plain"); // the richer part last (RFC 2046 5.1.4)
    EXPECT_EQ(mail.parts[1].content_type, "text/html");
    for (const auto& part : mail.parts) {
        EXPECT_EQ(part.charset, "utf-8");
        for (const std::string_view expected :
             {"door-1", "door-slam", "warning", "firing", "The door was slammed", "angularSpeed", "143.25", "doorOpen",
              "true", "2026-11-24T21:26:15.0000000Z", "2026-11-24T21:29:40.5000000Z", "3 min 25 s"}) {
            EXPECT_TRUE(contains(part.text, expected)) << part.content_type << " lacks " << expected << ":\n"
                                                       << part.text;
        }
    }
    EXPECT_EQ(mail.parts[0].text.find('<'), std::string::npos) << "the text part is not HTML";
    EXPECT_TRUE(contains(mail.parts[1].text, "<table>"));
    EXPECT_FALSE(mail.tls) << "the server offers no STARTTLS; the default 'try' goes on in clear text";
}

TEST_F(NotifySmtpTest, NonAsciiSubjectSenderNameAndBodyArriveIntact) {
    SmtpServerProcess server;
    SmtpSinkOptions options = options_for(server);
    options.from_name = "dtwin Überwachung";
    SmtpSink sink = make_sink(options);
    Notification notification = door_slam();
    notification.twin_id = "büro-3";
    write_default_texts(notification, "Tür zu heftig geschlossen: 143 °/s, Grenzwert 65 °/s — bitte prüfen 🚪 " +
                                          std::string(60, 'x') + " Ende");

    const auto sent = sink.send(notification);
    ASSERT_TRUE(sent.has_value()) << sent.error().to_string() << "\n" << server.output();

    const ReceivedMail mail = only_message(server);
    EXPECT_TRUE(mail.defects.empty()) << ::testing::PrintToString(mail.defects) << "\n" << mail.content;
    EXPECT_EQ(mail.header("Subject"), notification.subject);
    EXPECT_EQ(mail.header("From"), "dtwin Überwachung <alerts@example.org>");
    ASSERT_NE(mail.part("text/plain"), nullptr);
    EXPECT_TRUE(contains(mail.part("text/plain")->text, "büro-3"));
    EXPECT_TRUE(contains(mail.part("text/html")->text, "Tür zu heftig geschlossen"));
    // On the wire: 7-bit only, and every line within RFC 2047's 76 characters (the
    // subject had to be split into several encoded words).
    std::size_t subject_lines = 0;
    bool in_subject = false;
    std::size_t start = 0;
    while (start < mail.content.size()) {
        const std::size_t end = mail.content.find("\r\n", start);
        const std::string line = mail.content.substr(start, end - start);
        EXPECT_LE(line.size(), 76U) << line;
        for (const char c : line) {
            EXPECT_LT(static_cast<unsigned char>(c), 0x80U) << line;
        }
        in_subject = line.starts_with("Subject:") || (in_subject && line.starts_with(" "));
        subject_lines += in_subject ? 1 : 0;
        if (end == std::string::npos || line.empty()) {
            break; // the header ends at the first empty line
        }
        start = end + 2;
    }
    EXPECT_GE(subject_lines, 3U) << mail.content;
}

TEST_F(NotifySmtpTest, LineBreaksInTheSubjectCannotAddHeaderFields) {
    SmtpServerProcess server;
    SmtpSink sink = make_sink(options_for(server));
    Notification notification = door_slam();
    notification.subject = "alarm\r\nBcc: intruder@example.com\r\n\r\nforged body";

    ASSERT_TRUE(sink.send(notification).has_value()) << server.output();

    const ReceivedMail mail = only_message(server);
    EXPECT_FALSE(mail.header("Bcc").has_value());
    EXPECT_EQ(mail.recipients, (std::vector<std::string>{"ops@example.org", "facility@example.net"}));
    EXPECT_EQ(mail.header("Subject"), "alarm  Bcc: intruder@example.com    forged body");
    EXPECT_EQ(mail.parts.size(), 2U);
}

TEST_F(NotifySmtpTest, NotificationWithoutHtmlIsPlainText) {
    SmtpServerProcess server;
    SmtpSink sink = make_sink(options_for(server));
    Notification notification = door_slam();
    notification.html_body.clear();

    ASSERT_TRUE(sink.send(notification).has_value()) << server.output();

    const ReceivedMail mail = only_message(server);
    EXPECT_TRUE(mail.defects.empty()) << ::testing::PrintToString(mail.defects);
    ASSERT_EQ(mail.parts.size(), 1U);
    EXPECT_EQ(mail.parts[0].content_type, "text/plain");
    EXPECT_EQ(mail.parts[0].text, notification.text_body);
}

TEST_F(NotifySmtpTest, ServerDownIsAnErrorNamingTheServerWithinTheTimeout) {
    const std::uint16_t port = dtwin::testing::free_tcp_port(); // nothing listens there
    SmtpSinkOptions options{.url = "smtp://127.0.0.1:" + std::to_string(port),
                            .from = "alerts@example.org",
                            .to = {"ops@example.org"},
                            .timeout = 3s};
    SmtpSink sink = make_sink(options);

    const auto started = std::chrono::steady_clock::now();
    const auto sent = sink.send(door_slam());
    const auto took = std::chrono::steady_clock::now() - started;

    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().code, core::ErrorCode::io);
    EXPECT_EQ(sent.error().where, "smtp://127.0.0.1:" + std::to_string(port));
    EXPECT_TRUE(contains(sent.error().message, "connect")) << sent.error().message;
    EXPECT_TRUE(contains(sent.error().to_string(), "127.0.0.1:" + std::to_string(port)));
    EXPECT_FALSE(sent.error().permanent); // the server may come back: the outbox retries
    // The outcome checked is "bounded by the timeout", with a wide margin, not a speed.
    EXPECT_LT(took, 3s + 5s);
}

TEST_F(NotifySmtpTest, ServerThatNeverAnswersTimesOut) {
    const SilentListener silent;
    SmtpSink sink = make_sink(SmtpSinkOptions{.url = "smtp://127.0.0.1:" + std::to_string(silent.port()),
                                              .from = "alerts@example.org",
                                              .to = {"ops@example.org"},
                                              .timeout = 1s});

    const auto started = std::chrono::steady_clock::now();
    const auto sent = sink.send(door_slam());
    const auto took = std::chrono::steady_clock::now() - started;

    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().where, "smtp://127.0.0.1:" + std::to_string(silent.port()));
    EXPECT_TRUE(contains(sent.error().message, "Timeout")) << sent.error().message;
    EXPECT_GE(took, 1s);
    EXPECT_LT(took, 1s + 5s);
}

TEST_F(NotifySmtpTest, SendsAgainAfterTheServerCameBack) {
    SmtpServerProcess server;
    SmtpSink sink = make_sink(options_for(server));
    ASSERT_TRUE(sink.send(door_slam()).has_value()) << server.output();
    ASSERT_EQ(server.wait_for_messages(1, k_arrival_timeout).size(), 1U);

    server.stop();
    const auto while_down = sink.send(door_slam());
    ASSERT_FALSE(while_down.has_value());
    EXPECT_EQ(while_down.error().where, "smtp://127.0.0.1:" + std::to_string(server.port()));

    server.restart();
    const auto after = sink.send(door_slam());
    ASSERT_TRUE(after.has_value()) << after.error().to_string() << "\n" << server.output();
    EXPECT_EQ(server.wait_for_messages(2, k_arrival_timeout).size(), 2U);
}

TEST_F(NotifySmtpTest, StartTlsWithAuthDelivers) {
    skip_without_tls();
    SmtpServerProcess server(SmtpServerOptions{.credentials = k_user});
    SmtpSinkOptions options = options_for(server);
    options.starttls = StartTls::required;
    options.tls.ca_file = server.ca_file().string();
    options.username = k_user.username;
    options.password = k_user.password;
    SmtpSink sink = make_sink(options);

    const auto sent = sink.send(door_slam());
    ASSERT_TRUE(sent.has_value()) << sent.error().to_string() << "\n" << server.output();

    const ReceivedMail mail = only_message(server);
    EXPECT_TRUE(mail.tls);
    EXPECT_EQ(mail.authenticated_user, k_user.username);
    EXPECT_EQ(mail.recipients, (std::vector<std::string>{"ops@example.org", "facility@example.net"}));
}

TEST_F(NotifySmtpTest, WrongOrMissingCredentialsAreRefused) {
    skip_without_tls();
    SmtpServerProcess server(SmtpServerOptions{.credentials = k_user});
    SmtpSinkOptions options = options_for(server);
    options.starttls = StartTls::required;
    options.tls.ca_file = server.ca_file().string();

    options.username = k_user.username;
    options.password = "wrong";
    const auto wrong = make_sink(options).send(door_slam());
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().where, "smtp://127.0.0.1:" + std::to_string(server.port()));
    EXPECT_TRUE(contains(wrong.error().message, "Login denied")) << wrong.error().message;
    EXPECT_TRUE(contains(wrong.error().message, "535")) << wrong.error().message;
    EXPECT_TRUE(wrong.error().permanent); // a 5xx reply: retrying the same login cannot help

    options.username.reset();
    options.password.reset();
    const auto missing = make_sink(options).send(door_slam());
    ASSERT_FALSE(missing.has_value());
    EXPECT_TRUE(contains(missing.error().message, "530")) << missing.error().message;
    EXPECT_TRUE(missing.error().permanent);

    EXPECT_TRUE(server.messages().empty());
}

TEST_F(NotifySmtpTest, StartTlsRequiredFailsWhenTheServerDoesNotOfferIt) {
    SmtpServerProcess server; // no STARTTLS
    SmtpSinkOptions options = options_for(server);
    options.starttls = StartTls::required;

    const auto sent = make_sink(options).send(door_slam());
    ASSERT_FALSE(sent.has_value());
    EXPECT_TRUE(contains(sent.error().message, "SSL")) << sent.error().message;
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(NotifySmtpTest, UntrustedCertificateFailsUnlessInsecure) {
    skip_without_tls();
    SmtpServerProcess server(SmtpServerOptions{.starttls = true});
    SmtpSinkOptions options = options_for(server); // starttls "try", the system's CAs

    const auto untrusted = make_sink(options).send(door_slam());
    ASSERT_FALSE(untrusted.has_value()) << "a self-signed certificate must not pass the system's CAs";
    EXPECT_TRUE(contains(untrusted.error().message, "certificate")) << untrusted.error().message;
    EXPECT_TRUE(server.messages().empty());

    options.tls.insecure = true;
    const auto insecure = make_sink(options).send(door_slam());
    ASSERT_TRUE(insecure.has_value()) << insecure.error().to_string();
    EXPECT_TRUE(only_message(server).tls);
}

TEST_F(NotifySmtpTest, ImplicitTlsDelivers) {
    skip_without_tls();
    SmtpServerProcess server(SmtpServerOptions{.implicit_tls = true});
    ASSERT_TRUE(server.url().starts_with("smtps://"));
    SmtpSinkOptions options = options_for(server);
    options.tls.ca_file = server.ca_file().string();
    SmtpSink sink = make_sink(options);
    EXPECT_EQ(sink.endpoint(), server.url());

    const auto sent = sink.send(door_slam());
    ASSERT_TRUE(sent.has_value()) << sent.error().to_string() << "\n" << server.output();
    EXPECT_TRUE(only_message(server).tls);
}

struct InvalidOptionsCase {
    const char* what;
    SmtpSinkOptions options;
    const char* where;
    const char* message_part;
};

TEST(NotifySmtpOptions, InvalidOptionsAreRejectedNamingTheOption) {
    const SmtpSinkOptions valid{.url = "smtp://127.0.0.1:2525", .from = "alerts@example.org", .to = {"a@example.org"}};
    const auto with = [&](auto change) {
        SmtpSinkOptions options = valid;
        change(options);
        return options;
    };
    const std::vector<InvalidOptionsCase> cases = {
        {"scheme", with([](auto& o) { o.url = "http://127.0.0.1:2525"; }), "url", "scheme 'http'"},
        {"no host", with([](auto& o) { o.url = "smtp://:25"; }), "url", "no host"},
        {"port", with([](auto& o) { o.url = "smtp://127.0.0.1:70000"; }), "url", "port"},
        {"credentials in URL", with([](auto& o) { o.url = "smtp://u:p@127.0.0.1"; }), "url", "credentials"},
        {"path", with([](auto& o) { o.url = "smtp://127.0.0.1/x"; }), "url", "path"},
        {"from", with([](auto& o) { o.from = "dtwin"; }), "from", "bare mail address"},
        {"from with name", with([](auto& o) { o.from = "dtwin <a@example.org>"; }), "from", "bare mail address"},
        {"no recipient", with([](auto& o) { o.to.clear(); }), "to", "at least one"},
        {"recipient", with([](auto& o) { o.to.push_back("b@example.org\r\nRCPT TO:<c@x>"); }), "to", "bare"},
        {"password alone", with([](auto& o) { o.password = "p"; }), "password", "username"},
        {"timeout", with([](auto& o) { o.timeout = 0s; }), "timeout", "positive"},
    };
    ASSERT_TRUE(SmtpSink::create(valid).has_value());
    for (const InvalidOptionsCase& c : cases) {
        const auto sink = SmtpSink::create(c.options);
        ASSERT_FALSE(sink.has_value()) << c.what;
        EXPECT_EQ(sink.error().code, core::ErrorCode::invalid_value) << c.what;
        EXPECT_EQ(sink.error().where, c.where) << c.what;
        EXPECT_TRUE(contains(sink.error().message, c.message_part)) << c.what << ": " << sink.error().message;
    }
}

TEST(NotifySmtpOptions, EndpointHasTheDefaultPortAndNoCredentials) {
    EXPECT_EQ(SmtpSink::create({.url = "smtp://mail.example.org", .from = "a@example.org", .to = {"b@example.org"}})
                  ->endpoint(),
              "smtp://mail.example.org:25");
    EXPECT_EQ(SmtpSink::create({.url = "SMTPS://mail.example.org/", .from = "a@example.org", .to = {"b@example.org"}})
                  ->endpoint(),
              "smtps://mail.example.org:465");
    EXPECT_EQ(parse_starttls("try"), StartTls::if_offered);
    EXPECT_EQ(parse_starttls("required"), StartTls::required);
    EXPECT_EQ(parse_starttls("none"), StartTls::none);
    EXPECT_EQ(parse_starttls("yes"), std::nullopt);
}

} // namespace
} // namespace dtwin::notify
