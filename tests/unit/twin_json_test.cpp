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
    ASSERT_TRUE(graph.add_model(dtwin::test::door_model()));
}

} // namespace

TEST(TwinJson, WritesAzureDigitalTwinsShapeWithMetadataTimes) {
    ManualClock clock(at("2026-11-24T20:00:00Z"));
    TwinGraph graph(clock);
    add_models(graph);
    ASSERT_TRUE(graph.create_twin("O1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:test:Office;1"},
        "temperature":21.5,"thermostat":{"$metadata":{},"target":20}})"),
                                  {.source_time = at("2026-11-24T19:59:58.250Z"), .sequence = 3}));
    const auto out = twin_to_json(*graph.find_twin("O1"));
    EXPECT_EQ(json::value(out), json::parse(R"({
        "$dtId": "O1",
        "$etag": "W/\"1\"",
        "$metadata": {
            "$model": "dtmi:dtwin:test:Office;1",
            "$lastUpdateTime": "2026-11-24T20:00:00.0000000Z",
            "temperature": {"lastUpdateTime": "2026-11-24T20:00:00.0000000Z",
                            "sourceTime": "2026-11-24T19:59:58.2500000Z", "sequence": 3}
        },
        "temperature": 21.5,
        "thermostat": {
            "$metadata": {"target": {"lastUpdateTime": "2026-11-24T20:00:00.0000000Z",
                                     "sourceTime": "2026-11-24T19:59:58.2500000Z", "sequence": 3}},
            "target": 20
        }
    })"));
}

TEST(TwinJson, RoundTripRestoresValuesVersionsAndMetadata) {
    ManualClock clock(at("2026-11-24T20:00:00Z"));
    TwinGraph graph(clock);
    add_models(graph);
    ASSERT_TRUE(graph.create_twin("O1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:test:Office;1"},
        "settings":{"level":1},"thermostat":{"$metadata":{},"target":20}})")));
    ASSERT_TRUE(graph.create_twin("Room1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"}})")));
    clock.advance(5s);
    ASSERT_TRUE(graph.patch_twin("O1", json::parse(R"([{"op":"replace","path":"/thermostat/target","value":22},
                                                      {"op":"add","path":"/co2","value":812.5}])"),
                                 {.source_time = at("2026-11-24T20:00:03.123456Z"), .sequence = 9}));
    ASSERT_TRUE(graph.create_twin("Door1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Door;1"}})")));
    ASSERT_TRUE(graph.create_relationship(
        "Door1", "r1", json::parse(R"({"$targetId":"O1","$relationshipName":"connects","side":"west"})")));

    const auto twin_text = json::serialize(twin_to_json(*graph.find_twin("O1")));
    const auto relationship_text = json::serialize(relationship_to_json(*graph.get_relationship("Door1", "r1")));

    // A new graph (a restart) loads what the store kept.
    ManualClock later(at("2026-11-25T08:00:00Z"));
    TwinGraph restored(later);
    add_models(restored);
    const auto parsed = twin_from_json(json::parse(twin_text));
    ASSERT_TRUE(parsed) << parsed.error().to_string();
    ASSERT_TRUE(restored.restore_twin(*parsed));
    ASSERT_TRUE(restored.restore_twin(*twin_from_json(twin_to_json(*graph.find_twin("Room1")))));
    ASSERT_TRUE(restored.restore_twin(*twin_from_json(twin_to_json(*graph.find_twin("Door1")))));
    const auto relationship = relationship_from_json(json::parse(relationship_text));
    ASSERT_TRUE(relationship);
    ASSERT_TRUE(restored.restore_relationship(*relationship));

    EXPECT_EQ(json::serialize(twin_to_json(*restored.find_twin("O1"))), twin_text);
    EXPECT_EQ(json::serialize(relationship_to_json(*restored.get_relationship("Door1", "r1"))), relationship_text);
    const auto* metadata = restored.find_twin("O1")->component_metadata("thermostat", "target");
    ASSERT_NE(metadata, nullptr);
    EXPECT_EQ(metadata->source_time, at("2026-11-24T20:00:03.123456Z"));
    EXPECT_EQ(metadata->sequence, 9U);
    // Event time survives the restart: an older sample is still recognised as stale.
    const auto late =
        restored.patch_twin("O1", json::parse(R"([{"op":"replace","path":"/thermostat/target","value":1}])"),
                            {.source_time = at("2026-11-24T20:00:01Z")});
    ASSERT_TRUE(late);
    EXPECT_EQ(late->stale.size(), 1U);
    // New versions continue above the restored ones.
    EXPECT_EQ(restored.last_version(), graph.last_version());
    EXPECT_TRUE(restored.drain_events().empty()) << "loading is not a change";
}

TEST(TwinJson, RejectsDocumentsWithoutIdentityOrWithBadTimes) {
    EXPECT_EQ(twin_from_json(json::parse(R"({"$metadata":{"$model":"x"}})")).error().code, ErrorCode::invalid_json);
    EXPECT_FALSE(twin_from_json(json::parse(R"({"$dtId":"a","$metadata":{}})")));
    EXPECT_FALSE(twin_from_json(json::parse(
        R"({"$dtId":"a","$metadata":{"$model":"x","t":{"lastUpdateTime":"0000-00-00T00:00:00.000Z"}},"t":1})")));
    EXPECT_FALSE(relationship_from_json(json::parse(R"({"$relationshipId":"r","$sourceId":"a"})")));
}

TEST(TwinJson, DirectLoadMatchesTheParsedTwinPathAndChecksTheModel) {
    ManualClock clock(at("2026-11-24T20:00:00Z"));
    TwinGraph graph(clock);
    add_models(graph);
    ASSERT_TRUE(graph.create_twin("O1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:test:Office;1"},
        "co2":640.5,"tags":{"a":"b"},"thermostat":{"$metadata":{},"target":20}})"),
                                  {.source_time = at("2026-11-24T19:59:00Z"), .sequence = 4}));
    const auto stored = twin_to_json(*graph.find_twin("O1"));

    TwinGraph restored(clock);
    add_models(restored);
    auto twin = twin_from_json(stored, restored.models());
    ASSERT_TRUE(twin) << twin.error().to_string();
    ASSERT_TRUE(restored.restore_twin(std::move(*twin)));
    EXPECT_EQ(json::value(twin_to_json(*restored.find_twin("O1"))), json::value(stored));
    EXPECT_EQ(restored.last_version(), 1U);

    json::value bad_value = stored;
    bad_value.as_object()["thermostat"].as_object()["target"] = "warm";
    const auto rejected = twin_from_json(bad_value, restored.models());
    ASSERT_FALSE(rejected);
    EXPECT_EQ(rejected.error().to_string(), "O1 /thermostat/target: expected a number (double), got string");

    json::value missing_component = stored;
    missing_component.as_object().erase("thermostat");
    EXPECT_EQ(twin_from_json(missing_component, restored.models()).error().code, ErrorCode::invalid_value);

    // A twin laid out by another graph's registry is refused rather than misread.
    auto foreign = twin_from_json(stored, graph.models());
    ASSERT_TRUE(foreign);
    TwinGraph third(clock);
    add_models(third);
    EXPECT_EQ(third.restore_twin(std::move(*foreign)).error().code, ErrorCode::unknown_model);
}

TEST(TwinJson, FullRoomSurvivesTheRoundTrip) {
    ManualClock clock(at("2026-11-24T20:00:00Z"));
    TwinGraph graph(clock);
    add_models(graph);
    ASSERT_TRUE(graph.create_twin("Room1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"},
        "temperature":21.5,"humidity":40,"light":300,"co2":650,"motion":true,
        "roomTimestamp":"2026-11-24T19:59:59.000Z","occupancy":"occupied","airQualityState":"normal"})")));
    const auto stored = json::serialize(twin_to_json(*graph.find_twin("Room1")));
    TwinGraph restored(clock);
    add_models(restored);
    auto twin = twin_from_json(json::parse(stored), restored.models());
    ASSERT_TRUE(twin) << twin.error().to_string();
    ASSERT_TRUE(restored.restore_twin(std::move(*twin)));
    EXPECT_EQ(json::serialize(twin_to_json(*restored.find_twin("Room1"))), stored);
    EXPECT_EQ(restored.find_twin("Room1")->property("occupancy")->as_string(), "occupied");
}
