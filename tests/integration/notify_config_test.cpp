// The notify.* keys as dtwin serve turns them into sinks (app/notify_config.hpp) and as
// the engine names them: the example mails through smtp, lists become recipients and
// headers, and every setup that cannot work is refused naming its key.
#include "app/config.hpp"
#include "app/notify_config.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace dtwin::app {
namespace {

Config example() {
    Config config;
    config.load_file(std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/dtwin.toml");
    return config;
}

/// The error notify_setup gives for the example with `settings` applied, or "ok".
std::string error_with(const std::vector<std::pair<std::string, std::string>>& settings) {
    Config config = example();
    for (const auto& [key, value] : settings) {
        config.set(key, value, "--set");
    }
    auto setup = notify_setup(config);
    return setup ? std::string("ok") : setup.error().to_string();
}

TEST(NotifyConfig, TheExampleMailsItsAlertsThroughOneSmtpSink) {
    const Config config = example();
    EXPECT_EQ(config.get_string_list("notify.smtp.to"), std::vector<std::string>{"facility@localhost"});
    auto setup = notify_setup(config);
    ASSERT_TRUE(setup.has_value()) << setup.error().to_string();
    ASSERT_EQ(setup->sinks.size(), 1U);
    EXPECT_EQ(setup->sinks.begin()->first, "smtp");
    EXPECT_EQ(setup->sinks.begin()->second->endpoint(), "smtp://127.0.0.1:2525");
    EXPECT_EQ(setup->delivery.retry_min, std::chrono::seconds(1));
    EXPECT_EQ(setup->delivery.retry_max, std::chrono::minutes(5));
    EXPECT_EQ(config.engine_options().notification_sinks, std::vector<std::string>{"smtp"});
}

TEST(NotifyConfig, WithoutUrlsThereAreNoSinksAndTheEngineQueuesNothing) {
    Config config = example();
    config.set("notify.smtp.url", "", "--set");
    auto setup = notify_setup(config);
    ASSERT_TRUE(setup.has_value());
    EXPECT_TRUE(setup->sinks.empty());
    EXPECT_TRUE(config.engine_options().notification_sinks.empty());
}

TEST(NotifyConfig, CommaSeparatedRecipientsAndAWebhookWithHeaders) {
    Config config = example();
    config.set("notify.smtp.to", "ops@example.org, facility@example.net", "--set");
    config.set("notify.webhook.url", "http://127.0.0.1:9/hook", "--set");
    config.set("notify.webhook.headers", "Authorization: Bearer abc, X-Site: lab", "--set");
    EXPECT_EQ(config.get_string_list("notify.smtp.to"),
              (std::vector<std::string>{"ops@example.org", "facility@example.net"}));
    auto setup = notify_setup(config);
    ASSERT_TRUE(setup.has_value()) << setup.error().to_string();
    EXPECT_EQ(setup->sinks.size(), 2U);
    EXPECT_EQ(setup->sinks.at("webhook")->endpoint(), "http://127.0.0.1:9");
    EXPECT_EQ(config.engine_options().notification_sinks, (std::vector<std::string>{"smtp", "webhook"}));
}

TEST(NotifyConfig, SetupsThatCannotWorkAreRefusedNamingTheKey) {
    EXPECT_EQ(error_with({{"notify.smtp.to", ""}}),
              "notify.smtp.to: at least one recipient is required when notify.smtp.url is set");
    EXPECT_TRUE(error_with({{"notify.smtp.url", "http://127.0.0.1:25"}}).starts_with("notify.smtp.url: "))
        << error_with({{"notify.smtp.url", "http://127.0.0.1:25"}});
    EXPECT_TRUE(error_with({{"notify.smtp.to", "Ops <ops@example.org>"}}).starts_with("notify.smtp.to: "))
        << error_with({{"notify.smtp.to", "Ops <ops@example.org>"}});
    const std::string injected = error_with({{"notify.smtp.from", "dtwin@localhost\r\nBcc: x@y"}});
    EXPECT_TRUE(injected.starts_with("notify.smtp.from: ")) << injected;
    EXPECT_EQ(error_with({{"notify.webhook.url", "http://127.0.0.1:9/hook"}, {"notify.webhook.headers", "no colon"}}),
              "notify.webhook.headers: \"no colon\" is not a header (expected \"Name: value\")");
    EXPECT_TRUE(error_with({{"notify.webhook.url", "ftp://127.0.0.1/hook"}}).starts_with("notify.webhook.url: "))
        << error_with({{"notify.webhook.url", "ftp://127.0.0.1/hook"}});
    EXPECT_EQ(error_with({{"notify.retry_min_ms", "10000"}, {"notify.retry_max_ms", "5000"}}),
              "notify.retry_max_ms: must not be smaller than notify.retry_min_ms");
}

TEST(NotifyConfig, BadValuesOfTheKeysThemselvesAreConfigErrors) {
    Config config = example();
    EXPECT_THROW(config.set("notify.smtp.starttls", "sometimes", "--set"), ConfigError);
    EXPECT_THROW(config.set("notify.timeout_ms", "50", "--set"), ConfigError);
    EXPECT_THROW(config.set("notify.retry_min_ms", "soon", "--set"), ConfigError);
}

TEST(NotifyConfig, ThePasswordIsNotShown) {
    Config config = example();
    config.set("notify.smtp.password", "s3cret", "--set");
    for (const auto& [key, value] : config.entries()) {
        EXPECT_EQ(value.find("s3cret"), std::string::npos) << key;
    }
}

} // namespace
} // namespace dtwin::app
