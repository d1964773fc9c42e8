#include "core/twin_graph.hpp"
#include "twin_test_models.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace dtwin::core;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

TimePoint at(std::string_view text) {
    return *parse_time(text);
}

class TwinGraphTest : public ::testing::Test {
protected:
    TwinGraphTest() : clock(at("2026-11-24T20:00:00Z")), graph(clock) {
        EXPECT_TRUE(graph.add_model(dtwin::test::room_model()));
        EXPECT_TRUE(graph.add_model(dtwin::test::thermostat_model()));
        EXPECT_TRUE(graph.add_model(dtwin::test::office_model()));
        EXPECT_TRUE(graph.add_model(dtwin::test::door_model()));
    }

    Result<WriteResult> create_room(std::string_view id, std::string_view extra = R"("temperature": 20.5)",
                                    const WriteOptions& options = {}) {
        return graph.create_twin(
            id, json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"},)" + std::string(extra) + "}"),
            options);
    }

    Result<WriteResult> patch(std::string_view id, std::string_view patch_text, const WriteOptions& options = {}) {
        return graph.patch_twin(id, json::parse(patch_text), options);
    }

    double temperature(std::string_view id) const {
        return graph.find_twin(id)->property("temperature")->to_number<double>();
    }

    ManualClock clock;
    TwinGraph graph;
};

std::string error_text(const auto& result) {
    return result ? std::string("(no error)") : result.error().to_string();
}

} // namespace

TEST_F(TwinGraphTest, CreatesValidTwinWithVersionAndEtag) {
    const auto created = create_room("Room1", R"("temperature": 21.5, "motion": false, "occupancy": "occupied")");
    ASSERT_TRUE(created) << error_text(created);
    EXPECT_EQ(created->version, 1U);
    EXPECT_EQ(created->etag, "W/\"1\"");
    const Twin* twin = graph.find_twin("Room1");
    ASSERT_NE(twin, nullptr);
    EXPECT_EQ(twin->model_id(), dtwin::test::k_room);
    EXPECT_DOUBLE_EQ(twin->property("temperature")->as_double(), 21.5);
    EXPECT_EQ(twin->property("occupancy")->as_string(), "occupied");
    EXPECT_EQ(twin->property("co2"), nullptr);
    EXPECT_EQ(twin->metadata("temperature")->last_update_time, clock.now());
    EXPECT_EQ(graph.list_twin_ids(), std::vector<std::string>{"Room1"});
}

TEST_F(TwinGraphTest, CreateRejectsValueOfWrongType) {
    const auto created = create_room("Room1", R"("co2": "high")");
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, ErrorCode::invalid_value);
    EXPECT_EQ(created.error().to_string(), "Room1 /co2: expected a number (double), got string");
    EXPECT_EQ(graph.twin_count(), 0U);
}

TEST_F(TwinGraphTest, CreateRejectsUnknownPropertyAndTelemetryName) {
    const auto unknown = create_room("Room1", R"("colour": "blue")");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().where, "Room1 /colour");
    const auto telemetry = create_room("Room1", R"("rawCo2": 400)");
    ASSERT_FALSE(telemetry);
    EXPECT_NE(telemetry.error().message.find("telemetry"), std::string::npos) << telemetry.error().message;
}

TEST_F(TwinGraphTest, CreateRejectsEnumValueNotAllowed) {
    const auto created = create_room("Room1", R"("occupancy": "crowded")");
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().to_string(),
              "Room1 /occupancy: expected one of \"occupied\", \"not_occupied\" (enum), got \"crowded\"");
}

TEST_F(TwinGraphTest, CreateRejectsNaNAndInfinity) {
    for (double bad : {std::nan(""), std::numeric_limits<double>::infinity()}) {
        json::object body = json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"}})").as_object();
        body["humidity"] = bad;
        const auto created = graph.create_twin("Room1", body);
        ASSERT_FALSE(created);
        EXPECT_EQ(created.error().where, "Room1 /humidity");
    }
}

TEST_F(TwinGraphTest, CreateChecksNestedSchemasAndComponents) {
    const std::string model = R"({"$metadata":{"$model":"dtmi:dtwin:test:Office;1"},)";
    const auto missing_component = graph.create_twin("O1", json::parse(model + R"("desks": 3})"));
    ASSERT_FALSE(missing_component);
    EXPECT_EQ(missing_component.error().where, "O1 /thermostat");

    const auto out_of_range = graph.create_twin(
        "O1", json::parse(model + R"("thermostat":{"$metadata":{}},"settings":{"level":3000000000}})"));
    ASSERT_FALSE(out_of_range);
    EXPECT_EQ(out_of_range.error().where, "O1 /settings/level");

    const auto bad_element =
        graph.create_twin("O1", json::parse(model + R"("thermostat":{"$metadata":{}},"readings":[1.5,"x"]})"));
    ASSERT_FALSE(bad_element);
    EXPECT_EQ(bad_element.error().where, "O1 /readings/1");

    const auto bad_date =
        graph.create_twin("O1", json::parse(model + R"("thermostat":{"$metadata":{}},"opened":"2026-13-01"})"));
    ASSERT_FALSE(bad_date);
    EXPECT_EQ(bad_date.error().where, "O1 /opened");

    const auto ok =
        graph.create_twin("O1", json::parse(model + R"("thermostat":{"$metadata":{},"target":21},"settings":{"level":2},
                                     "tags":{"floor":"2"},"readings":[1,2.5],"opened":"2026-01-31"})"));
    ASSERT_TRUE(ok) << error_text(ok);
    EXPECT_EQ(graph.find_twin("O1")->component_property("thermostat", "target")->to_number<double>(), 21.0);
}

TEST_F(TwinGraphTest, PatchHonoursIfMatch) {
    ASSERT_TRUE(create_room("Room1"));
    const auto stale_etag =
        patch("Room1", R"([{"op":"replace","path":"/temperature","value":22}])", {.if_match = "W/\"99\""});
    ASSERT_FALSE(stale_etag);
    EXPECT_EQ(stale_etag.error().code, ErrorCode::precondition_failed);
    EXPECT_NE(stale_etag.error().message.find("W/\"99\""), std::string::npos);
    EXPECT_NE(stale_etag.error().message.find("W/\"1\""), std::string::npos);
    EXPECT_DOUBLE_EQ(temperature("Room1"), 20.5);

    const auto matching =
        patch("Room1", R"([{"op":"replace","path":"/temperature","value":22}])", {.if_match = "W/\"1\""});
    ASSERT_TRUE(matching) << error_text(matching);
    EXPECT_EQ(matching->etag, "W/\"2\"");
    EXPECT_TRUE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":23}])", {.if_match = "*"}));
    EXPECT_TRUE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":23}])", {.if_match = "\"3\""}))
        << "an ETag without its weak prefix names the same version";
    EXPECT_DOUBLE_EQ(temperature("Room1"), 23.0);
}

TEST_F(TwinGraphTest, OlderSampleKeepsCurrentValueAndIsReportedStale) {
    ASSERT_TRUE(create_room("Room1", R"("temperature": 20)", {.source_time = at("2026-11-24T19:00:00Z")}));
    const auto newer = patch("Room1", R"([{"op":"replace","path":"/temperature","value":21}])",
                             {.source_time = at("2026-11-24T19:00:10Z")});
    ASSERT_TRUE(newer);
    EXPECT_EQ(newer->applied.size(), 1U);
    const auto version = newer->version;
    (void)graph.drain_events();

    const auto older = patch("Room1", R"([{"op":"replace","path":"/temperature","value":19}])",
                             {.source_time = at("2026-11-24T19:00:05Z")});
    ASSERT_TRUE(older);
    EXPECT_FALSE(older->changed());
    ASSERT_EQ(older->stale.size(), 1U);
    EXPECT_EQ(older->stale[0].path, "/temperature");
    EXPECT_EQ(older->stale[0].value, json::value(19));
    EXPECT_EQ(older->stale[0].current_source_time, at("2026-11-24T19:00:10Z"));
    EXPECT_EQ(older->version, version);
    EXPECT_DOUBLE_EQ(temperature("Room1"), 21.0);
    EXPECT_TRUE(graph.drain_events().empty());

    const auto newest = patch("Room1", R"([{"op":"replace","path":"/temperature","value":24}])",
                              {.source_time = at("2026-11-24T19:00:15Z")});
    ASSERT_TRUE(newest);
    EXPECT_DOUBLE_EQ(temperature("Room1"), 24.0);
    EXPECT_EQ(graph.find_twin("Room1")->metadata("temperature")->source_time, at("2026-11-24T19:00:15Z"));
}

TEST_F(TwinGraphTest, StaleCheckIsPerProperty) {
    ASSERT_TRUE(
        create_room("Room1", R"("temperature": 20, "humidity": 40)", {.source_time = at("2026-11-24T19:00:00Z")}));
    ASSERT_TRUE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":21}])",
                      {.source_time = at("2026-11-24T19:00:10Z")}));
    // A late message carrying both: humidity is newer than its stored sample, temperature is not.
    const auto mixed = patch("Room1", R"([{"op":"replace","path":"/temperature","value":19},
                                          {"op":"replace","path":"/humidity","value":45}])",
                             {.source_time = at("2026-11-24T19:00:05Z")});
    ASSERT_TRUE(mixed);
    EXPECT_EQ(json::value(patch_to_json(mixed->applied)),
              json::parse(R"([{"op":"replace","path":"/humidity","value":45}])"));
    ASSERT_EQ(mixed->stale.size(), 1U);
    EXPECT_EQ(mixed->stale[0].path, "/temperature");
    EXPECT_DOUBLE_EQ(temperature("Room1"), 21.0);
}

TEST_F(TwinGraphTest, SequenceBreaksTiesOnSourceTime) {
    const auto t = at("2026-11-24T19:00:00Z");
    ASSERT_TRUE(create_room("Room1", R"("temperature": 20)", {.source_time = t, .sequence = 5}));
    const auto lower =
        patch("Room1", R"([{"op":"replace","path":"/temperature","value":1}])", {.source_time = t, .sequence = 4});
    ASSERT_TRUE(lower);
    EXPECT_EQ(lower->stale.size(), 1U);
    const auto equal =
        patch("Room1", R"([{"op":"replace","path":"/temperature","value":2}])", {.source_time = t, .sequence = 5});
    ASSERT_TRUE(equal);
    EXPECT_EQ(equal->stale.size(), 1U);
    EXPECT_DOUBLE_EQ(temperature("Room1"), 20.0);
    const auto higher =
        patch("Room1", R"([{"op":"replace","path":"/temperature","value":3}])", {.source_time = t, .sequence = 6});
    ASSERT_TRUE(higher);
    EXPECT_TRUE(higher->stale.empty());
    EXPECT_DOUBLE_EQ(temperature("Room1"), 3.0);
}

TEST_F(TwinGraphTest, VersionMovesOnlyWhenSomethingChanges) {
    ASSERT_TRUE(create_room("Room1"));
    (void)graph.drain_events();
    const auto same = patch("Room1", R"([{"op":"replace","path":"/temperature","value":20.5}])");
    ASSERT_TRUE(same);
    EXPECT_FALSE(same->changed());
    EXPECT_EQ(same->version, 1U);
    EXPECT_TRUE(graph.drain_events().empty());
    const auto changed = patch("Room1", R"([{"op":"add","path":"/co2","value":650}])");
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->version, 2U);
    EXPECT_EQ(json::value(patch_to_json(changed->applied)), json::parse(R"([{"op":"add","path":"/co2","value":650}])"));
}

TEST_F(TwinGraphTest, FailedPatchChangesNothingAndNamesTheOperation) {
    ASSERT_TRUE(create_room("Room1"));
    const auto failed = patch("Room1", R"([{"op":"replace","path":"/temperature","value":30},
                                           {"op":"replace","path":"/light","value":100}])");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().to_string(), "Room1 /1 (replace /light): path not found");
    EXPECT_DOUBLE_EQ(temperature("Room1"), 20.5);
    EXPECT_EQ(graph.find_twin("Room1")->version(), 1U);

    const auto invalid = patch("Room1", R"([{"op":"replace","path":"/temperature","value":30},
                                            {"op":"add","path":"/motion","value":"yes"}])");
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().to_string(), "Room1 /motion: expected a boolean, got string");
    EXPECT_DOUBLE_EQ(temperature("Room1"), 20.5);

    const auto unknown = patch("Room1", R"([{"op":"add","path":"/colour","value":"red"}])");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().where, "Room1 /colour");
}

TEST_F(TwinGraphTest, PatchReachesIntoComponentsAndObjects) {
    ASSERT_TRUE(graph.create_twin("O1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:test:Office;1"},
        "thermostat":{"$metadata":{},"target":20},"settings":{"level":1,"label":"a"}})")));
    const auto nested = patch("O1", R"([{"op":"replace","path":"/thermostat/target","value":22.5},
                                        {"op":"replace","path":"/settings/level","value":2},
                                        {"op":"add","path":"/readings","value":[]},
                                        {"op":"add","path":"/readings/-","value":1.5}])");
    ASSERT_TRUE(nested) << error_text(nested);
    const Twin* twin = graph.find_twin("O1");
    EXPECT_EQ(twin->component_property("thermostat", "target")->as_double(), 22.5);
    EXPECT_EQ(*twin->property("settings"), json::parse(R"({"level":2,"label":"a"})"));
    EXPECT_EQ(*twin->property("readings"), json::parse("[1.5]"));

    // A whole component replaced in one operation (goes through the document path).
    const auto whole = patch("O1", R"([{"op":"replace","path":"/thermostat","value":{"$metadata":{},"mode":"eco"}}])");
    ASSERT_TRUE(whole) << error_text(whole);
    EXPECT_EQ(json::value(patch_to_json(whole->applied)),
              json::parse(R"([{"op":"add","path":"/thermostat/mode","value":"eco"},
                                                           {"op":"remove","path":"/thermostat/target"}])"));
    EXPECT_EQ(twin->component_property("thermostat", "target"), nullptr);
    EXPECT_EQ(twin->component_property("thermostat", "mode")->as_string(), "eco");

    const auto removed_component = patch("O1", R"([{"op":"remove","path":"/thermostat"}])");
    ASSERT_FALSE(removed_component);
    EXPECT_EQ(removed_component.error().where, "O1 /thermostat");
}

TEST_F(TwinGraphTest, RelationshipsAreValidatedAgainstTheSourceModel) {
    ASSERT_TRUE(create_room("Room1"));
    ASSERT_TRUE(graph.create_twin("Door1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Door;1"}})")));
    const auto unknown_target = graph.create_relationship(
        "Door1", "r1", json::parse(R"({"$targetId":"Room9","$relationshipName":"connects"})"));
    ASSERT_FALSE(unknown_target);
    EXPECT_EQ(unknown_target.error().code, ErrorCode::unknown_twin);

    const auto wrong_model = graph.create_relationship(
        "Door1", "r1", json::parse(R"({"$targetId":"Door1","$relationshipName":"connects"})"));
    ASSERT_FALSE(wrong_model);
    EXPECT_EQ(wrong_model.error().code, ErrorCode::invalid_value);
    EXPECT_NE(wrong_model.error().message.find(dtwin::test::k_room), std::string::npos);

    const auto unknown_name =
        graph.create_relationship("Door1", "r1", json::parse(R"({"$targetId":"Room1","$relationshipName":"opens"})"));
    ASSERT_FALSE(unknown_name);
    EXPECT_EQ(unknown_name.error().to_string(),
              "Door1 -> r1: \"opens\" is not a relationship of dtmi:dtwin:example:Door;1");

    const auto bad_property = graph.create_relationship(
        "Door1", "r1", json::parse(R"({"$targetId":"Room1","$relationshipName":"connects","side":7})"));
    ASSERT_FALSE(bad_property);
    EXPECT_EQ(bad_property.error().where, "Door1 -> r1 /side");

    const auto ok = graph.create_relationship(
        "Door1", "r1", json::parse(R"({"$targetId":"Room1","$relationshipName":"connects","side":"north"})"));
    ASSERT_TRUE(ok) << error_text(ok);
    // A twin of a model extending Room is a valid target too.
    ASSERT_TRUE(graph.create_twin("O1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:test:Office;1"},
                                                        "thermostat":{"$metadata":{}}})")));
    EXPECT_TRUE(
        graph.create_relationship("Door1", "r2", json::parse(R"({"$targetId":"O1","$relationshipName":"connects"})")));
    EXPECT_EQ(
        graph.create_relationship("Door1", "r1", json::parse(R"({"$targetId":"Room1","$relationshipName":"connects"})"))
            .error()
            .code,
        ErrorCode::already_exists);
    ASSERT_TRUE(
        graph.create_relationship("Door1", "n1", json::parse(R"({"$targetId":"Room1","$relationshipName":"near"})")));
    EXPECT_FALSE(
        graph.create_relationship("Door1", "n2", json::parse(R"({"$targetId":"O1","$relationshipName":"near"})")))
        << "near allows at most one";

    const auto incoming = graph.list_relationships("Room1", RelationshipDirection::incoming);
    ASSERT_TRUE(incoming);
    ASSERT_EQ(incoming->size(), 2U);
    EXPECT_EQ((*incoming)[0].id, "n1");
    EXPECT_EQ(graph.list_relationships("Door1", RelationshipDirection::outgoing)->size(), 3U);
}

TEST_F(TwinGraphTest, TwinWithRelationshipsCannotBeDeleted) {
    ASSERT_TRUE(create_room("Room1"));
    ASSERT_TRUE(graph.create_twin("Door1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Door;1"}})")));
    ASSERT_TRUE(graph.create_relationship("Door1", "r1",
                                          json::parse(R"({"$targetId":"Room1","$relationshipName":"connects"})")));
    EXPECT_EQ(graph.delete_twin("Room1").error().code, ErrorCode::in_use);
    EXPECT_EQ(graph.delete_twin("Door1").error().code, ErrorCode::in_use);
    ASSERT_TRUE(graph.delete_relationship("Door1", "r1"));
    EXPECT_TRUE(graph.delete_twin("Room1"));
    EXPECT_TRUE(graph.delete_twin("Door1"));
    EXPECT_EQ(graph.twin_count(), 0U);
}

TEST_F(TwinGraphTest, EtagIsNotReusedWhenATwinIsCreatedAgain) {
    const auto first = create_room("Room1");
    ASSERT_TRUE(first);
    ASSERT_TRUE(graph.delete_twin("Room1"));
    const auto second = create_room("Room1");
    ASSERT_TRUE(second);
    EXPECT_NE(first->etag, second->etag);
    EXPECT_FALSE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":1}])", {.if_match = first->etag}));
}

TEST_F(TwinGraphTest, ChangeFeedHasOneEventPerAppliedChangeAndNoneForRejected) {
    ASSERT_TRUE(create_room("Room1"));
    ASSERT_TRUE(graph.create_twin("Door1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Door;1"}})")));
    EXPECT_FALSE(create_room("Room1"));                                                      // rejected: exists
    EXPECT_FALSE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":"x"}])")); // rejected: type
    EXPECT_TRUE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":20.5}])")); // no-op
    clock.advance(1s);
    ASSERT_TRUE(patch(
        "Room1", R"([{"op":"replace","path":"/temperature","value":25},{"op":"add","path":"/motion","value":true}])",
        {.source_time = at("2026-11-24T20:00:00.500Z"), .sequence = 7}));
    ASSERT_TRUE(graph.create_relationship("Door1", "r1",
                                          json::parse(R"({"$targetId":"Room1","$relationshipName":"connects"})")));
    ASSERT_TRUE(
        graph.patch_relationship("Door1", "r1", json::parse(R"([{"op":"add","path":"/side","value":"east"}])")));
    ASSERT_TRUE(graph.delete_relationship("Door1", "r1"));
    ASSERT_TRUE(
        graph.replace_twin("Room1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"},"co2":500})")));
    ASSERT_TRUE(graph.delete_twin("Room1"));

    const auto events = graph.drain_events();
    std::vector<ChangeKind> kinds;
    for (const auto& event : events) {
        kinds.push_back(event.kind);
    }
    EXPECT_EQ(kinds, (std::vector<ChangeKind>{ChangeKind::twin_created, ChangeKind::twin_created,
                                              ChangeKind::twin_patched, ChangeKind::relationship_created,
                                              ChangeKind::relationship_patched, ChangeKind::relationship_deleted,
                                              ChangeKind::twin_replaced, ChangeKind::twin_deleted}));
    const auto& patched = events[2];
    EXPECT_EQ(patched.twin_id, "Room1");
    EXPECT_EQ(json::value(patch_to_json(patched.patch)),
              json::parse(R"([{"op":"replace","path":"/temperature","value":25},
                                                         {"op":"add","path":"/motion","value":true}])"));
    EXPECT_EQ(patched.source_time, at("2026-11-24T20:00:00.500Z"));
    EXPECT_EQ(patched.update_time, at("2026-11-24T20:00:01Z"));
    EXPECT_EQ(events[4].relationship_id, "r1");
    for (std::size_t i = 1; i < events.size(); ++i) {
        EXPECT_GT(events[i].version, events[i - 1].version);
    }
    EXPECT_TRUE(graph.drain_events().empty());
}

TEST_F(TwinGraphTest, SameValueFromNewerSampleBlocksOlderSamplesLater) {
    // Samples: t1 = 20, t3 = 20 (same value, arrives second), then t2 = 25 arrives late.
    // The current value must stay 20: t3 is the newest sample even though it changed nothing.
    ASSERT_TRUE(create_room("Room1", R"("temperature": 20)", {.source_time = at("2026-11-24T19:00:01Z")}));
    const auto same = patch("Room1", R"([{"op":"replace","path":"/temperature","value":20}])",
                            {.source_time = at("2026-11-24T19:00:03Z")});
    ASSERT_TRUE(same);
    EXPECT_FALSE(same->changed());
    const auto late = patch("Room1", R"([{"op":"replace","path":"/temperature","value":25}])",
                            {.source_time = at("2026-11-24T19:00:02Z")});
    ASSERT_TRUE(late);
    EXPECT_EQ(late->stale.size(), 1U);
    EXPECT_DOUBLE_EQ(temperature("Room1"), 20.0);
}

TEST_F(TwinGraphTest, WritesWithoutSourceTimeOrSequenceAreLastWriterWins) {
    ASSERT_TRUE(create_room("Room1"));
    // The manual clock does not move: both writes carry the same (implicit) source time.
    ASSERT_TRUE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":1}])"));
    const auto second = patch("Room1", R"([{"op":"replace","path":"/temperature","value":2}])");
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->stale.empty());
    EXPECT_DOUBLE_EQ(temperature("Room1"), 2.0);
}

TEST_F(TwinGraphTest, RemoveUnsetsAPropertyAndReplaceTwinHonoursIfMatch) {
    ASSERT_TRUE(create_room("Room1", R"("temperature": 20, "co2": 500)"));
    const auto removed = patch("Room1", R"([{"op":"remove","path":"/co2"}])");
    ASSERT_TRUE(removed);
    EXPECT_EQ(json::value(patch_to_json(removed->applied)), json::parse(R"([{"op":"remove","path":"/co2"}])"));
    EXPECT_EQ(graph.find_twin("Room1")->property("co2"), nullptr);

    const auto body = json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"},"light":120})");
    const auto refused = graph.replace_twin("Room1", body, {.if_match = "W/\"1\""});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::precondition_failed);
    const auto replaced = graph.replace_twin("Room1", body, {.if_match = removed->etag});
    ASSERT_TRUE(replaced) << error_text(replaced);
    EXPECT_EQ(graph.find_twin("Room1")->property("temperature"), nullptr);
    EXPECT_EQ(graph.find_twin("Room1")->property("light")->to_number<double>(), 120.0);
    EXPECT_EQ(graph.replace_twin("Nope", body).error().code, ErrorCode::unknown_twin);
}

TEST_F(TwinGraphTest, RelationshipPatchIsValidatedAndVersioned) {
    ASSERT_TRUE(create_room("Room1"));
    ASSERT_TRUE(graph.create_twin("Door1", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Door;1"}})")));
    const auto created = graph.create_relationship(
        "Door1", "r1", json::parse(R"({"$targetId":"Room1","$relationshipName":"connects"})"));
    ASSERT_TRUE(created);
    const auto bad = graph.patch_relationship("Door1", "r1", json::parse(R"([{"op":"add","path":"/side","value":1}])"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().where, "Door1 -> r1 /side");
    const auto good = graph.patch_relationship(
        "Door1", "r1", json::parse(R"([{"op":"add","path":"/side","value":"s"}])"), {.if_match = created->etag});
    ASSERT_TRUE(good);
    EXPECT_GT(good->version, created->version);
    EXPECT_EQ(graph.get_relationship("Door1", "r1")->properties.at("side"), json::value("s"));
    EXPECT_EQ(graph.get_relationship("Door1", "r9").error().code, ErrorCode::unknown_relationship);
}

TEST_F(TwinGraphTest, ModelsInUseOrDecommissionedAreProtected) {
    ASSERT_TRUE(create_room("Room1"));
    EXPECT_EQ(graph.remove_model(dtwin::test::k_room).error().code, ErrorCode::in_use);
    EXPECT_EQ(graph.remove_model(dtwin::test::k_thermostat).error().code, ErrorCode::in_use)
        << "Office uses Thermostat as a component";
    ASSERT_TRUE(graph.models().set_decommissioned(dtwin::test::k_room, true));
    const auto refused = create_room("Room2");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_model);
    EXPECT_TRUE(patch("Room1", R"([{"op":"replace","path":"/temperature","value":30}])"))
        << "existing twins of a decommissioned model stay writable";
    const auto unknown = graph.create_twin("X", json::parse(R"({"$metadata":{"$model":"dtmi:nowhere:X;1"}})"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::unknown_model);
    EXPECT_EQ(
        graph.create_twin("", json::parse(R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"}})")).error().code,
        ErrorCode::invalid_value);
}
