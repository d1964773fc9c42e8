// Helpers for the engine integration tests (engine_test.cpp): the door-and-two-rooms
// prototype as a twin graph built from the example's models, a real SQLite store in a
// temporary directory, a manual clock, EngineOptions written by hand like the example's
// dtwin.toml, and payload builders. Tests only; single-threaded.
#pragma once

#include "core/dtdl/dtdl_parser.hpp"
#include "core/time.hpp"
#include "core/twin_graph.hpp"
#include "core/twin_json.hpp"
#include "engine/engine.hpp"
#include "engine/staging.hpp"
#include "ingest/envelope.hpp"
#include "store_test_support.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace dtwin::engine::testing {

namespace json = boost::json;
using namespace std::chrono_literals;
using core::TimePoint;

inline constexpr const char* k_door_model = "dtmi:dtwin:example:Door;1";
inline constexpr const char* k_room_model = "dtmi:dtwin:example:Room;1";

/// The instant every test starts at (the engine's start).
inline TimePoint t0() {
    return *core::parse_time("2026-11-24T21:26:00Z");
}
/// t0 plus an offset: at(10s), at(9999ms).
inline TimePoint at(std::chrono::milliseconds offset) {
    return t0() + offset;
}

/// The example's Door and Room interfaces, parsed from examples/door-and-two-rooms/models.
inline std::vector<core::InterfacePtr> example_models() {
    std::vector<core::dtdl::ModelDocument> documents;
    for (const char* name : {"Door.json", "Room.json"}) {
        const std::string path = std::string(DTWIN_SOURCE_DIR) + "/examples/door-and-two-rooms/models/" + name;
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        documents.push_back({path, text.str()});
    }
    auto parsed = core::dtdl::parse_models(documents);
    if (!parsed.ok()) {
        throw std::runtime_error("example models do not parse: " + parsed.errors.front().to_string());
    }
    return parsed.interfaces;
}

inline ingest::FieldMapping field(std::string pointer, std::string property, ingest::ValueType type, bool required) {
    ingest::FieldMapping mapping;
    mapping.pointer = std::move(pointer);
    mapping.property = std::move(property);
    mapping.type = type;
    mapping.required = required;
    return mapping;
}

inline ingest::MappingRule rule(std::string name, std::string topic, std::string twin, std::string base,
                                std::vector<ingest::FieldMapping> fields, std::string pointer, std::string property) {
    ingest::MappingRule mapping;
    mapping.name = std::move(name);
    mapping.topic_filter = std::move(topic);
    mapping.twin_id = std::move(twin);
    mapping.base_pointer = std::move(base);
    mapping.fields = std::move(fields);
    mapping.timestamp = ingest::TimestampMapping{std::move(pointer), ingest::TimeFormat::iso8601, std::move(property)};
    return mapping;
}

/// The example's room-node rule on rooms/{room}; every field optional so that a test can
/// send only what it is about.
inline ingest::MappingRule room_node_rule() {
    using ingest::ValueType;
    return rule("room-node", "rooms/{room}", "{room}", "",
                {field("/temperature", "temperature", ValueType::number, false),
                 field("/co2", "co2", ValueType::number, false),
                 field("/motion", "motion", ValueType::boolean_from_number, false)},
                "/timestamp", "roomTimestamp");
}

/// The example's combined-door rule: topic "door", /local_data -> Door.
inline ingest::MappingRule door_rule() {
    using ingest::ValueType;
    return rule("combined-door", "door", "Door", "/local_data",
                {field("/angle", "angle", ValueType::number, true), field("/gyro", "gyro", ValueType::number, false),
                 field("/magnet", "magnet", ValueType::boolean_from_number, true)},
                "/door_timestamp", "doorTimestamp");
}

/// The example's combined-device_1 rule: topic "door", /remote_data/device_1 -> Room1.
inline ingest::MappingRule combined_device_1_rule() {
    using ingest::ValueType;
    return rule("combined-device_1", "door", "Room1", "/remote_data/device_1",
                {field("/temperature", "temperature", ValueType::number, true),
                 field("/motion", "motion", ValueType::boolean_from_number, true)},
                "/timestamp", "roomTimestamp");
}

/// Mappings and derived state as in the example's dtwin.toml, without liveness (its
/// timers would interleave with the occupancy timers under test) or retention.
inline EngineOptions prototype_options() {
    EngineOptions options;
    options.mappings = {room_node_rule(), door_rule()};
    DoorStateRule door;
    door.selector.model = k_door_model;
    options.door_state_rules = {door};
    OccupancyRule hallway;
    hallway.selector.model = k_room_model;
    hallway.parameters = {.enclosed = false, .short_timeout = 10s, .shut_in_timeout = 30s};
    OccupancyRule enclosed;
    enclosed.selector.twin = "Room1";
    enclosed.parameters = {.enclosed = true, .short_timeout = 10s, .shut_in_timeout = 30s};
    options.occupancy_rules = {hallway, enclosed};
    return options;
}

/// prototype_options() plus the example's liveness: rooms 15 s with a status topic, the
/// door 5 s.
inline EngineOptions liveness_options() {
    EngineOptions options = prototype_options();
    LivenessRule rooms;
    rooms.selector.model = k_room_model;
    rooms.silent_after = 15s;
    rooms.status_topic = "rooms/{twin}/status";
    LivenessRule door;
    door.selector.twin = "Door";
    door.silent_after = 5s;
    options.liveness_rules = {rooms, door};
    return options;
}

/// A room node reading: `fields` plus "timestamp".
inline std::string room_payload(json::object fields, TimePoint source_time) {
    fields["timestamp"] = core::format_time(source_time);
    return json::serialize(fields);
}

/// The gateway's combined document with only the door part.
inline std::string door_payload(double angle, int magnet, TimePoint source_time) {
    json::object local{
        {"door_timestamp", core::format_time(source_time)}, {"angle", angle}, {"gyro", 0.0}, {"magnet", magnet}};
    return json::serialize(json::object{{"local_data", std::move(local)}});
}

/// An envelope of gateway `gateway` holding room-node temperatures for `twin`: one message
/// per sequence in [first, last], temperature 20 + sequence, read and received at
/// at(sequence seconds).
inline std::string temperature_envelope(const std::string& gateway, const std::string& twin, std::uint64_t first,
                                        std::uint64_t last) {
    ingest::Envelope envelope{gateway, {}};
    for (std::uint64_t sequence = first; sequence <= last; ++sequence) {
        const TimePoint time = at(std::chrono::seconds(sequence));
        envelope.messages.push_back({sequence, "rooms/" + twin,
                                     room_payload({{"temperature", 20.0 + static_cast<double>(sequence)}}, time),
                                     time});
    }
    return ingest::encode_envelope(envelope);
}

/// A graph with the prototype's twins (twins.json) and relationships, also committed to
/// `store` the way the CLI writes them, so that reload_graph() can rebuild it.
inline std::unique_ptr<core::TwinGraph> prototype_graph(const core::Clock& clock, store::Store& store) {
    auto graph = std::make_unique<core::TwinGraph>(clock);
    for (auto& model : example_models()) {
        EXPECT_TRUE(graph->add_model(model).has_value());
    }
    const auto create = [&](const char* id, const char* body) {
        auto created = graph->create_twin(id, json::parse(body));
        EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().to_string());
    };
    create("Door", R"({"$metadata":{"$model":"dtmi:dtwin:example:Door;1"},"doorState":"closed",
                       "slammedAnomaly":"none","conflictAnomaly":"none"})");
    for (const char* room : {"Room1", "Room2"}) {
        create(room, R"({"$metadata":{"$model":"dtmi:dtwin:example:Room;1"},"occupancy":"not_occupied",
                         "airQualityState":"normal"})");
    }
    store::WriteBatch batch;
    for (const char* room : {"Room1", "Room2"}) {
        const std::string id = std::string("Door-connects-") + room;
        auto created = graph->create_relationship("Door", id,
                                                  json::object{{"$targetId", room}, {"$relationshipName", "connects"}});
        EXPECT_TRUE(created.has_value()) << (created ? "" : created.error().to_string());
        const auto relationship = graph->get_relationship("Door", id).value();
        batch.put_relationship(
            {id, "Door", room, "connects", json::serialize(core::relationship_to_json(relationship))});
    }
    for (const auto& id : graph->list_twin_ids()) {
        stage_twin(batch, *graph, id);
    }
    stage_version(batch, *graph);
    EXPECT_TRUE(store.commit(batch).has_value());
    (void)graph->drain_events();
    return graph;
}

/// The graph as a restarted server loads it: models, then the stored twins,
/// relationships and version floor.
inline std::unique_ptr<core::TwinGraph> reload_graph(const core::Clock& clock, store::Store& store) {
    auto graph = std::make_unique<core::TwinGraph>(clock);
    for (auto& model : example_models()) {
        EXPECT_TRUE(graph->add_model(model).has_value());
    }
    auto snapshot = store::load_snapshot(store);
    EXPECT_TRUE(snapshot.has_value());
    for (const auto& cursor : snapshot->cursors) {
        if (cursor.source == k_version_cursor) {
            graph->raise_version_floor(cursor.sequence);
        }
    }
    for (const auto& record : snapshot->twins) {
        auto twin = core::twin_from_json(json::parse(record.document), graph->models());
        EXPECT_TRUE(twin.has_value()) << (twin ? "" : twin.error().to_string());
        EXPECT_TRUE(twin && graph->restore_twin(std::move(*twin)).has_value());
    }
    for (const auto& record : snapshot->relationships) {
        auto relationship = core::relationship_from_json(json::parse(record.document));
        EXPECT_TRUE(relationship && graph->restore_relationship(*relationship).has_value());
    }
    return graph;
}

/// The fixture: clock at t0, a store in a fresh directory, the prototype graph, and an
/// engine started by start_engine().
class EngineTest : public ::testing::Test {
protected:
    EngineTest() : m_store(store::testing::open_or_fail(m_dir.url())), m_graph(prototype_graph(m_clock, *m_store)) {}

    /// Creates and starts the engine over the current graph and commits start()'s
    /// corrections; returns what that commit handed out.
    CommitOutput start_engine(EngineOptions options = prototype_options()) {
        m_engine.reset();
        m_engine = std::make_unique<Engine>(*m_graph, *m_store, std::move(options), m_clock);
        auto started = m_engine->start();
        EXPECT_TRUE(started.has_value()) << (started ? "" : started.error().to_string());
        return commit();
    }

    /// A restart at `now`: a new graph loaded from the store and a new engine.
    CommitOutput restart(TimePoint now, EngineOptions options = prototype_options()) {
        m_engine.reset();
        m_clock.set(now);
        m_graph = reload_graph(m_clock, *m_store);
        return start_engine(std::move(options));
    }

    CommitOutput commit() {
        auto output = m_engine->commit();
        EXPECT_TRUE(output.has_value()) << (output ? "" : output.error().to_string());
        return output ? std::move(*output) : CommitOutput{};
    }

    /// One message received at `receive_time` (the clock is set there), then a commit.
    CommitOutput send(std::string_view topic, std::string_view payload, TimePoint receive_time) {
        m_clock.set(receive_time);
        m_engine->on_message(topic, payload, receive_time);
        return commit();
    }
    /// The timers at `now`, then a commit.
    CommitOutput tick(TimePoint now) {
        m_clock.set(now);
        m_engine->on_timers();
        return commit();
    }

    CommitOutput motion(const std::string& room, int value, TimePoint t) {
        return send("rooms/" + room, room_payload({{"motion", value}}, t), t);
    }
    CommitOutput door(double angle, int magnet, TimePoint t) { return send("door", door_payload(angle, magnet, t), t); }

    /// A property of a twin in the graph as JSON text ("\"occupied\"", "true"); "(unset)".
    std::string property(std::string_view twin, std::string_view name) const {
        const core::Twin* found = m_graph->find_twin(twin);
        const json::value* value = found != nullptr ? found->property(name) : nullptr;
        return value != nullptr ? json::serialize(*value) : "(unset)";
    }
    std::string occupancy(std::string_view room) const { return property(room, "occupancy"); }

    /// The committed twin document.
    json::object stored_twin(std::string_view id) const {
        auto record = m_store->get_twin(id);
        EXPECT_TRUE(record.has_value());
        return record ? json::parse(record->document).as_object() : json::object{};
    }

    std::vector<store::HistorySample> history(const std::string& twin, const std::string& property) const {
        auto samples = m_store->history({twin, property});
        EXPECT_TRUE(samples.has_value());
        return samples ? *samples : std::vector<store::HistorySample>{};
    }

    core::ManualClock m_clock{t0()};
    store::testing::TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<core::TwinGraph> m_graph;
    std::unique_ptr<Engine> m_engine;
};

/// The values of the samples as text for comparisons: "\"open\"", "true", "21.5".
inline std::vector<std::string> sample_texts(const std::vector<store::HistorySample>& samples) {
    std::vector<std::string> texts;
    for (const auto& sample : samples) {
        texts.push_back(std::visit(
            [](const auto& value) -> std::string {
                using T = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<T, std::string>) {
                    return "\"" + value + "\"";
                } else if constexpr (std::is_same_v<T, store::JsonText>) {
                    return value.text;
                } else if constexpr (std::is_same_v<T, bool>) {
                    return value ? "true" : "false";
                } else {
                    std::ostringstream text;
                    text << value;
                    return text.str();
                }
            },
            sample.value));
    }
    return texts;
}

/// Whether some change event of `output` patched `twin`'s `path` ("/doorState").
inline bool changed(const CommitOutput& output, std::string_view twin, std::string_view path) {
    for (const auto& event : output.changes) {
        for (const auto& operation : event.patch) {
            if (event.twin_id == twin && operation.path == path) {
                return true;
            }
        }
    }
    return false;
}

/// The connectivity changes of `output` for one twin.
inline std::vector<ConnectivityChange> connectivity_of(const CommitOutput& output, std::string_view twin) {
    std::vector<ConnectivityChange> changes;
    for (const auto& change : output.connectivity) {
        if (change.twin_id == twin) {
            changes.push_back(change);
        }
    }
    return changes;
}

} // namespace dtwin::engine::testing
