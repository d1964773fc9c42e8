#include "engine/rule_runner.hpp"

#include "core/query/evaluator.hpp"
#include "engine/rule_context.hpp"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <set>

namespace dtwin::engine {

namespace json = boost::json;
using core::alerts::AlertState;
using core::alerts::AlertTransition;

namespace {

std::string_view severity_text(Severity severity) {
    switch (severity) {
    case Severity::info:
        return "info";
    case Severity::warning:
        return "warning";
    case Severity::critical:
        return "critical";
    }
    return "warning";
}

/// Strings without quotes, doubles in their shortest form ("80", "21.5"; json::serialize
/// would write "8E1"), the rest as JSON.
std::string value_text(const json::value& value) {
    if (value.is_string()) {
        return std::string(value.get_string());
    }
    if (value.is_double()) {
        std::array<char, 32> buffer{};
        const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value.get_double());
        return std::string(buffer.data(), result.ptr);
    }
    return json::serialize(value);
}

/// The "{...}" names of a message template, in order.
std::vector<std::string> placeholders(std::string_view text) {
    std::vector<std::string> names;
    for (auto open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
        const auto close = text.find('}', open + 1);
        if (close == std::string_view::npos) {
            break;
        }
        names.emplace_back(text.substr(open + 1, close - open - 1));
    }
    return names;
}

/// @p text with {twin}, {rule}, {severity} and {<path>} replaced; paths are looked up in
/// @p values (dotted keys).
std::string render_message(const RuleDefinition& rule, std::string_view twin_id, const json::object& values) {
    const std::string_view text = rule.message;
    std::string out;
    std::size_t from = 0;
    for (auto open = text.find('{'); open != std::string_view::npos; open = text.find('{', from)) {
        const auto close = text.find('}', open + 1);
        if (close == std::string_view::npos) {
            break;
        }
        out += text.substr(from, open - from);
        const std::string_view name = text.substr(open + 1, close - open - 1);
        if (name == "twin") {
            out += twin_id;
        } else if (name == "rule") {
            out += rule.name;
        } else if (name == "severity") {
            out += severity_text(rule.severity);
        } else if (const json::value* value = values.if_contains(name); value != nullptr) {
            out += value_text(*value);
        } else {
            out += "(undefined)";
        }
        from = close + 1;
    }
    out += text.substr(std::min(from, text.size()));
    return out;
}

/// Fills writes and message of @p outcome from its transitions.
void finish_outcome(const RuleDefinition& rule, RuleOutcome& outcome) {
    for (const AlertTransition& transition : outcome.transitions) {
        if (transition.to == AlertState::firing && transition.from != AlertState::firing) {
            for (const auto& [name, value] : rule.set_properties) {
                outcome.writes[name] = value;
            }
        } else if (transition.to == AlertState::resolved && transition.from == AlertState::firing) {
            for (const auto& [name, value] : rule.reset_properties) {
                outcome.writes[name] = value;
            }
        }
        if (transition.to == AlertState::firing && !rule.message.empty()) {
            outcome.message = render_message(rule, outcome.twin_id, transition.values);
        }
    }
}

} // namespace

RuleRunner::RuleRunner(const std::vector<RuleDefinition>& rules) : m_rules(rules) {}

bool RuleRunner::applies(const RuleDefinition& rule, const core::TwinGraph& graph, const core::Twin& twin) const {
    if (!rule.selector.twin.empty()) {
        return rule.selector.twin == twin.id();
    }
    if (twin.model_id() == rule.selector.model) {
        return true;
    }
    const core::InterfacePtr model = graph.find_model(twin.model_id());
    return model != nullptr && model->is_a(rule.selector.model);
}

RuleRunner::TrackedAlert& RuleRunner::tracker_for(const RuleDefinition& rule, const std::string& twin_id) {
    auto key = std::make_pair(twin_id, rule.name);
    auto found = m_trackers.find(key);
    if (found == m_trackers.end()) {
        core::alerts::AlertPolicy policy{.for_duration = rule.for_duration,
                                         .repeat_interval = rule.repeat_interval,
                                         .notify_resolved = rule.notify_resolved};
        found = m_trackers.emplace(key, TrackedAlert{&rule, core::alerts::AlertTracker({twin_id, rule.name}, policy)})
                    .first;
    }
    return found->second;
}

void RuleRunner::evaluate(const RuleDefinition& rule, const core::TwinGraph& graph, const core::Twin& twin,
                          const std::vector<std::string>& changed_properties,
                          const std::map<std::string, json::value>& previous_values, core::TimePoint event_time,
                          core::TimePoint report_time, std::vector<RuleOutcome>& out) {
    // TODO(detector rules): rules with `detector` (spike_and_dip, stuck_sensor, range,
    // rate_of_change, no_data) need the property's samples and are not evaluated yet.
    if (rule.detector || !rule.condition) {
        return;
    }
    const RuleContext context(graph, twin, rule, changed_properties, previous_values);
    const auto holds = core::query::evaluate_condition(*rule.condition, context);
    if (!holds) {
        core::Error error = holds.error();
        const std::string place = rule.name + " on " + twin.id();
        error.where = error.where.empty() ? place : place + " at " + error.where;
        out.push_back(RuleOutcome{.twin_id = twin.id(),
                                  .rule = rule.name,
                                  .transitions = {},
                                  .writes = {},
                                  .error = std::move(error),
                                  .message = {}});
        return;
    }
    // The message's paths are read now, so that a timer firing later renders them too.
    for (const auto& name : placeholders(rule.message)) {
        if (name != "twin" && name != "rule" && name != "severity") {
            (void)context.resolve_dotted(name);
        }
    }
    TrackedAlert& tracked = tracker_for(rule, twin.id());
    auto transitions = tracked.tracker.on_condition(*holds, event_time, report_time, context.reads());
    if (transitions.empty()) {
        return;
    }
    RuleOutcome outcome{.twin_id = twin.id(),
                        .rule = rule.name,
                        .transitions = std::move(transitions),
                        .writes = {},
                        .error = std::nullopt,
                        .message = {}};
    finish_outcome(rule, outcome);
    out.push_back(std::move(outcome));
}

std::vector<RuleOutcome> RuleRunner::on_twin_updated(const core::TwinGraph& graph, std::string_view twin_id,
                                                     const std::vector<std::string>& changed_properties,
                                                     const std::map<std::string, json::value>& previous_values,
                                                     core::TimePoint event_time, core::TimePoint report_time) {
    std::vector<RuleOutcome> out;
    const core::Twin* twin = graph.find_twin(twin_id);
    if (twin == nullptr) {
        return out;
    }
    for (const auto& rule : m_rules) {
        if (applies(rule, graph, *twin)) {
            evaluate(rule, graph, *twin, changed_properties, previous_values, event_time, report_time, out);
        }
    }
    // Rules of other twins that read this one through an alias.
    static const std::vector<std::string> k_unchanged;
    static const std::map<std::string, json::value> k_no_previous;
    std::set<std::pair<std::string, const RuleDefinition*>> done;
    for (const auto& rule : m_rules) {
        for (const auto& [alias, relationship] : rule.related) {
            // incoming:<rel> on Y reaches X when X has <rel> to Y; outgoing:<rel> when Y has <rel> to X.
            const bool incoming = relationship.starts_with("incoming:");
            const std::string_view name = std::string_view(relationship).substr(relationship.find(':') + 1);
            auto listed = graph.list_relationships(twin_id, incoming ? core::RelationshipDirection::outgoing
                                                                     : core::RelationshipDirection::incoming);
            if (!listed) {
                continue;
            }
            for (const auto& link : *listed) {
                const std::string& other_id = incoming ? link.target_id : link.source_id;
                const core::Twin* other = graph.find_twin(other_id);
                if (link.name != name || other == nullptr || other_id == twin_id || !applies(rule, graph, *other) ||
                    follow_alias(graph, other_id, relationship) != twin || !done.emplace(other_id, &rule).second) {
                    continue;
                }
                evaluate(rule, graph, *other, k_unchanged, k_no_previous, event_time, report_time, out);
            }
        }
    }
    return out;
}

std::vector<RuleOutcome> RuleRunner::on_timers(core::TimePoint now) {
    std::vector<RuleOutcome> out;
    for (auto& [key, tracked] : m_trackers) {
        const auto deadline = tracked.tracker.next_deadline();
        if (!deadline || *deadline > now) {
            continue;
        }
        auto transitions = tracked.tracker.on_timer(now);
        if (transitions.empty()) {
            continue;
        }
        RuleOutcome outcome{.twin_id = key.first,
                            .rule = key.second,
                            .transitions = std::move(transitions),
                            .writes = {},
                            .error = std::nullopt,
                            .message = {}};
        finish_outcome(*tracked.rule, outcome);
        out.push_back(std::move(outcome));
    }
    return out;
}

std::optional<core::TimePoint> RuleRunner::next_deadline() const {
    std::optional<core::TimePoint> earliest;
    for (const auto& [key, tracked] : m_trackers) {
        const auto deadline = tracked.tracker.next_deadline();
        if (deadline && (!earliest || *deadline < *earliest)) {
            earliest = deadline;
        }
    }
    return earliest;
}

const core::alerts::AlertTracker* RuleRunner::find_tracker(std::string_view twin_id, std::string_view rule) const {
    const auto found = m_trackers.find(std::make_pair(std::string(twin_id), std::string(rule)));
    return found == m_trackers.end() ? nullptr : &found->second.tracker;
}

} // namespace dtwin::engine
