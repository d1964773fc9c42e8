// The ADT query clauses (SELECT ... FROM ... WHERE) over a twin graph: what rows come
// back, in which shape, paged, and the errors with their line:column.
#include "core/query/query_executor.hpp"
#include "twin_test_models.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <set>

using namespace dtwin::core;
using namespace dtwin::core::query;
namespace json = boost::json;

namespace {

class QuerySelect : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(graph.add_model(dtwin::test::room_model()));
        ASSERT_TRUE(graph.add_model(dtwin::test::thermostat_model()));
        ASSERT_TRUE(graph.add_model(dtwin::test::office_model()));
        ASSERT_TRUE(graph.add_model(dtwin::test::door_model()));
        create("room-1", dtwin::test::k_room, R"({"co2": 500, "occupancy": "occupied"})");
        create("room-2", dtwin::test::k_room, R"({"co2": 1500})");
        create("room-3", dtwin::test::k_room, R"({})");
        create("office-1", dtwin::test::k_office,
               R"({"co2": 900, "desks": 4, "thermostat": {"$metadata": {}, "target": 21}})");
        create("door", dtwin::test::k_door, R"({"angle": 12})");
        ASSERT_TRUE(graph.create_relationship(
            "door", "d1", json::parse(R"({"$relationshipName": "connects", "$targetId": "room-1", "side": "a"})")));
        ASSERT_TRUE(graph.create_relationship(
            "door", "d2", json::parse(R"({"$relationshipName": "connects", "$targetId": "room-2", "side": "b"})")));
    }

    void create(const std::string& id, const std::string& model, const std::string& properties) {
        json::object body = json::parse(properties).as_object();
        body["$metadata"] = json::object{{"$model", model}};
        ASSERT_TRUE(graph.create_twin(id, body)) << id;
    }

    QueryPage run(const std::string& text, std::size_t offset = 0, std::size_t page = 100) {
        auto query = parse_select(text);
        EXPECT_TRUE(query) << text << ": " << (query ? "" : query.error().to_string());
        if (!query) {
            return {};
        }
        auto result = run_select(graph, *query, offset, page);
        EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
        return result ? std::move(*result) : QueryPage{};
    }

    std::set<std::string> ids(const QueryPage& page, const std::string& key = "$dtId") {
        std::set<std::string> result;
        for (const auto& row : page.rows) {
            result.insert(std::string(row.as_object().at(key).as_string()));
        }
        return result;
    }

    std::string error_of(const std::string& text) {
        auto query = parse_select(text);
        if (!query) {
            return query.error().to_string();
        }
        auto result = run_select(graph, *query, 0, 100);
        return result ? "" : result.error().to_string();
    }

    ManualClock clock{TimePoint{std::chrono::seconds{1'800'000'000}}};
    TwinGraph graph{clock};
};

} // namespace

TEST_F(QuerySelect, SelectStarWithAPropertyFilterAndModelCheck) {
    EXPECT_EQ(ids(run("SELECT * FROM DIGITALTWINS WHERE co2 > 800")), (std::set<std::string>{"room-2", "office-1"}));
    EXPECT_EQ(ids(run("select * from digitaltwins where IS_OF_MODEL('dtmi:dtwin:example:Room;1')")),
              (std::set<std::string>{"room-1", "room-2", "room-3", "office-1"}));
    EXPECT_EQ(ids(run("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:dtwin:example:Room;1', exact)")),
              (std::set<std::string>{"room-1", "room-2", "room-3"}));
    EXPECT_EQ(ids(run("SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN ['room-3', 'door', 'nope']")),
              (std::set<std::string>{"room-3", "door"}));
    // A missing property, or one of another type, makes the comparison false, not an error.
    EXPECT_EQ(ids(run("SELECT * FROM DIGITALTWINS WHERE co2 < 'a' OR NOT IS_DEFINED(co2)")),
              (std::set<std::string>{"room-3", "door"}));
}

TEST_F(QuerySelect, RowsHaveTheTwinShapeAndPathsReachComponentsAndMetadata) {
    const auto page = run("SELECT * FROM DIGITALTWINS WHERE thermostat.target = 21 AND "
                          "$metadata.$model = 'dtmi:dtwin:test:Office;1'");
    ASSERT_EQ(page.rows.size(), 1U);
    const auto& twin = page.rows[0].as_object();
    EXPECT_EQ(twin.at("$dtId"), "office-1");
    EXPECT_TRUE(twin.contains("$etag"));
    EXPECT_EQ(twin.at("$metadata").at("$model"), dtwin::test::k_office);
}

TEST_F(QuerySelect, ProjectionsAliasesCountAndTop) {
    const auto projected = run("SELECT T.$dtId AS id, T.co2 FROM DIGITALTWINS T WHERE T.co2 >= 900");
    ASSERT_EQ(projected.rows.size(), 2U);
    for (const auto& row : projected.rows) {
        EXPECT_EQ(row.as_object().size(), 2U) << json::serialize(row);
        EXPECT_TRUE(row.as_object().contains("id"));
        EXPECT_TRUE(row.as_object().contains("co2"));
    }
    // A row without the projected property simply lacks the key.
    const auto sparse = run("SELECT desks FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:dtwin:example:Room;1')");
    std::size_t with_desks = 0;
    for (const auto& row : sparse.rows) {
        with_desks += row.as_object().contains("desks") ? 1 : 0;
    }
    EXPECT_EQ((std::pair{sparse.rows.size(), with_desks}), (std::pair<std::size_t, std::size_t>{4, 1}));
    const auto whole = run("SELECT T FROM DIGITALTWINS T WHERE T.$dtId = 'door'");
    ASSERT_EQ(whole.rows.size(), 1U);
    EXPECT_EQ(whole.rows[0].at("T").at("angle"), 12);
    EXPECT_EQ(json::serialize(run("SELECT COUNT() FROM DIGITALTWINS WHERE co2 > 0").rows), R"([{"COUNT":3}])");
    EXPECT_EQ(run("SELECT TOP(2) FROM DIGITALTWINS").rows.size(), 2U);
    EXPECT_EQ(run("SELECT TOP(2) T.$dtId FROM DIGITALTWINS T").rows.size(), 2U);
}

TEST_F(QuerySelect, RelationshipsAreRowsToo) {
    EXPECT_EQ(ids(run("SELECT * FROM RELATIONSHIPS WHERE $sourceId = 'door'"), "$relationshipId"),
              (std::set<std::string>{"d1", "d2"}));
    EXPECT_EQ(ids(run("SELECT * FROM RELATIONSHIPS R WHERE R.side = 'b'"), "$relationshipId"),
              (std::set<std::string>{"d2"}));
    EXPECT_EQ(json::serialize(run("SELECT COUNT() FROM RELATIONSHIPS WHERE $targetId = 'room-1'").rows),
              R"([{"COUNT":1}])");
}

TEST_F(QuerySelect, PagesCoverEveryRowOnceAndTopStopsThem) {
    std::set<std::string> seen;
    std::size_t offset = 0;
    std::size_t pages = 0;
    while (true) {
        const auto page = run("SELECT * FROM DIGITALTWINS", offset, 2);
        for (const auto& id : ids(page)) {
            EXPECT_TRUE(seen.insert(id).second) << id << " twice";
        }
        ++pages;
        offset += page.rows.size();
        if (!page.more) {
            break;
        }
    }
    EXPECT_EQ(seen.size(), 5U);
    EXPECT_EQ(pages, 3U);
    const auto first = run("SELECT TOP(3) FROM DIGITALTWINS", 0, 2);
    EXPECT_TRUE(first.more);
    const auto last = run("SELECT TOP(3) FROM DIGITALTWINS", 2, 2);
    EXPECT_EQ(last.rows.size(), 1U);
    EXPECT_FALSE(last.more);
}

TEST_F(QuerySelect, ErrorsPointAtLineAndColumn) {
    EXPECT_EQ(error_of("SELECT * FORM DIGITALTWINS"), "1:10: expected FROM but found 'FORM'");
    EXPECT_EQ(error_of("SELECT * FROM TWINS"), "1:15: expected DIGITALTWINS or RELATIONSHIPS but found 'TWINS'");
    EXPECT_EQ(error_of("SELECT *\nFROM DIGITALTWINS\nWHERE co2 >"), "3:12: expected an operand but found end of input");
    EXPECT_EQ(error_of("SELECT TOP(0) FROM DIGITALTWINS"), "1:12: TOP needs a whole number of at least 1");
    EXPECT_NE(error_of("SELECT * FROM DIGITALTWINS WHERE co2 / 0 > 1").find("division by zero"), std::string::npos);
    EXPECT_NE(error_of("SELECT * FROM DIGITALTWINS T JOIN R RELATED T.connects").find("JOIN"), std::string::npos);
    EXPECT_NE(error_of(std::string(9000, ' ')).find("8000"), std::string::npos);
}
