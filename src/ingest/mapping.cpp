// map_message(): payload checks, rule matching, one update per matching rule.
#include "ingest/mapping.hpp"

#include "core/json_text.hpp"
#include "ingest/field_conversion.hpp"
#include "ingest/topic_filter.hpp"

#include <boost/json/serialize.hpp>
#include <expected>
#include <utility>
#include <variant>

namespace dtwin::ingest {
namespace {

namespace json = boost::json;

/// What map_rule() needs besides the rule itself.
struct MessageContext {
    std::string_view topic;
    const json::value& document;
    core::TimePoint receive_time;
    const TimeOptions& time_options;
};

Rejection make_rejection(RejectReason reason, std::string_view topic, std::string rule, std::string twin_id,
                         std::string pointer, std::string_view detail) {
    std::string message = "topic '" + std::string{topic} + "'";
    if (!rule.empty()) {
        message += ", rule '" + rule + "'";
    }
    if (!pointer.empty()) {
        message += ", " + pointer;
    }
    message += ": " + std::string{detail};
    return Rejection{reason, std::move(rule), std::move(twin_id), std::move(pointer), std::move(message)};
}

/// The source time of one update, and why it was replaced if it was.
struct SourceTime {
    core::TimePoint time;
    TimestampReplacement replaced = TimestampReplacement::none;
    std::string original;
};

SourceTime resolve_source_time(const MappingRule& rule, const json::value& base, const MessageContext& context) {
    if (!rule.timestamp) {
        return {context.receive_time, TimestampReplacement::none, {}};
    }
    const json::value* field = core::pointer_get(base, rule.timestamp->pointer);
    if (field == nullptr || field->is_null()) {
        return {context.receive_time, TimestampReplacement::missing, {}};
    }
    std::string original = field->is_string() ? std::string{field->get_string()} : json::serialize(*field);
    const auto parsed = read_timestamp(*field, rule.timestamp->format);
    if (!parsed) {
        return {context.receive_time, TimestampReplacement::invalid, std::move(original)};
    }
    if (*parsed > context.receive_time + context.time_options.max_skew) {
        return {context.receive_time, TimestampReplacement::ahead_of_receive_time, std::move(original)};
    }
    return {*parsed, TimestampReplacement::none, {}};
}

/// Builds the update of one matching rule, or the reason it cannot be built.
std::expected<TwinUpdate, Rejection> map_rule(const MappingRule& rule, const Captures& captures,
                                              const MessageContext& context) {
    auto twin_id = expand_twin_id(rule.twin_id, captures);
    if (!twin_id) {
        return std::unexpected(make_rejection(RejectReason::invalid_twin_id, context.topic, rule.name, {}, {},
                                              twin_id.error().to_string()));
    }
    const json::value* base = core::pointer_get(context.document, rule.base_pointer);
    if (base == nullptr) {
        return std::unexpected(make_rejection(RejectReason::missing_field, context.topic, rule.name, *twin_id,
                                              rule.base_pointer, "base of the rule is missing"));
    }
    TwinUpdate update;
    update.twin_id = *twin_id;
    update.rule = rule.name;
    for (const FieldMapping& field : rule.fields) {
        const json::value* value = core::pointer_get(*base, field.pointer);
        if (value == nullptr || value->is_null()) {
            if (!field.required) {
                continue;
            }
            return std::unexpected(make_rejection(RejectReason::missing_field, context.topic, rule.name, *twin_id,
                                                  rule.base_pointer + field.pointer, "required field is missing"));
        }
        auto converted = convert_field(*value, field.type);
        if (!converted) {
            return std::unexpected(make_rejection(converted.error().reason, context.topic, rule.name, *twin_id,
                                                  rule.base_pointer + field.pointer, converted.error().message));
        }
        update.properties.push_back(PropertyValue{field.property, std::move(*converted)});
    }
    SourceTime source = resolve_source_time(rule, *base, context);
    if (rule.timestamp && source.time < context.receive_time - context.time_options.max_lateness) {
        return std::unexpected(make_rejection(
            RejectReason::too_late, context.topic, rule.name, *twin_id, rule.base_pointer + rule.timestamp->pointer,
            "source time " + core::format_time(source.time) + " is older than the maximum lateness allows"));
    }
    update.source_time = source.time;
    update.timestamp_replaced = source.replaced;
    update.original_timestamp = std::move(source.original);
    if (rule.timestamp && !rule.timestamp->property.empty()) {
        update.properties.push_back(
            PropertyValue{rule.timestamp->property, json::value(core::format_time(source.time))});
    }
    return update;
}

/// Size, UTF-8 and JSON checks of the whole payload; the document or the rejection.
std::variant<json::value, Rejection> parse_payload(std::string_view topic, std::string_view payload) {
    if (!is_valid_utf8(payload)) {
        return make_rejection(RejectReason::invalid_utf8, topic, {}, {}, {}, "payload is not valid UTF-8");
    }
    auto parsed = core::parse_json_text(payload);
    if (auto* error = std::get_if<core::JsonTextError>(&parsed)) {
        return make_rejection(RejectReason::invalid_json, topic, {}, {}, {},
                              "payload is not JSON (" + error->position + ": " + error->message + ")");
    }
    return std::move(std::get<json::value>(parsed));
}

/// Length of the UTF-8 sequence led by `lead`, 0 when `lead` cannot start one.
std::size_t utf8_sequence_length(unsigned char lead) noexcept {
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        return 4;
    }
    return 0;
}

} // namespace

std::string_view reject_reason_name(RejectReason reason) noexcept {
    switch (reason) {
    case RejectReason::payload_too_large:
        return "payload_too_large";
    case RejectReason::invalid_utf8:
        return "invalid_utf8";
    case RejectReason::invalid_json:
        return "invalid_json";
    case RejectReason::no_matching_rule:
        return "no_matching_rule";
    case RejectReason::missing_field:
        return "missing_field";
    case RejectReason::wrong_type:
        return "wrong_type";
    case RejectReason::out_of_range:
        return "out_of_range";
    case RejectReason::too_late:
        return "too_late";
    case RejectReason::invalid_twin_id:
        return "invalid_twin_id";
    }
    return "unknown";
}

std::string_view timestamp_replacement_name(TimestampReplacement why) noexcept {
    switch (why) {
    case TimestampReplacement::none:
        return "none";
    case TimestampReplacement::missing:
        return "missing";
    case TimestampReplacement::invalid:
        return "invalid";
    case TimestampReplacement::ahead_of_receive_time:
        return "ahead_of_receive_time";
    }
    return "unknown";
}

std::vector<core::PatchOperation> to_patch(const TwinUpdate& update) {
    std::vector<core::PatchOperation> operations;
    operations.reserve(update.properties.size());
    for (const PropertyValue& property : update.properties) {
        operations.push_back(
            core::PatchOperation{core::PatchOp::add, core::child_pointer("", property.name), {}, property.value});
    }
    return operations;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        const std::size_t length = utf8_sequence_length(lead);
        if (length == 0 || i + length > bytes.size()) {
            return false;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) {
                return false;
            }
        }
        if (length >= 3) {
            const auto second = static_cast<unsigned char>(bytes[i + 1]);
            // Overlong forms, UTF-16 surrogates and code points above U+10FFFF.
            if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) || (lead == 0xF0 && second < 0x90) ||
                (lead == 0xF4 && second > 0x8F)) {
                return false;
            }
        }
        i += length;
    }
    return true;
}

MappingResult map_message(std::span<const MappingRule> rules, std::string_view topic, std::string_view payload,
                          core::TimePoint receive_time, const TimeOptions& time_options, const IngestLimits& limits) {
    MappingResult result;
    if (payload.size() > limits.max_payload_bytes) {
        result.rejections.push_back(make_rejection(RejectReason::payload_too_large, topic, {}, {}, {},
                                                   "payload of " + std::to_string(payload.size()) +
                                                       " bytes is over the limit of " +
                                                       std::to_string(limits.max_payload_bytes)));
        return result;
    }
    std::vector<std::pair<const MappingRule*, Captures>> matches;
    for (const MappingRule& rule : rules) {
        if (auto captures = match_topic(rule.topic_filter, topic)) {
            matches.emplace_back(&rule, std::move(*captures));
        }
    }
    if (matches.empty()) {
        result.rejections.push_back(
            make_rejection(RejectReason::no_matching_rule, topic, {}, {}, {}, "no mapping rule matches the topic"));
        return result;
    }
    auto parsed = parse_payload(topic, payload);
    if (auto* rejection = std::get_if<Rejection>(&parsed)) {
        result.rejections.push_back(std::move(*rejection));
        return result;
    }
    const MessageContext context{topic, std::get<json::value>(parsed), receive_time, time_options};
    for (const auto& [rule, captures] : matches) {
        auto update = map_rule(*rule, captures, context);
        if (update) {
            result.updates.push_back(std::move(*update));
        } else {
            result.rejections.push_back(std::move(update.error()));
        }
    }
    return result;
}

} // namespace dtwin::ingest
