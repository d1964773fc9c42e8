// Twin marks: per-property stale flags and the twin's clock-skew flag (twin.hpp), their
// metadata-only writes through TwinGraph, and their round trip through the twin JSON.
#include "core/twin_graph.hpp"
#include "core/twin_json.hpp"
#include "twin_test_models.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

using namespace dtwin::core;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

TimePoint at(std::string_view text) {
    return *parse_time(text);
}

void add_models(TwinGraph& graph) {
    ASSERT_TRUE(graph.add_model(dtwin::test::room_model()));
    ASSERT_TRUE(graph.add_model(dtwin::test::thermostat_model()));
    ASSERT_TRUE(graph.add_model(dtwin::test::office_model()));
}

std::string error_text(const auto& result) {
    return result ? std::string("(no error)") : result.error().to_string();
}

ClockSkewFlag ahead_flag() {
    return ClockSkewFlag{"ahead_of_receive_time", "2031-01-01T00:00:00Z", at("2026-11-24T20:00:01Z"),
                         at("2026-11-24T20:00:09.5Z"), 3};
}

class TwinMarksTest : public ::testing::Test {
protected:
    TwinMarksTest() : clock(at("2026-11-24T20:00:00Z")), graph(clock) {
        add_models(graph);
        const auto created = graph.create_twin(
            "Room1",
            json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"},"temperature":20.5,"co2":640})"),
            {.source_time = at("2026-11-24T19:59:59Z")});
        EXPECT_TRUE(created) << error_text(created);
        (void)graph.drain_events();
    }

    Result<WriteResult> patch(std::string_view patch_text, const WriteOptions& options) {
        return graph.patch_twin("Room1", json::parse(patch_text), options);
    }

    bool stale(std::string_view name) const { return graph.find_twin("Room1")->metadata(name)->stale; }
    std::uint64_t version() const { return graph.find_twin("Room1")->version(); }

    ManualClock clock;
    TwinGraph graph;
};

} // namespace

// ---- stale flags -----------------------------------------------------------------------

TEST_F(TwinMarksTest, StaleFlagSetAndClearBumpTheVersionWithoutEvent) {
    EXPECT_FALSE(stale("temperature"));
    const TimePoint created = clock.now();
    clock.advance(30s);
    // humidity is declared but not set; colour and thermostat/target are not root properties.
    const std::vector<std::string> names{"temperature", "humidity", "colour", "thermostat/target"};
    const auto set = graph.set_properties_stale("Room1", names, true);
    ASSERT_TRUE(set) << error_text(set);
    EXPECT_TRUE(*set);
    const Twin& twin = *graph.find_twin("Room1");
    EXPECT_EQ(twin.version(), 2U);
    EXPECT_EQ(twin.etag(), "W/\"2\"");
    EXPECT_EQ(twin.last_update_time(), clock.now());
    EXPECT_TRUE(stale("temperature"));
    EXPECT_FALSE(stale("co2"));
    EXPECT_EQ(twin.metadata("humidity"), nullptr); // skipped, still unset
    // The value's own times do not move: the value did not change.
    EXPECT_EQ(twin.metadata("temperature")->last_update_time, created);
    EXPECT_DOUBLE_EQ(twin.property("temperature")->as_double(), 20.5);
    EXPECT_EQ(graph.pending_events(), 0U);

    // Setting what is already set changes nothing, not even the version.
    const auto again = graph.set_properties_stale("Room1", names, true);
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    EXPECT_EQ(version(), 2U);

    // Names that match nothing settable: no change.
    const std::vector<std::string> nothing{"humidity", "colour", ""};
    const auto skipped = graph.set_properties_stale("Room1", nothing, true);
    ASSERT_TRUE(skipped);
    EXPECT_FALSE(*skipped);
    EXPECT_EQ(version(), 2U);

    clock.advance(1s);
    const std::vector<std::string> temperature{"temperature"};
    const auto cleared = graph.set_properties_stale("Room1", temperature, false);
    ASSERT_TRUE(cleared);
    EXPECT_TRUE(*cleared);
    EXPECT_FALSE(stale("temperature"));
    EXPECT_EQ(version(), 3U);
    EXPECT_EQ(graph.find_twin("Room1")->last_update_time(), clock.now());
    EXPECT_EQ(graph.pending_events(), 0U);

    const auto cleared_again = graph.set_properties_stale("Room1", temperature, false);
    ASSERT_TRUE(cleared_again);
    EXPECT_FALSE(*cleared_again);
    EXPECT_EQ(version(), 3U);
}

TEST_F(TwinMarksTest, NewerValueClearsStaleAndOlderSampleDoesNot) {
    const std::vector<std::string> names{"temperature", "co2"};
    ASSERT_TRUE(graph.set_properties_stale("Room1", names, true).value_or(false));
    clock.advance(10s);

    // An older sample: not applied, reported stale, the flag stays.
    const auto older =
        patch(R"([{"op":"replace","path":"/temperature","value":19}])", {.source_time = at("2026-11-24T19:59:00Z")});
    ASSERT_TRUE(older) << error_text(older);
    EXPECT_FALSE(older->changed());
    ASSERT_EQ(older->stale.size(), 1U);
    EXPECT_TRUE(stale("temperature"));

    // A newer sample of the same value makes no new version, so it leaves the flag too.
    const auto same =
        patch(R"([{"op":"replace","path":"/temperature","value":20.5}])", {.source_time = at("2026-11-24T20:00:05Z")});
    ASSERT_TRUE(same) << error_text(same);
    EXPECT_FALSE(same->changed());
    EXPECT_TRUE(stale("temperature"));

    // A newer value is applied and clears the flag of that property only.
    const auto newer =
        patch(R"([{"op":"replace","path":"/temperature","value":21}])", {.source_time = at("2026-11-24T20:00:09Z")});
    ASSERT_TRUE(newer) << error_text(newer);
    EXPECT_TRUE(newer->changed());
    EXPECT_FALSE(stale("temperature"));
    EXPECT_TRUE(stale("co2"));
    EXPECT_EQ(graph.pending_events(), 1U); // the patch's own event, nothing for the marks
}

TEST_F(TwinMarksTest, ReplaceClearsStaleFlagsAndKeepsTheClockSkewFlag) {
    const std::vector<std::string> names{"temperature", "co2"};
    ASSERT_TRUE(graph.set_properties_stale("Room1", names, true).value_or(false));
    ASSERT_TRUE(graph.set_clock_skew("Room1", ahead_flag()).value_or(false));
    const auto replaced = graph.replace_twin(
        "Room1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"},"temperature":22,"co2":640})"));
    ASSERT_TRUE(replaced) << error_text(replaced);
    ASSERT_TRUE(replaced->changed());
    EXPECT_FALSE(stale("temperature"));
    EXPECT_FALSE(stale("co2")); // a replace restarts the metadata of every property
    ASSERT_NE(graph.find_twin("Room1")->clock_skew(), nullptr);
    EXPECT_EQ(*graph.find_twin("Room1")->clock_skew(), ahead_flag());
}

// ---- clock skew ------------------------------------------------------------------------

TEST_F(TwinMarksTest, ClockSkewSetUpdateAndClear) {
    EXPECT_EQ(graph.find_twin("Room1")->clock_skew(), nullptr);
    clock.advance(2s);
    auto flag = ahead_flag();
    const auto set = graph.set_clock_skew("Room1", flag);
    ASSERT_TRUE(set) << error_text(set);
    EXPECT_TRUE(*set);
    ASSERT_NE(graph.find_twin("Room1")->clock_skew(), nullptr);
    EXPECT_EQ(*graph.find_twin("Room1")->clock_skew(), flag);
    EXPECT_EQ(version(), 2U);
    EXPECT_EQ(graph.find_twin("Room1")->last_update_time(), clock.now());
    EXPECT_EQ(graph.pending_events(), 0U);

    const auto same = graph.set_clock_skew("Room1", flag);
    ASSERT_TRUE(same);
    EXPECT_FALSE(*same);
    EXPECT_EQ(version(), 2U);

    // Any field that differs is a change.
    flag.count = 4;
    flag.last = at("2026-11-24T20:00:12Z");
    const auto updated = graph.set_clock_skew("Room1", flag);
    ASSERT_TRUE(updated);
    EXPECT_TRUE(*updated);
    EXPECT_EQ(graph.find_twin("Room1")->clock_skew()->count, 4U);
    EXPECT_EQ(version(), 3U);
    flag.reason = "missing";
    flag.timestamp.clear();
    ASSERT_TRUE(graph.set_clock_skew("Room1", flag).value_or(false));
    EXPECT_EQ(graph.find_twin("Room1")->clock_skew()->reason, "missing");
    EXPECT_EQ(version(), 4U);

    const auto cleared = graph.set_clock_skew("Room1", std::nullopt);
    ASSERT_TRUE(cleared);
    EXPECT_TRUE(*cleared);
    EXPECT_EQ(graph.find_twin("Room1")->clock_skew(), nullptr);
    EXPECT_EQ(version(), 5U);
    const auto cleared_again = graph.set_clock_skew("Room1", std::nullopt);
    ASSERT_TRUE(cleared_again);
    EXPECT_FALSE(*cleared_again);
    EXPECT_EQ(version(), 5U);
    EXPECT_EQ(graph.pending_events(), 0U);
}

TEST_F(TwinMarksTest, CopiesCarryBothMarksAndAreDeep) {
    const std::vector<std::string> names{"temperature"};
    ASSERT_TRUE(graph.set_properties_stale("Room1", names, true).value_or(false));
    ASSERT_TRUE(graph.set_clock_skew("Room1", ahead_flag()).value_or(false));
    auto copy = graph.get_twin("Room1");
    ASSERT_TRUE(copy);
    ASSERT_NE(copy->clock_skew(), nullptr);
    EXPECT_EQ(*copy->clock_skew(), ahead_flag());
    EXPECT_TRUE(copy->metadata("temperature")->stale);
    EXPECT_NE(copy->clock_skew(), graph.find_twin("Room1")->clock_skew()); // its own flag

    copy->set_clock_skew(std::nullopt);
    EXPECT_NE(graph.find_twin("Room1")->clock_skew(), nullptr);

    Twin assigned = *copy; // no flag
    assigned = *graph.find_twin("Room1");
    ASSERT_NE(assigned.clock_skew(), nullptr);
    EXPECT_EQ(*assigned.clock_skew(), ahead_flag());
    Twin moved = std::move(assigned);
    ASSERT_NE(moved.clock_skew(), nullptr);
    EXPECT_EQ(moved.clock_skew()->count, 3U);
}

TEST_F(TwinMarksTest, UnknownTwinIsAnError) {
    const std::vector<std::string> names{"temperature"};
    const auto stale = graph.set_properties_stale("Nobody", names, true);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().code, ErrorCode::unknown_twin);
    EXPECT_EQ(stale.error().where, "Nobody");
    const auto skew = graph.set_clock_skew("Nobody", ahead_flag());
    ASSERT_FALSE(skew);
    EXPECT_EQ(skew.error().code, ErrorCode::unknown_twin);
    EXPECT_EQ(skew.error().where, "Nobody");
    EXPECT_EQ(graph.last_version(), 1U);
}

// ---- JSON ------------------------------------------------------------------------------

TEST_F(TwinMarksTest, JsonWritesMarksOnlyWhenSet) {
    const auto plain = twin_to_json(*graph.find_twin("Room1"));
    EXPECT_EQ(plain.at("$metadata").as_object().if_contains("$clockSkew"), nullptr);
    EXPECT_EQ(plain.at("$metadata").at("temperature").as_object().if_contains("stale"), nullptr);

    const std::vector<std::string> names{"temperature"};
    ASSERT_TRUE(graph.set_properties_stale("Room1", names, true).value_or(false));
    ASSERT_TRUE(graph.set_clock_skew("Room1", ahead_flag()).value_or(false));
    const auto marked = twin_to_json(*graph.find_twin("Room1"));
    const auto& metadata = marked.at("$metadata").as_object();
    EXPECT_EQ(metadata.at("$clockSkew"), json::parse(R"({"reason": "ahead_of_receive_time",
        "timestamp": "2031-01-01T00:00:00Z", "since": "2026-11-24T20:00:01.0000000Z",
        "last": "2026-11-24T20:00:09.5000000Z", "count": 3})"));
    EXPECT_EQ(metadata.at("temperature").at("stale"), json::value(true));
    EXPECT_EQ(metadata.at("co2").as_object().if_contains("stale"), nullptr);
}

TEST_F(TwinMarksTest, JsonRoundTripKeepsBothMarksOnBothPaths) {
    const std::vector<std::string> names{"co2"};
    ASSERT_TRUE(graph.set_properties_stale("Room1", names, true).value_or(false));
    ASSERT_TRUE(graph.set_clock_skew("Room1", ahead_flag()).value_or(false));
    const auto text = json::serialize(twin_to_json(*graph.find_twin("Room1")));

    ManualClock later(at("2026-11-25T08:00:00Z"));
    TwinGraph restored(later);
    add_models(restored);

    // Via ParsedTwin.
    const auto parsed = twin_from_json(json::parse(text));
    ASSERT_TRUE(parsed) << error_text(parsed);
    ASSERT_TRUE(parsed->clock_skew.has_value());
    EXPECT_EQ(*parsed->clock_skew, ahead_flag());
    EXPECT_TRUE(parsed->metadata.at("/co2").stale);
    EXPECT_FALSE(parsed->metadata.at("/temperature").stale);
    ASSERT_TRUE(restored.restore_twin(*parsed));
    const Twin& via_parsed = *restored.find_twin("Room1");
    ASSERT_NE(via_parsed.clock_skew(), nullptr);
    EXPECT_EQ(*via_parsed.clock_skew(), ahead_flag());
    EXPECT_TRUE(via_parsed.metadata("co2")->stale);
    EXPECT_FALSE(via_parsed.metadata("temperature")->stale);
    EXPECT_EQ(json::serialize(twin_to_json(via_parsed)), text);

    // Direct.
    auto direct = twin_from_json(json::parse(text), restored.models());
    ASSERT_TRUE(direct) << error_text(direct);
    ASSERT_NE(direct->clock_skew(), nullptr);
    EXPECT_EQ(*direct->clock_skew(), ahead_flag());
    EXPECT_TRUE(direct->metadata("co2")->stale);
    EXPECT_FALSE(direct->metadata("temperature")->stale);
    EXPECT_EQ(json::serialize(twin_to_json(*direct)), text);

    // Without marks, neither path invents any.
    ASSERT_TRUE(graph.set_clock_skew("Room1", std::nullopt).value_or(false));
    const auto plain = twin_to_json(*graph.find_twin("Room1"));
    EXPECT_FALSE(twin_from_json(plain)->clock_skew.has_value());
    EXPECT_EQ(twin_from_json(plain, restored.models())->clock_skew(), nullptr);
}

TEST(TwinMarksJson, ComponentPropertyStaleIsReadOnBothPaths) {
    ManualClock clock(at("2026-11-24T20:00:00Z"));
    TwinGraph graph(clock);
    add_models(graph);
    const auto document = json::parse(R"({"$dtId":"O1","$etag":"W/\"4\"",
        "$metadata":{"$model":"dtmi:dtwin:test:Office;1","$lastUpdateTime":"2026-11-24T20:00:00Z"},
        "thermostat":{"$metadata":{"target":{"lastUpdateTime":"2026-11-24T20:00:00Z","stale":true}},"target":20}})");
    const auto parsed = twin_from_json(document);
    ASSERT_TRUE(parsed) << error_text(parsed);
    EXPECT_TRUE(parsed->metadata.at("/thermostat/target").stale);
    const auto direct = twin_from_json(document, graph.models());
    ASSERT_TRUE(direct) << error_text(direct);
    EXPECT_TRUE(direct->component_metadata("thermostat", "target")->stale);
}

TEST(TwinMarksJson, MalformedMarksAreRejectedWithTheirPointer) {
    ManualClock clock(at("2026-11-24T20:00:00Z"));
    TwinGraph graph(clock);
    add_models(graph);
    const std::string good_skew =
        R"("reason":"invalid","timestamp":"yesterday","since":"2026-11-24T20:00:00Z","last":"2026-11-24T20:00:00Z")";
    struct Case {
        std::string clock_skew; // the "$clockSkew" member's JSON
        std::string where;
    };
    const std::vector<Case> cases{
        {R"("soon")", "Room1 /$metadata/$clockSkew"},
        {R"([])", "Room1 /$metadata/$clockSkew"},
        {R"({"since":"2026-11-24T20:00:00Z","last":"2026-11-24T20:00:00Z","count":1})",
         "Room1 /$metadata/$clockSkew/reason"},
        {R"({"reason":7,"since":"2026-11-24T20:00:00Z","last":"2026-11-24T20:00:00Z","count":1})",
         "Room1 /$metadata/$clockSkew/reason"},
        {R"({"reason":"invalid","timestamp":5,"since":"2026-11-24T20:00:00Z","last":"2026-11-24T20:00:00Z","count":1})",
         "Room1 /$metadata/$clockSkew/timestamp"},
        {R"({"reason":"invalid","since":"last week","last":"2026-11-24T20:00:00Z","count":1})",
         "Room1 /$metadata/$clockSkew/since"},
        {R"({"reason":"invalid","since":"2026-11-24T20:00:00Z","count":1})", "Room1 /$metadata/$clockSkew/last"},
        {"{" + good_skew + "}", "Room1 /$metadata/$clockSkew/count"},
        {"{" + good_skew + R"(,"count":-1})", "Room1 /$metadata/$clockSkew/count"},
        {"{" + good_skew + R"(,"count":"2"})", "Room1 /$metadata/$clockSkew/count"},
        {"{" + good_skew + R"(,"count":1.5})", "Room1 /$metadata/$clockSkew/count"},
    };
    for (const auto& c : cases) {
        const auto document = json::parse(R"({"$dtId":"Room1","$metadata":{"$model":"dtmi:dtwin:example:Room;1",
            "$clockSkew":)" + c.clock_skew +
                                          "}}");
        const auto parsed = twin_from_json(document);
        ASSERT_FALSE(parsed) << c.clock_skew;
        EXPECT_EQ(parsed.error().code, ErrorCode::invalid_json) << c.clock_skew;
        EXPECT_EQ(parsed.error().where, c.where) << c.clock_skew;
        const auto direct = twin_from_json(document, graph.models());
        ASSERT_FALSE(direct) << c.clock_skew;
        EXPECT_EQ(direct.error().code, ErrorCode::invalid_json) << c.clock_skew;
        EXPECT_EQ(direct.error().where, c.where) << c.clock_skew;
    }
    // The well-formed one (count present) loads, "timestamp" kept as received.
    const auto good = json::parse(R"({"$dtId":"Room1","$metadata":{"$model":"dtmi:dtwin:example:Room;1",
        "$clockSkew":{)" + good_skew +
                                  R"(,"count":1}}})");
    const auto parsed = twin_from_json(good);
    ASSERT_TRUE(parsed) << error_text(parsed);
    EXPECT_EQ(parsed->clock_skew->timestamp, "yesterday");

    // A "stale" that is not a boolean names the property, on both paths.
    const auto bad_stale = json::parse(R"({"$dtId":"Room1","$metadata":{"$model":"dtmi:dtwin:example:Room;1",
        "temperature":{"lastUpdateTime":"2026-11-24T20:00:00Z","stale":"yes"}},"temperature":20})");
    const auto parsed_stale = twin_from_json(bad_stale);
    ASSERT_FALSE(parsed_stale);
    EXPECT_EQ(parsed_stale.error().code, ErrorCode::invalid_json);
    EXPECT_EQ(parsed_stale.error().to_string(), "/temperature: \"stale\" must be a boolean");
    const auto direct_stale = twin_from_json(bad_stale, graph.models());
    ASSERT_FALSE(direct_stale);
    EXPECT_EQ(direct_stale.error().to_string(), "/temperature: \"stale\" must be a boolean");
}
