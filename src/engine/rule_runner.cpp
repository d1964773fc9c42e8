#include "engine/rule_runner.hpp"

#include "core/query/evaluator.hpp"
#include "engine/rule_context.hpp"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <iterator>
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

core::alerts::AlertPolicy policy_of(const RuleDefinition& rule) {
    return {.for_duration = rule.for_duration,
            .repeat_interval = rule.repeat_interval,
            .notify_resolved = rule.notify_resolved};
}

/// A run-time error of @p rule on @p twin_id, `where` prefixed by "<rule> on <twin>".
RuleOutcome error_outcome(const RuleDefinition& rule, const std::string& twin_id, core::Error error) {
    const std::string place = rule.name + " on " + twin_id;
    error.where = error.where.empty() ? place : place + " at " + error.where;
    return RuleOutcome{.twin_id = twin_id,
                       .rule = rule.name,
                       .transitions = {},
                       .writes = {},
                       .error = std::move(error),
                       .message = {}};
}

/// Appends an outcome for @p transitions, if there are any.
void add_outcome(const RuleDefinition& rule, const std::string& twin_id, std::vector<AlertTransition> transitions,
                 std::vector<RuleOutcome>& out) {
    if (transitions.empty()) {
        return;
    }
    RuleOutcome outcome{.twin_id = twin_id,
                        .rule = rule.name,
                        .transitions = std::move(transitions),
                        .writes = {},
                        .error = std::nullopt,
                        .message = {}};
    finish_outcome(rule, outcome);
    out.push_back(std::move(outcome));
}

void append(std::vector<AlertTransition>& to, std::vector<AlertTransition> more) {
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

/// Whether a sample may change the alert, so that the tracker needs its values: it holds,
/// or the alert is pending or firing (a sample that does not hold then clears or resolves
/// it). Otherwise the tracker is fed no values and keeps those of the last sample that
/// mattered, which saves building them for the common sample that changes nothing.
bool may_change(bool holds, const core::alerts::AlertTracker& tracker) {
    return holds || tracker.state() == AlertState::pending || tracker.state() == AlertState::firing;
}

} // namespace

RuleRunner::RuleRunner(const std::vector<RuleDefinition>& rules) : m_rules(rules) {}

void RuleRunner::prepare() {
    m_message_paths.clear();
    for (const auto& rule : m_rules) {
        auto& paths = m_message_paths.emplace_back();
        for (auto& name : placeholders(rule.message)) {
            if (name != "twin" && name != "rule" && name != "severity") {
                auto path = split_dotted(name);
                paths.push_back({std::move(name), std::move(path)});
            }
        }
    }
    m_model_matches.clear();
    m_twin_trackers.clear(); // slots are by rule index
}

bool RuleRunner::applies(std::size_t index, const core::Twin& twin) {
    const RuleDefinition& rule = m_rules[index];
    if (!rule.selector.twin.empty()) {
        return rule.selector.twin == twin.id();
    }
    auto found = std::ranges::find(m_model_matches, twin.layout_ptr(), &decltype(m_model_matches)::value_type::first);
    if (found == m_model_matches.end()) {
        std::vector<bool> matches;
        for (const auto& candidate : m_rules) {
            matches.push_back(twin.model_id() == candidate.selector.model ||
                              twin.layout().model()->is_a(candidate.selector.model));
        }
        found = m_model_matches.insert(m_model_matches.end(), {twin.layout_ptr(), std::move(matches)});
    }
    return found->second[index];
}

RuleRunner::TrackedAlert& RuleRunner::tracker_for(std::size_t index, const std::string& twin_id) {
    auto slots = m_twin_trackers.find(twin_id);
    if (slots == m_twin_trackers.end()) {
        slots = m_twin_trackers.emplace(twin_id, std::vector<TrackedAlert*>(m_rules.size(), nullptr)).first;
    }
    slots->second.resize(m_rules.size(), nullptr);
    TrackedAlert*& slot = slots->second[index];
    if (slot == nullptr) {
        const RuleDefinition& rule = m_rules[index];
        auto found = m_trackers.find(std::pair<std::string_view, std::string_view>(twin_id, rule.name));
        if (found == m_trackers.end()) {
            found = m_trackers
                        .emplace(std::make_pair(twin_id, rule.name),
                                 TrackedAlert{&rule, core::alerts::AlertTracker({twin_id, rule.name}, policy_of(rule)),
                                              std::nullopt})
                        .first;
        }
        slot = &found->second; // map nodes stay put: the pointer lives as long as the runner
    }
    return *slot;
}

DetectorRule& RuleRunner::detector_of(TrackedAlert& tracked, core::TimePoint now) {
    if (!tracked.detector) {
        tracked.detector.emplace(*tracked.rule->detector, now);
    }
    return *tracked.detector;
}

void RuleRunner::evaluate(std::size_t index, const core::TwinGraph& graph, const core::Twin& twin,
                          const std::vector<std::string>& changed_properties,
                          const std::map<std::string, json::value>& previous_values, core::TimePoint event_time,
                          core::TimePoint report_time, std::vector<RuleOutcome>& out) {
    const RuleDefinition& rule = m_rules[index];
    if (rule.detector) {
        evaluate_detector(index, graph, twin, changed_properties, previous_values, event_time, report_time, out);
        return;
    }
    if (!rule.condition) {
        return;
    }
    ++m_evaluations;
    const RuleContext context(graph, twin, rule, changed_properties, previous_values);
    const auto holds = core::query::evaluate_condition(*rule.condition, context);
    if (!holds) {
        out.push_back(error_outcome(rule, twin.id(), holds.error()));
        return;
    }
    TrackedAlert& tracked = tracker_for(index, twin.id());
    json::object values;
    if (may_change(*holds, tracked.tracker)) {
        // The message's paths are read now, so that a timer firing later renders them too.
        for (const auto& [dotted, path] : m_message_paths[index]) {
            if (!context.reads().contains(dotted)) {
                (void)context.resolve(path);
            }
        }
        values = context.reads();
    }
    add_outcome(rule, twin.id(),
                tracked.tracker.on_condition(*holds, event_time, report_time, std::move(values), m_silences), out);
    schedule(tracked);
}

void RuleRunner::evaluate_detector(std::size_t index, const core::TwinGraph& graph, const core::Twin& twin,
                                   const std::vector<std::string>& changed_properties,
                                   const std::map<std::string, json::value>& previous_values,
                                   core::TimePoint event_time, core::TimePoint report_time,
                                   std::vector<RuleOutcome>& out) {
    const RuleDefinition& rule = m_rules[index];
    const DetectorCondition& condition = *rule.detector;
    const std::string& property = detector_property(condition);
    const bool no_data = is_no_data(condition);
    const json::value* value = twin.property(property);
    if (std::ranges::find(changed_properties, property) == changed_properties.end()) {
        // Not a sample; but a twin that has the property is watched for silence from now.
        if (no_data && value != nullptr) {
            TrackedAlert& watched = tracker_for(index, twin.id());
            (void)detector_of(watched, report_time);
            schedule(watched);
        }
        return;
    }
    ++m_evaluations;
    std::optional<double> number;
    if (value == nullptr) {
        out.push_back(error_outcome(
            rule, twin.id(),
            {core::ErrorCode::invalid_value, "the detector's property " + property + " has no value", {}}));
        return;
    }
    if (!no_data && value->is_number()) {
        number = value->to_number<double>();
    } else if (!no_data) {
        out.push_back(
            error_outcome(rule, twin.id(),
                          {core::ErrorCode::invalid_value,
                           "the detector's property " + property + " is not a number: " + json::serialize(*value),
                           {}}));
        return;
    }
    TrackedAlert& tracked = tracker_for(index, twin.id());
    DetectorRule& detector = detector_of(tracked, report_time);
    auto& tracker = tracked.tracker;
    const auto values = [&](bool holds) {
        return may_change(holds, tracker)
                   ? detector_values(index, graph, twin, *value, &detector, changed_properties, previous_values)
                   : json::object{};
    };
    std::vector<AlertTransition> transitions;
    if (no_data) {
        // Silent since before this sample with no timer in between: the silence happened.
        if (const auto deadline = detector.deadline(); deadline && *deadline <= report_time) {
            if (const auto since = detector.check_silence(report_time)) {
                json::object silence = tracker.snapshot().values;
                detector.add_figures(silence);
                transitions = tracker.on_condition(true, *since, report_time, std::move(silence), m_silences);
            }
        }
        if (detector.on_seen(report_time)) {
            // The values of every sample are kept (without the figures, which the silence
            // adds): a silence later fires with them.
            json::object seen = may_change(false, tracker) ? values(false)
                                                           : detector_values(index, graph, twin, *value, nullptr,
                                                                             changed_properties, previous_values);
            append(transitions, tracker.on_condition(false, report_time, report_time, std::move(seen), m_silences));
        }
    } else if (const auto holds = detector.on_value(*number, event_time)) {
        transitions = tracker.on_condition(*holds, event_time, report_time, values(*holds), m_silences);
    }
    add_outcome(rule, twin.id(), std::move(transitions), out);
    schedule(tracked);
}

json::object RuleRunner::detector_values(std::size_t index, const core::TwinGraph& graph, const core::Twin& twin,
                                         const json::value& value, const DetectorRule* detector,
                                         const std::vector<std::string>& changed_properties,
                                         const std::map<std::string, json::value>& previous_values) const {
    const RuleDefinition& rule = m_rules[index];
    json::object values;
    values[detector_property(*rule.detector)] = value;
    if (detector != nullptr) {
        detector->add_figures(values);
    }
    std::optional<RuleContext> context; // only for a message that names other paths
    for (const auto& [dotted, path] : m_message_paths[index]) {
        if (!values.contains(dotted)) {
            if (!context) {
                context.emplace(graph, twin, rule, changed_properties, previous_values);
            }
            (void)context->resolve(path);
        }
    }
    if (context) {
        for (const auto& [name, read] : context->reads()) {
            values.emplace(name, read);
        }
    }
    return values;
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
    if (m_message_paths.size() != m_rules.size()) {
        prepare();
    }
    for (std::size_t index = 0; index < m_rules.size(); ++index) {
        if (applies(index, *twin)) {
            evaluate(index, graph, *twin, changed_properties, previous_values, event_time, report_time, out);
        }
    }
    // Rules of other twins that read this one through an alias.
    static const std::vector<std::string> k_unchanged;
    static const std::map<std::string, json::value> k_no_previous;
    std::set<std::pair<std::string, std::size_t>> done;
    for (std::size_t index = 0; index < m_rules.size(); ++index) {
        for (const auto& [alias, relationship] : m_rules[index].related) {
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
                if (link.name != name || other == nullptr || other_id == twin_id || !applies(index, *other) ||
                    follow_alias(graph, other_id, relationship) != twin || !done.emplace(other_id, index).second) {
                    continue;
                }
                evaluate(index, graph, *other, k_unchanged, k_no_previous, event_time, report_time, out);
            }
        }
    }
    return out;
}

std::vector<RuleOutcome> RuleRunner::on_timers(core::TimePoint now) {
    // The trackers due by now, each once, in deadline order (then by twin and rule, so that
    // trackers due at one instant always come out alike).
    std::vector<std::pair<core::TimePoint, TrackedAlert*>> due;
    while (!m_deadlines.empty() && m_deadlines.top().at <= now) {
        const Deadline next = m_deadlines.top();
        m_deadlines.pop();
        if (next.tracked->scheduled == next.at) {
            next.tracked->scheduled.reset();
            due.emplace_back(next.at, next.tracked);
        }
    }
    std::ranges::sort(due, [](const auto& a, const auto& b) {
        const auto& ka = a.second->tracker.key();
        const auto& kb = b.second->tracker.key();
        return std::tie(a.first, ka.twin, ka.rule) < std::tie(b.first, kb.twin, kb.rule);
    });
    std::vector<RuleOutcome> out;
    for (auto& [deadline, tracked] : due) {
        std::vector<AlertTransition> transitions;
        if (tracked->detector) {
            if (const auto silence = tracked->detector->deadline(); silence && *silence <= now) {
                if (const auto since = tracked->detector->check_silence(now)) {
                    json::object values = tracked->tracker.snapshot().values;
                    tracked->detector->add_figures(values);
                    transitions = tracked->tracker.on_condition(true, *since, now, std::move(values), m_silences);
                }
            }
        }
        if (const auto timer = tracked->tracker.next_deadline(); timer && *timer <= now) {
            append(transitions, tracked->tracker.on_timer(now, m_silences));
        }
        add_outcome(*tracked->rule, tracked->tracker.key().twin, std::move(transitions), out);
        schedule(*tracked);
    }
    return out;
}

std::optional<core::TimePoint> RuleRunner::next_deadline() const {
    while (!m_deadlines.empty()) {
        const Deadline& next = m_deadlines.top();
        if (next.tracked->scheduled == next.at) {
            return next.at;
        }
        m_deadlines.pop(); // stale: the tracker's deadline moved or went away
    }
    return std::nullopt;
}

void RuleRunner::schedule(TrackedAlert& tracked) {
    std::optional<core::TimePoint> deadline = tracked.tracker.next_deadline();
    if (tracked.detector) {
        if (const auto silence = tracked.detector->deadline(); silence && (!deadline || *silence < *deadline)) {
            deadline = silence;
        }
    }
    if (deadline != tracked.scheduled) {
        tracked.scheduled = deadline;
        if (deadline) {
            m_deadlines.push({*deadline, &tracked});
        }
    }
}

void RuleRunner::watch_twins(const core::TwinGraph& graph, core::TimePoint now) {
    if (m_message_paths.size() != m_rules.size()) {
        prepare();
    }
    for (std::size_t index = 0; index < m_rules.size(); ++index) {
        const RuleDefinition& rule = m_rules[index];
        if (!rule.detector || !is_no_data(*rule.detector)) {
            continue;
        }
        graph.for_each_twin([&](const core::Twin& twin) {
            if (twin.property(detector_property(*rule.detector)) != nullptr && applies(index, twin)) {
                TrackedAlert& watched = tracker_for(index, twin.id());
                (void)detector_of(watched, now);
                schedule(watched);
            }
        });
    }
}

bool RuleRunner::restore(std::string_view twin_id, std::string_view rule, const core::alerts::AlertSnapshot& snapshot) {
    const auto definition = std::ranges::find(m_rules, rule, &RuleDefinition::name);
    if (definition == m_rules.end()) {
        return false;
    }
    core::alerts::AlertTracker tracker({std::string(twin_id), definition->name}, policy_of(*definition), snapshot);
    auto found = m_trackers.find(std::pair(twin_id, rule));
    if (found != m_trackers.end()) {
        found->second.rule = &*definition;
        found->second.tracker = std::move(tracker);
        schedule(found->second);
        return true;
    }
    auto [added, inserted] = m_trackers.emplace(std::make_pair(std::string(twin_id), definition->name),
                                                TrackedAlert{&*definition, std::move(tracker), std::nullopt});
    schedule(added->second);
    return true;
}

void RuleRunner::set_silences(core::alerts::Silences silences) {
    m_silences = std::move(silences);
}

core::Result<AlertTransition> RuleRunner::acknowledge(std::string_view twin_id, std::string_view rule,
                                                      std::uint64_t instance, core::TimePoint at) {
    const auto found = m_trackers.find(std::pair(twin_id, rule));
    if (found == m_trackers.end()) {
        std::string id(twin_id);
        id.append("/").append(rule).append("/").append(std::to_string(instance));
        return core::fail(core::ErrorCode::unknown_alert,
                          "no alert of this rule on this twin (the rule never ran there, or is no longer configured)",
                          std::move(id));
    }
    auto transition = found->second.tracker.acknowledge(instance, at);
    schedule(found->second); // an acknowledged alert stops repeating
    return transition;
}

const core::alerts::AlertTracker* RuleRunner::find_tracker(std::string_view twin_id, std::string_view rule) const {
    const auto found = m_trackers.find(std::pair(twin_id, rule));
    return found == m_trackers.end() ? nullptr : &found->second.tracker;
}

} // namespace dtwin::engine
