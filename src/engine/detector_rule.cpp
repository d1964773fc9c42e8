#include "engine/detector_rule.hpp"

#include <type_traits>

namespace dtwin::engine {

namespace json = boost::json;
namespace detectors = core::detectors;

namespace {

template <typename... Visitors> struct Overloaded : Visitors... { using Visitors::operator()...; };

/// Whether the condition holds after a verdict of each kind of value detector.
bool holds(const detectors::SpikeAndDipVerdict& verdict) {
    return verdict.is_anomaly;
}
bool holds(const detectors::StuckSensorVerdict& verdict) {
    return verdict.active;
}
bool holds(const detectors::RangeVerdict& verdict) {
    return verdict.is_anomaly();
}
bool holds(const detectors::RateOfChangeVerdict& verdict) {
    return verdict.is_anomaly;
}
bool holds(const detectors::ThresholdVerdict& verdict) {
    return verdict.active;
}

/// The figures of each kind of detector, from its last verdict (if any) and its state.
template <typename Verdict, typename Last> const Verdict* last_of(const Last& last) {
    return std::get_if<Verdict>(&last);
}
template <typename Last>
void write_figures(const detectors::SpikeAndDip& /*detector*/, const Last& last, json::object& values) {
    if (const auto* verdict = last_of<detectors::SpikeAndDipVerdict>(last)) {
        values["score"] = verdict->score;
    }
}
template <typename Last>
void write_figures(const detectors::StuckSensor& detector, const Last& last, json::object& values) {
    if (const auto* verdict = last_of<detectors::StuckSensorVerdict>(last)) {
        values["run_length"] = verdict->run_length;
        if (const auto since = detector.run_started_at(); since && verdict->active) {
            values["stuck_since"] = core::format_time(*since);
        }
    }
}
template <typename Last>
void write_figures(const detectors::RangeCheck& /*detector*/, const Last& last, json::object& values) {
    if (const auto* verdict = last_of<detectors::RangeVerdict>(last)) {
        values["violation"] = detectors::range_violation_name(verdict->violation);
    }
}
template <typename Last>
void write_figures(const detectors::RateOfChange& /*detector*/, const Last& last, json::object& values) {
    const auto* verdict = last_of<detectors::RateOfChangeVerdict>(last);
    if (verdict != nullptr && verdict->rate_per_second) {
        values["rate_per_second"] = *verdict->rate_per_second;
    }
}
template <typename Last>
void write_figures(const detectors::ThresholdHysteresis& detector, const Last& /*last*/, json::object& values) {
    const auto& p = detector.parameters();
    // The threshold crossed last: the starting one while active, the clearing one after.
    const bool starts_high = p.direction != detectors::ThresholdDirection::below;
    values["threshold"] = detector.active() == starts_high ? p.high : p.low;
}
template <typename Last>
void write_figures(const detectors::NoData& detector, const Last& /*last*/, json::object& values) {
    if (const auto seen = detector.last_seen()) {
        values["last_seen"] = core::format_time(*seen);
    }
    if (detector.silent()) {
        values["silent_since"] = core::format_time(detector.deadline());
    }
}

} // namespace

const std::string& detector_property(const DetectorCondition& condition) noexcept {
    return std::visit([](const auto& detector) -> const std::string& { return detector.property; }, condition);
}

bool is_no_data(const DetectorCondition& condition) noexcept {
    return std::holds_alternative<NoDataCondition>(condition);
}

DetectorRule::DetectorRule(const DetectorCondition& condition, core::TimePoint watching_since)
    : m_detector(std::visit(
          Overloaded{
              [](const SpikeAndDipCondition& c) -> Detector { return detectors::SpikeAndDip(c.parameters); },
              [](const StuckSensorCondition& c) -> Detector { return detectors::StuckSensor(c.parameters); },
              [](const RangeCondition& c) -> Detector { return detectors::RangeCheck(c.parameters); },
              [](const RateOfChangeCondition& c) -> Detector { return detectors::RateOfChange(c.parameters); },
              [&](const NoDataCondition& c) -> Detector { return detectors::NoData(c.parameters, watching_since); },
              [](const ThresholdCondition& c) -> Detector { return detectors::ThresholdHysteresis(c.parameters); },
          },
          condition)) {}

std::optional<bool> DetectorRule::on_value(double value, core::TimePoint event_time) {
    return std::visit(
        [&](auto& detector) -> std::optional<bool> {
            if constexpr (std::is_same_v<std::decay_t<decltype(detector)>, detectors::NoData>) {
                return std::nullopt;
            } else {
                const auto verdict = detector.update(value, event_time);
                if (verdict.use != detectors::SampleUse::used) {
                    return std::nullopt;
                }
                m_last = verdict;
                return holds(verdict);
            }
        },
        m_detector);
}

bool DetectorRule::on_seen(core::TimePoint report_time) {
    auto* detector = std::get_if<detectors::NoData>(&m_detector);
    if (detector == nullptr || detector->update(report_time) != detectors::SampleUse::used) {
        return false;
    }
    // The answer of the last check() stays "silent" until the next check: ask now.
    (void)detector->check(report_time);
    return true;
}

std::optional<core::TimePoint> DetectorRule::deadline() const noexcept {
    const auto* detector = std::get_if<detectors::NoData>(&m_detector);
    if (detector == nullptr || detector->silent()) {
        return std::nullopt;
    }
    return detector->deadline();
}

std::optional<core::TimePoint> DetectorRule::check_silence(core::TimePoint now) {
    auto* detector = std::get_if<detectors::NoData>(&m_detector);
    if (detector == nullptr || detector->silent()) {
        return std::nullopt;
    }
    return detector->check(now).silent_since;
}

void DetectorRule::add_figures(json::object& values) const {
    std::visit([&](const auto& detector) { write_figures(detector, m_last, values); }, m_detector);
}

} // namespace dtwin::engine
