#include "core/detectors/range_check.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace dtwin::core::detectors {

std::string_view range_violation_name(RangeViolation violation) noexcept {
    switch (violation) {
    case RangeViolation::none:
        return "none";
    case RangeViolation::below:
        return "below";
    case RangeViolation::above:
        return "above";
    case RangeViolation::not_finite:
        return "not_finite";
    }
    return "none"; // unreachable for valid enumerators
}

Result<void> validate(const RangeCheckParameters& parameters) {
    if (std::isnan(parameters.min)) {
        return fail(ErrorCode::invalid_value, "must be a number", "min");
    }
    if (std::isnan(parameters.max)) {
        return fail(ErrorCode::invalid_value, "must be a number", "max");
    }
    if (parameters.min > parameters.max) {
        return fail(ErrorCode::invalid_value,
                    "must not exceed max (" + std::to_string(parameters.max) + "), got " +
                        std::to_string(parameters.min),
                    "min");
    }
    return {};
}

RangeCheck::RangeCheck(RangeCheckParameters parameters) : m_parameters(parameters) {
    if (auto valid = validate(m_parameters); !valid) {
        throw std::invalid_argument("range check: " + valid.error().to_string());
    }
}

RangeViolation RangeCheck::classify(double value) const noexcept {
    if (!std::isfinite(value)) {
        return RangeViolation::not_finite;
    }
    if (value < m_parameters.min) {
        return RangeViolation::below;
    }
    if (value > m_parameters.max) {
        return RangeViolation::above;
    }
    return RangeViolation::none;
}

RangeVerdict RangeCheck::update(double value, TimePoint source_time) noexcept {
    if (m_last_time && source_time <= *m_last_time) {
        return RangeVerdict{.use = SampleUse::ignored_not_newer, .violation = RangeViolation::none};
    }
    m_last_time = source_time;
    return RangeVerdict{.use = SampleUse::used, .violation = classify(value)};
}

} // namespace dtwin::core::detectors
