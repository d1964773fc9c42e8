// map_message(): time handling, payload rejections, field conversions.
#include "ingest/mapping.hpp"

#include <boost/json/value.hpp>
#include <gtest/gtest.h>
#include <string>
#include <vector>

using namespace dtwin;
using namespace dtwin::ingest;
using namespace std::chrono_literals;

namespace {

core::TimePoint at(const char* iso) {
    return core::parse_time(iso).value();
}

const core::TimePoint k_receive = at("2026-11-24T21:30:00Z");

/// Two rules on one topic, so a test can check that one failing leaves the other.
std::vector<MappingRule> sensor_rules(TimeFormat format = TimeFormat::iso8601) {
    MappingRule first{
        .name = "first",
        .topic_filter = "plant/{unit}",
        .twin_id = "{unit}",
        .base_pointer = "/a",
        .fields = {{.pointer = "/value", .property = "value", .type = ValueType::number, .required = true},
                   {.pointer = "/note", .property = "note", .type = ValueType::string, .required = false}},
        .timestamp = TimestampMapping{.pointer = "/ts", .format = format, .property = ""}};
    MappingRule second = first;
    second.name = "second";
    second.twin_id = "{unit}-b";
    second.base_pointer = "/b";
    return {first, second};
}

MappingResult map(const std::string& payload, TimeOptions options = {}, IngestLimits limits = {},
                  TimeFormat format = TimeFormat::iso8601) {
    return map_message(sensor_rules(format), "plant/P1", payload, k_receive, options, limits);
}

std::string two_parts(const std::string& a_ts, const std::string& b_ts) {
    return R"({"a": {"value": 1.5, "ts": )" + a_ts + R"(}, "b": {"value": 2.5, "ts": )" + b_ts + "}}";
}

} // namespace

TEST(IngestMapping, TimestampFarAheadIsReplacedAndFlagged) {
    const TimeOptions options{.max_skew = 5s, .max_lateness = 1h};
    const auto result = map(two_parts(R"("2026-11-24T21:40:00Z")", R"("2026-11-24T21:30:04Z")"), options);

    ASSERT_EQ(result.updates.size(), 2U);
    EXPECT_EQ(result.updates[0].source_time, k_receive);
    EXPECT_EQ(result.updates[0].timestamp_replaced, TimestampReplacement::ahead_of_receive_time);
    EXPECT_EQ(result.updates[0].original_timestamp, "2026-11-24T21:40:00Z");
    // Within the skew: trusted as is.
    EXPECT_EQ(result.updates[1].source_time, at("2026-11-24T21:30:04Z"));
    EXPECT_EQ(result.updates[1].timestamp_replaced, TimestampReplacement::none);
}

TEST(IngestMapping, LateDataIsKeptUpToMaxLatenessThenRejected) {
    const TimeOptions options{.max_skew = 5s, .max_lateness = 1h};
    const auto result = map(two_parts(R"("2026-11-24T20:45:00Z")", R"("2026-11-24T20:29:59Z")"), options);

    ASSERT_EQ(result.updates.size(), 1U);
    EXPECT_EQ(result.updates[0].twin_id, "P1");
    EXPECT_EQ(result.updates[0].source_time, at("2026-11-24T20:45:00Z"));
    EXPECT_EQ(result.updates[0].timestamp_replaced, TimestampReplacement::none);
    ASSERT_EQ(result.rejections.size(), 1U);
    EXPECT_EQ(result.rejections[0].reason, RejectReason::too_late);
    EXPECT_EQ(result.rejections[0].twin_id, "P1-b");
    EXPECT_EQ(result.rejections[0].pointer, "/b/ts");
    EXPECT_EQ(reject_reason_name(result.rejections[0].reason), "too_late");
}

TEST(IngestMapping, MissingOrMistypedTimestampFallsBackToReceiveTime) {
    const auto result = map(R"({"a": {"value": 1}, "b": {"value": 2, "ts": 12}})");
    ASSERT_EQ(result.updates.size(), 2U);
    EXPECT_EQ(result.updates[0].source_time, k_receive);
    EXPECT_EQ(result.updates[0].timestamp_replaced, TimestampReplacement::missing);
    EXPECT_EQ(result.updates[1].source_time, k_receive);
    EXPECT_EQ(result.updates[1].timestamp_replaced, TimestampReplacement::invalid);
}

TEST(IngestMapping, RuleWithoutTimestampUsesReceiveTimeUnflagged) {
    std::vector<MappingRule> rules = sensor_rules();
    rules.resize(1);
    rules[0].timestamp.reset();
    const auto result = map_message(rules, "plant/P1", R"({"a": {"value": 3}})", k_receive);
    ASSERT_EQ(result.updates.size(), 1U);
    EXPECT_EQ(result.updates[0].source_time, k_receive);
    EXPECT_EQ(result.updates[0].timestamp_replaced, TimestampReplacement::none);
}

TEST(IngestMapping, EpochTimestampsInMillisecondsAndSeconds) {
    // 2026-11-24T21:29:50.250Z
    const auto expected = at("2026-11-24T21:29:50.250Z");
    const auto ms = map(two_parts("1795555790250", "1795555790250.0"), {}, {}, TimeFormat::epoch_ms);
    ASSERT_EQ(ms.updates.size(), 2U);
    EXPECT_EQ(ms.updates[0].source_time, expected);
    EXPECT_EQ(ms.updates[1].source_time, expected);

    const auto s = map(two_parts("1795555790.25", R"("1795555790")"), {}, {}, TimeFormat::epoch_s);
    ASSERT_EQ(s.updates.size(), 2U);
    EXPECT_EQ(s.updates[0].source_time, expected);
    EXPECT_EQ(s.updates[1].timestamp_replaced, TimestampReplacement::invalid); // a string is not epoch_s
}

TEST(IngestMapping, WholeMessageRejectionsCarryTheirReason) {
    struct Case {
        const char* label;
        std::string topic;
        std::string payload;
        RejectReason reason;
    };
    const std::string valid = two_parts(R"("2026-11-24T21:29:00Z")", R"("2026-11-24T21:29:00Z")");
    const Case cases[] = {
        {"malformed JSON", "plant/P1", R"({"a": {"value": 1.5,})", RejectReason::invalid_json},
        {"two documents", "plant/P1", "{} {}", RejectReason::invalid_json},
        {"invalid UTF-8", "plant/P1", "{\"a\": {\"value\": 1, \"note\": \"\xC3\x28\"}}", RejectReason::invalid_utf8},
        {"UTF-16 surrogate", "plant/P1", "\"\xED\xA0\x80\"", RejectReason::invalid_utf8},
        {"oversize", "plant/P1", valid + std::string(200, ' '), RejectReason::payload_too_large},
        {"no rule", "factory/P1", valid, RejectReason::no_matching_rule},
        {"no rule, deeper", "plant/P1/x", valid, RejectReason::no_matching_rule},
    };
    const IngestLimits limits{.max_payload_bytes = valid.size() + 100};
    for (const auto& c : cases) {
        const auto result = map_message(sensor_rules(), c.topic, c.payload, k_receive, {}, limits);
        EXPECT_TRUE(result.updates.empty()) << c.label;
        ASSERT_EQ(result.rejections.size(), 1U) << c.label;
        EXPECT_EQ(result.rejections[0].reason, c.reason) << c.label;
        EXPECT_NE(result.rejections[0].message.find(c.topic), std::string::npos) << c.label;
    }
    // The same valid payload under the limit goes through.
    EXPECT_EQ(map_message(sensor_rules(), "plant/P1", valid, k_receive, {}, limits).updates.size(), 2U);
}

TEST(IngestMapping, BadFieldRejectsOnlyItsOwnUpdate) {
    struct Case {
        const char* label;
        std::string b_part;
        RejectReason reason;
        std::string pointer;
    };
    const Case cases[] = {
        {"string in a number field", R"({"value": "12.5"})", RejectReason::wrong_type, "/b/value"},
        {"NaN as a string", R"({"value": "NaN"})", RejectReason::wrong_type, "/b/value"},
        {"required field missing", R"({"note": "x"})", RejectReason::missing_field, "/b/value"},
        {"required field null", R"({"value": null})", RejectReason::missing_field, "/b/value"},
        {"number in a string field", R"({"value": 1, "note": 7})", RejectReason::wrong_type, "/b/note"},
        {"base missing", "", RejectReason::missing_field, "/b"},
    };
    for (const auto& c : cases) {
        std::string payload = R"({"a": {"value": 1.5})";
        if (!c.b_part.empty()) {
            payload += R"(, "b": )" + c.b_part;
        }
        payload += "}";
        const auto result = map(payload);
        ASSERT_EQ(result.updates.size(), 1U) << c.label;
        EXPECT_EQ(result.updates[0].twin_id, "P1") << c.label;
        EXPECT_EQ(result.updates[0].properties[0].value, boost::json::value(1.5)) << c.label;
        ASSERT_EQ(result.rejections.size(), 1U) << c.label;
        EXPECT_EQ(result.rejections[0].reason, c.reason) << c.label;
        EXPECT_EQ(result.rejections[0].rule, "second") << c.label;
        EXPECT_EQ(result.rejections[0].pointer, c.pointer) << c.label;
        EXPECT_NE(result.rejections[0].message.find(c.pointer), std::string::npos) << c.label;
    }
}

TEST(IngestMapping, OptionalFieldMayBeAbsent) {
    const auto result = map(R"({"a": {"value": 1}, "b": {"value": 2, "note": "ok"}})");
    ASSERT_EQ(result.updates.size(), 2U);
    EXPECT_EQ(result.updates[0].properties.size(), 1U);
    ASSERT_EQ(result.updates[1].properties.size(), 2U);
    EXPECT_EQ(result.updates[1].properties[1].name, "note");
    EXPECT_EQ(result.updates[1].properties[1].value, boost::json::value("ok"));
}

TEST(IngestMapping, ConvertsEachValueType) {
    struct Case {
        ValueType type;
        const char* json;
        std::optional<boost::json::value> expected; // nullopt: rejected with `reason`
        RejectReason reason = RejectReason::wrong_type;
    };
    const Case cases[] = {
        {ValueType::number, "3", boost::json::value(3.0)},
        {ValueType::number, "-1.5e3", boost::json::value(-1500.0)},
        {ValueType::number, "\"Infinity\"", std::nullopt},
        {ValueType::number, "true", std::nullopt},
        {ValueType::integer, "412", boost::json::value(412)},
        {ValueType::integer, "412.0", boost::json::value(412)},
        {ValueType::integer, "412.5", std::nullopt},
        {ValueType::integer, "2147483647", boost::json::value(2147483647)},
        {ValueType::integer, "2147483648", std::nullopt, RejectReason::out_of_range},
        {ValueType::integer, "-2147483649", std::nullopt, RejectReason::out_of_range},
        {ValueType::integer, "18446744073709551615", std::nullopt, RejectReason::out_of_range},
        {ValueType::integer, "1e300", std::nullopt, RejectReason::out_of_range},
        {ValueType::boolean, "true", boost::json::value(true)},
        {ValueType::boolean, "1", std::nullopt},
        {ValueType::string, "\"open\"", boost::json::value("open")},
        {ValueType::string, "[]", std::nullopt},
        {ValueType::boolean_from_number, "1", boost::json::value(true)},
        {ValueType::boolean_from_number, "0.0", boost::json::value(false)},
        {ValueType::boolean_from_number, "false", boost::json::value(false)},
        {ValueType::boolean_from_number, "2", std::nullopt, RejectReason::out_of_range},
        {ValueType::boolean_from_number, "\"1\"", std::nullopt},
    };
    for (const auto& c : cases) {
        const std::vector<MappingRule> rules{
            {.name = "r",
             .topic_filter = "t",
             .twin_id = "T",
             .base_pointer = "",
             .fields = {{.pointer = "/v", .property = "v", .type = c.type, .required = true}},
             .timestamp = std::nullopt}};
        const auto result = map_message(rules, "t", std::string{R"({"v": )"} + c.json + "}", k_receive);
        const std::string label = std::string{value_type_name(c.type)} + " " + c.json;
        if (c.expected) {
            ASSERT_EQ(result.updates.size(), 1U) << label;
            EXPECT_EQ(result.updates[0].properties[0].value, *c.expected) << label;
            EXPECT_EQ(result.updates[0].properties[0].value.kind(), c.expected->kind()) << label;
        } else {
            EXPECT_TRUE(result.updates.empty()) << label;
            ASSERT_EQ(result.rejections.size(), 1U) << label;
            EXPECT_EQ(result.rejections[0].reason, c.reason) << label;
            EXPECT_EQ(result.rejections[0].pointer, "/v") << label;
        }
    }
}

TEST(IngestMapping, ValidateRuleFindsConfigMistakes) {
    const MappingRule good = sensor_rules()[0];
    EXPECT_TRUE(validate_rule(good));

    auto broken = [&](auto change) {
        MappingRule rule = good;
        change(rule);
        return validate_rule(rule);
    };
    EXPECT_FALSE(broken([](MappingRule& r) { r.name.clear(); }));
    EXPECT_FALSE(broken([](MappingRule& r) { r.topic_filter = "plant/#/x"; }));
    EXPECT_FALSE(broken([](MappingRule& r) { r.twin_id = "{room}"; }));
    EXPECT_FALSE(broken([](MappingRule& r) { r.base_pointer = "a"; }));
    EXPECT_FALSE(broken([](MappingRule& r) { r.fields[0].pointer = "value"; }));
    EXPECT_FALSE(broken([](MappingRule& r) { r.fields[1].property = "value"; }));
    EXPECT_FALSE(broken([](MappingRule& r) { r.fields.clear(); }));
    EXPECT_FALSE(broken([](MappingRule& r) { r.timestamp->pointer = "~"; }));
}

TEST(IngestMapping, EnumNamesRoundTrip) {
    for (const auto type : {ValueType::number, ValueType::integer, ValueType::boolean, ValueType::string,
                            ValueType::boolean_from_number}) {
        EXPECT_EQ(parse_value_type(value_type_name(type)), type);
    }
    for (const auto format : {TimeFormat::iso8601, TimeFormat::epoch_ms, TimeFormat::epoch_s}) {
        EXPECT_EQ(parse_time_format(time_format_name(format)), format);
    }
    EXPECT_EQ(value_type_name(ValueType::number), "double");
    EXPECT_FALSE(parse_value_type("float"));
    EXPECT_EQ(timestamp_replacement_name(TimestampReplacement::ahead_of_receive_time), "ahead_of_receive_time");
}
