// `dtwin alerts list|ack|silence|outbox` run as the real binary on a data directory whose
// alerts, silences and outbox records the test writes with the store API (as dtwin serve
// would), then reads back what the commands wrote.
#include "child_process.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <vector>

namespace dtwin::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using store::testing::TempDir;

/// What one run of the binary did.
struct CommandRun {
    int status = -1;
    std::string out;
    std::string err;

    [[nodiscard]] json::value json() const { return json::parse(out); }
};

std::ostream& operator<<(std::ostream& os, const CommandRun& run) {
    return os << "exit " << run.status << "\nstdout:\n" << run.out << "\nstderr:\n" << run.err;
}

core::TimePoint time_of(const char* text) {
    return *core::parse_time(text);
}

core::TimePoint now() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

store::AlertRecord alert(const std::string& twin, const std::string& rule, int instance, const std::string& state,
                         json::object extra = {}) {
    json::object details{{"severity", "critical"},
                         {"message", twin + " " + rule},
                         {"instance", instance},
                         {"reason", state == "resolved" ? "resolved" : "fired"},
                         {"eventTime", "2026-11-24T10:00:05.0000000Z"},
                         {"reportTime", "2026-11-24T10:00:07.5000000Z"},
                         {"latenessMs", 2500},
                         {"values", json::object{{"angularSpeed", 143.5}}}};
    if (state != "pending") {
        details["firedAt"] = "2026-11-24T10:00:05.0000000Z";
    }
    for (const auto& [key, value] : extra) {
        details[key] = value;
    }
    store::AlertRecord record{twin + "/" + rule + "/" + std::to_string(instance),
                              twin,
                              rule,
                              state,
                              time_of("2026-11-24T10:00:00Z"),
                              time_of("2026-11-24T10:00:05Z"),
                              std::nullopt,
                              json::serialize(details)};
    if (state == "resolved") {
        record.resolved_time = time_of("2026-11-24T10:30:00Z");
    }
    return record;
}

class AlertsCli : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(data());
        store::WriteBatch batch;
        batch.put_alert(alert("Door", "slam", 1, "firing"));
        batch.put_alert(alert("Room1", "co2-high", 1, "resolved"));
        batch.put_alert(alert("Room1", "co2-high", 2, "firing",
                              {{"acknowledgedAt", "2026-11-24T10:05:00.0000000Z"}, {"acknowledgedBy", "ana"}}));
        batch.put_alert(alert("Room2", "co2-high", 1, "pending"));
        commit(batch);
    }

    [[nodiscard]] fs::path data() const { return m_dir.path() / "data"; }

    std::unique_ptr<store::Store> open(bool read_only) {
        auto opened = store::open_store(data().string(), store::StoreOptions{.read_only = read_only});
        if (!opened) {
            ADD_FAILURE() << opened.error().to_string();
            return nullptr;
        }
        return std::move(*opened);
    }

    void commit(const store::WriteBatch& batch) {
        auto store = open(false);
        ASSERT_TRUE(store);
        auto committed = store->commit(batch);
        ASSERT_TRUE(committed) << committed.error().to_string();
    }

    std::vector<store::AlertAckRecord> acks() {
        auto store = open(true);
        auto listed = store ? store->list_alert_acks() : std::vector<store::AlertAckRecord>{};
        EXPECT_TRUE(listed) << listed.error().to_string();
        return listed.value_or(std::vector<store::AlertAckRecord>{});
    }

    /// Runs `dtwin --data <data> ARGS...` to completion.
    CommandRun dtwin(const std::vector<std::string>& args) {
        std::vector<std::string> argv{DTWIN_BIN, "--data", data().string()};
        argv.insert(argv.end(), args.begin(), args.end());
        ChildProcess process(ChildProcessOptions{
            .argv = argv, .output_directory = m_dir.path(), .output_name = "dtwin-" + std::to_string(++m_runs)});
        const auto status = process.wait_for_exit(60s);
        return CommandRun{status.value_or(-1), process.stdout_text(), process.stderr_text()};
    }

    /// The alerts `dtwin alerts list --json ARGS...` prints, by id.
    std::map<std::string, json::object> listed(std::vector<std::string> args) {
        args.insert(args.begin(), {"alerts", "list", "--json"});
        const CommandRun run = dtwin(args);
        EXPECT_EQ(run.status, 0) << run;
        std::map<std::string, json::object> by_id;
        const json::value parsed = run.json();
        for (const auto& element : parsed.as_array()) {
            by_id.emplace(element.at("id").as_string(), element.as_object());
        }
        return by_id;
    }

    TempDir m_dir;
    int m_runs = 0;
};

using Ids = std::vector<std::string>;

Ids ids_of(const std::map<std::string, json::object>& alerts) {
    Ids ids;
    for (const auto& [id, alert] : alerts) {
        ids.push_back(id);
    }
    return ids;
}

TEST_F(AlertsCli, ListsEveryAlertAsJsonWithItsDetailsInlined) {
    const auto alerts = listed({});
    ASSERT_EQ(ids_of(alerts), (Ids{"Door/slam/1", "Room1/co2-high/1", "Room1/co2-high/2", "Room2/co2-high/1"}));
    const json::object& slam = alerts.at("Door/slam/1");
    EXPECT_EQ(slam.at("state"), "firing");
    EXPECT_EQ(slam.at("twin"), "Door");
    EXPECT_EQ(slam.at("rule"), "slam");
    EXPECT_EQ(slam.at("severity"), "critical");
    EXPECT_EQ(slam.at("raisedTime"), "2026-11-24T10:00:00.0000000Z");
    EXPECT_EQ(slam.at("firedAt"), "2026-11-24T10:00:05.0000000Z");
    EXPECT_TRUE(slam.at("resolvedTime").is_null());
    EXPECT_EQ(slam.at("latenessMs"), 2500);
    EXPECT_EQ(slam.at("values").at("angularSpeed"), 143.5);
    EXPECT_EQ(slam.at("ack"), "none");
    EXPECT_EQ(alerts.at("Room1/co2-high/1").at("resolvedTime"), "2026-11-24T10:30:00.0000000Z");
    EXPECT_EQ(alerts.at("Room1/co2-high/2").at("ack"), "acknowledged");
    EXPECT_EQ(alerts.at("Room1/co2-high/2").at("acknowledgedBy"), "ana");
    EXPECT_FALSE(alerts.at("Room2/co2-high/1").contains("firedAt"));
}

TEST_F(AlertsCli, FiltersByTwinRuleStateAndLimit) {
    EXPECT_EQ(ids_of(listed({"--twin", "Room1"})), (Ids{"Room1/co2-high/1", "Room1/co2-high/2"}));
    EXPECT_EQ(ids_of(listed({"--rule", "slam"})), (Ids{"Door/slam/1"}));
    EXPECT_EQ(ids_of(listed({"--state", "firing"})), (Ids{"Door/slam/1", "Room1/co2-high/2"}));
    EXPECT_EQ(ids_of(listed({"--twin", "Room1", "--state", "resolved"})), (Ids{"Room1/co2-high/1"}));
    EXPECT_EQ(listed({"--limit", "2"}).size(), 2U);
    EXPECT_TRUE(listed({"--twin", "Nobody"}).empty());

    const CommandRun bad = dtwin({"alerts", "list", "--state", "burning"});
    EXPECT_EQ(bad.status, 1) << bad;
    EXPECT_NE(bad.err.find("--state"), std::string::npos) << bad;
    EXPECT_NE(bad.err.find("burning"), std::string::npos) << bad;
}

TEST_F(AlertsCli, TableShowsOneLinePerAlert) {
    const CommandRun run = dtwin({"alerts", "list"});
    ASSERT_EQ(run.status, 0) << run;
    EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 5) << run; // header + 4 alerts
    for (const char* column : {"ID", "STATE", "SEVERITY", "RAISED", "FIRED", "RESOLVED", "LATENESS", "ACK"}) {
        EXPECT_NE(run.out.find(column), std::string::npos) << column << "\n" << run;
    }
    const auto slam = run.out.substr(run.out.find("Door/slam/1"));
    const auto line = slam.substr(0, slam.find('\n'));
    for (const char* cell : {"firing", "critical", "2026-11-24T10:00:00Z", "2026-11-24T10:00:05Z", "2.5s"}) {
        EXPECT_NE(line.find(cell), std::string::npos) << cell << " in: " << line;
    }
    EXPECT_NE(run.out.find("acknowledged (ana)"), std::string::npos) << run;

    const CommandRun none = dtwin({"alerts", "list", "--twin", "Nobody"});
    EXPECT_EQ(none.out, "no alerts\n") << none;
}

TEST_F(AlertsCli, AckOfAnUnknownIdNamesIt) {
    const CommandRun run = dtwin({"alerts", "ack", "Door/slam/9"});
    EXPECT_EQ(run.status, 1) << run;
    EXPECT_NE(run.err.find("Door/slam/9"), std::string::npos) << run;
    EXPECT_NE(run.err.find("no such alert"), std::string::npos) << run;
    const CommandRun json_run = dtwin({"alerts", "ack", "Door/slam/9", "--json"});
    EXPECT_EQ(json_run.status, 1) << json_run;
    EXPECT_EQ(json_run.json().at("error").at("code"), "unknown_alert") << json_run;
    EXPECT_TRUE(acks().empty());
}

TEST_F(AlertsCli, AckRefusesAlertsThatAreNotFiringOrAlreadyAcknowledged) {
    for (const auto& [id, words] :
         {std::pair{"Room1/co2-high/1", "is resolved"}, std::pair{"Room2/co2-high/1", "is pending"},
          std::pair{"Room1/co2-high/2", "already acknowledged"}}) {
        const CommandRun run = dtwin({"alerts", "ack", id});
        EXPECT_EQ(run.status, 1) << run;
        EXPECT_NE(run.err.find(id), std::string::npos) << run;
        EXPECT_NE(run.err.find(words), std::string::npos) << run;
    }
    EXPECT_TRUE(acks().empty());
}

TEST_F(AlertsCli, AckOfAFiringAlertIsRecordedForTheServer) {
    const auto before = now();
    const CommandRun run = dtwin({"alerts", "ack", "Door/slam/1", "--by", "bob", "--comment", "door fixed"});
    ASSERT_EQ(run.status, 0) << run;
    EXPECT_NE(run.out.find("dtwin serve applies it"), std::string::npos) << run;

    const auto recorded = acks();
    ASSERT_EQ(recorded.size(), 1U);
    EXPECT_EQ(recorded[0].alert_id, "Door/slam/1");
    EXPECT_EQ(recorded[0].by, "bob");
    EXPECT_EQ(recorded[0].comment, "door fixed");
    EXPECT_GE(recorded[0].requested_time, before);
    EXPECT_LE(recorded[0].requested_time, now());

    const json::object slam = listed({"--rule", "slam"}).at("Door/slam/1");
    EXPECT_EQ(slam.at("ack"), "ack requested");
    EXPECT_EQ(slam.at("ackRequest").at("by"), "bob");
    const CommandRun table = dtwin({"alerts", "list", "--rule", "slam"});
    EXPECT_NE(table.out.find("ack requested (bob)"), std::string::npos) << table;

    const CommandRun again = dtwin({"alerts", "ack", "Door/slam/1"});
    EXPECT_EQ(again.status, 1) << again;
    EXPECT_NE(again.err.find("already requested"), std::string::npos) << again;
    EXPECT_EQ(acks().size(), 1U);
}

TEST_F(AlertsCli, SilencesAreAddedListedAndRemoved) {
    const CommandRun added = dtwin({"alerts", "silence", "add", "--twin", "Door", "--rule", "*", "--for", "2h",
                                    "--comment", "maintenance", "--json"});
    ASSERT_EQ(added.status, 0) << added;
    const std::string id(added.json().at("id").as_string());
    EXPECT_EQ(id.size(), 8U);
    const CommandRun text = dtwin({"alerts", "silence", "add", "--twin", "*", "--rule", "slam", "--from",
                                   "2099-01-01T00:00:00Z", "--until", "2099-01-01T06:00:00+02:00"});
    ASSERT_EQ(text.status, 0) << text;
    EXPECT_NE(text.out.find("upcoming"), std::string::npos) << text;
    store::WriteBatch expired;
    expired.put_silence({"old", "Room1", "co2-high", time_of("2026-01-01T00:00:00Z"), time_of("2026-01-02T00:00:00Z"),
                         time_of("2026-01-01T00:00:00Z"), ""});
    commit(expired);

    const CommandRun list = dtwin({"alerts", "silence", "list", "--json"});
    ASSERT_EQ(list.status, 0) << list;
    std::map<std::string, json::object> silences;
    const json::value listed_silences = list.json();
    for (const auto& silence : listed_silences.as_array()) {
        silences.emplace(silence.at("twin").as_string(), silence.as_object());
    }
    ASSERT_EQ(silences.size(), 3U) << list;
    EXPECT_EQ(silences.at("Door").at("status"), "active");
    EXPECT_EQ(silences.at("Door").at("rule"), "*");
    EXPECT_EQ(silences.at("Door").at("comment"), "maintenance");
    const auto from = *core::parse_time(silences.at("Door").at("from").as_string());
    EXPECT_EQ(*core::parse_time(silences.at("Door").at("until").as_string()) - from, 2h);
    EXPECT_EQ(silences.at("*").at("status"), "upcoming");
    EXPECT_EQ(silences.at("*").at("until"), "2099-01-01T04:00:00.0000000Z");
    EXPECT_EQ(silences.at("Room1").at("status"), "expired");
    const CommandRun table = dtwin({"alerts", "silence", "list"});
    EXPECT_NE(table.out.find(id), std::string::npos) << table;

    const CommandRun removed = dtwin({"alerts", "silence", "remove", id});
    EXPECT_EQ(removed.status, 0) << removed;
    auto store = open(true);
    ASSERT_TRUE(store);
    const auto left = store->list_silences();
    ASSERT_TRUE(left);
    EXPECT_EQ(left->size(), 2U);
    EXPECT_TRUE(std::none_of(left->begin(), left->end(), [&](const auto& silence) { return silence.id == id; }));

    const CommandRun unknown = dtwin({"alerts", "silence", "remove", id});
    EXPECT_EQ(unknown.status, 1) << unknown;
    EXPECT_NE(unknown.err.find(id), std::string::npos) << unknown;
    EXPECT_NE(unknown.err.find("no such silence"), std::string::npos) << unknown;
}

TEST_F(AlertsCli, BadSilencesNameTheOptionAndValue) {
    const std::vector<std::string> base{"alerts", "silence", "add", "--twin", "Door", "--rule", "slam"};
    const struct {
        std::vector<std::string> args;
        std::string option;
        std::string value;
    } cases[] = {
        {{"--for", "5x"}, "--for", "5x"},
        {{"--for", "0s"}, "--for", "0s"},
        {{"--for", "-30m"}, "--for", "-30m"},
        {{"--until", "tomorrow"}, "--until", "tomorrow"},
        {{"--from", "2099-01-02T00:00:00Z", "--until", "2099-01-01T00:00:00Z"}, "--until", "2099-01-01T00:00:00Z"},
        {{"--from", "2099-01-01T00:00:00Z", "--until", "2099-01-01T00:00:00Z"}, "--until", "2099-01-01T00:00:00Z"},
        {{"--from", "yesterday", "--for", "1h"}, "--from", "yesterday"},
        {{"--from", "2020-01-01T00:00:00Z", "--for", "1d"}, "--for", "already past"},
    };
    for (const auto& bad : cases) {
        auto args = base;
        args.insert(args.end(), bad.args.begin(), bad.args.end());
        const CommandRun run = dtwin(args);
        EXPECT_EQ(run.status, 1) << bad.option << " " << bad.value << "\n" << run;
        EXPECT_NE(run.err.find(bad.option + ": "), std::string::npos) << run;
        EXPECT_NE(run.err.find(bad.value), std::string::npos) << run;
    }
    // exactly one of --for and --until: a usage error
    auto both = base;
    both.insert(both.end(), {"--for", "1h", "--until", "2099-01-01T00:00:00Z"});
    EXPECT_EQ(dtwin(both).status, 2);
    EXPECT_EQ(dtwin(base).status, 2);
    auto store = open(true);
    ASSERT_TRUE(store);
    EXPECT_TRUE(store->list_silences()->empty());
}

TEST_F(AlertsCli, OutboxShowsWaitingAndFailedNotifications) {
    store::WriteBatch batch;
    batch.put_outbox({"Door/slam/1/fired#smtp", "smtp", R"({"id":"Door/slam/1/fired","subject":"slam","html":"<p>"})",
                      time_of("2026-11-24T10:00:07Z"), time_of("2026-11-24T10:00:07Z"), 5, "550 mailbox unavailable",
                      true});
    batch.put_outbox({"Door/slam/1/fired#webhook", "webhook", R"({"id":"Door/slam/1/fired","subject":"slam"})",
                      time_of("2026-11-24T10:00:07Z"), time_of("2026-11-24T10:04:07Z"), 2, "connection refused",
                      false});
    commit(batch);

    const CommandRun run = dtwin({"alerts", "outbox", "--json"});
    ASSERT_EQ(run.status, 0) << run;
    std::map<std::string, json::object> by_sink;
    const json::value records = run.json();
    for (const auto& record : records.as_array()) {
        by_sink.emplace(record.at("sink").as_string(), record.as_object());
    }
    ASSERT_EQ(by_sink.size(), 2U) << run;
    const json::object& smtp = by_sink.at("smtp");
    EXPECT_EQ(smtp.at("status"), "failed");
    EXPECT_EQ(smtp.at("attempts"), 5);
    EXPECT_EQ(smtp.at("lastError"), "550 mailbox unavailable");
    EXPECT_TRUE(smtp.at("nextAttemptTime").is_null());
    EXPECT_EQ(smtp.at("notification").at("subject"), "slam");
    EXPECT_FALSE(smtp.at("notification").as_object().contains("html"));
    EXPECT_EQ(by_sink.at("webhook").at("status"), "retrying");
    EXPECT_EQ(by_sink.at("webhook").at("nextAttemptTime"), "2026-11-24T10:04:07.0000000Z");

    const CommandRun table = dtwin({"alerts", "outbox"});
    ASSERT_EQ(table.status, 0) << table;
    for (const char* cell : {"Door/slam/1/fired#smtp", "failed", "550 mailbox unavailable", "retrying",
                             "2026-11-24T10:04:07Z", "connection refused"}) {
        EXPECT_NE(table.out.find(cell), std::string::npos) << cell << "\n" << table;
    }
}

TEST_F(AlertsCli, EverySubcommandHasHelp) {
    for (const auto& args : std::vector<std::vector<std::string>>{{"alerts", "--help"},
                                                                  {"alerts", "list", "--help"},
                                                                  {"alerts", "ack", "--help"},
                                                                  {"alerts", "silence", "add", "--help"},
                                                                  {"alerts", "silence", "remove", "--help"},
                                                                  {"alerts", "outbox", "--help"}}) {
        const CommandRun run = dtwin(args);
        EXPECT_EQ(run.status, 0) << run;
        EXPECT_NE(run.out.find("Usage"), std::string::npos) << run;
    }
}

} // namespace
} // namespace dtwin::testing
