#include "core/detectors/threshold_hysteresis.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dtwin::core::detectors {

std::string_view threshold_direction_name(ThresholdDirection direction) noexcept {
    switch (direction) {
    case ThresholdDirection::above:
        return "above";
    case ThresholdDirection::below:
        return "below";
    case ThresholdDirection::absolute:
        return "abs";
    }
    return "abs"; // unreachable for valid enumerators
}

std::optional<ThresholdDirection> parse_threshold_direction(std::string_view text) noexcept {
    if (text == "above") {
        return ThresholdDirection::above;
    }
    if (text == "below") {
        return ThresholdDirection::below;
    }
    if (text == "abs" || text == "absolute") {
        return ThresholdDirection::absolute;
    }
    return std::nullopt;
}

Result<void> validate(const ThresholdHysteresisParameters& parameters) {
    if (!std::isfinite(parameters.high)) {
        return fail(ErrorCode::invalid_value, "must be a finite number", "high");
    }
    if (!std::isfinite(parameters.low)) {
        return fail(ErrorCode::invalid_value, "must be a finite number", "low");
    }
    if (parameters.low > parameters.high) {
        return fail(ErrorCode::invalid_value,
                    "must not exceed high (" + std::to_string(parameters.high) + "), got " +
                        std::to_string(parameters.low),
                    "low");
    }
    if (parameters.direction == ThresholdDirection::absolute && parameters.low < 0.0) {
        return fail(ErrorCode::invalid_value, "must be >= 0 with direction abs (|value| is never below it)", "low");
    }
    return {};
}

ThresholdHysteresis::ThresholdHysteresis(ThresholdHysteresisParameters parameters) : m_parameters(parameters) {
    if (auto valid = validate(m_parameters); !valid) {
        throw std::invalid_argument("threshold detector: " + valid.error().to_string());
    }
}

bool ThresholdHysteresis::next_state(double value) const noexcept {
    const double high = m_parameters.high;
    const double low = m_parameters.low;
    switch (m_parameters.direction) {
    case ThresholdDirection::above:
        return m_active ? !(value < low) : value > high;
    case ThresholdDirection::below:
        return m_active ? !(value > high) : value < low;
    case ThresholdDirection::absolute: {
        const double magnitude = std::fabs(value);
        return m_active ? !(magnitude < low) : magnitude > high;
    }
    }
    return m_active; // unreachable for valid enumerators
}

ThresholdVerdict ThresholdHysteresis::update(double value, TimePoint source_time) noexcept {
    ThresholdVerdict verdict{.use = SampleUse::used, .active = m_active, .changed = false};
    if (!std::isfinite(value)) {
        verdict.use = SampleUse::ignored_not_finite;
        return verdict;
    }
    if (m_last_time && source_time <= *m_last_time) {
        verdict.use = SampleUse::ignored_not_newer;
        return verdict;
    }
    m_last_time = source_time;
    const bool next = next_state(value);
    verdict.changed = next != m_active;
    verdict.active = next;
    m_active = next;
    return verdict;
}

void ThresholdHysteresis::reset() noexcept {
    m_active = false;
    m_last_time.reset();
}

} // namespace dtwin::core::detectors
