#include "core/detectors/stuck_sensor.hpp"

#include <cmath>
#include <stdexcept>

namespace dtwin::core::detectors {

Result<void> validate(const StuckSensorParameters& parameters) {
    if (parameters.min_samples < 2) {
        return fail(ErrorCode::invalid_value, "must be at least 2 (one sample is never a flat line)", "min_samples");
    }
    if (!(parameters.epsilon >= 0.0 && std::isfinite(parameters.epsilon))) {
        return fail(ErrorCode::invalid_value, "must be a finite number >= 0", "epsilon");
    }
    return {};
}

StuckSensor::StuckSensor(StuckSensorParameters parameters) : m_parameters(parameters) {
    if (auto valid = validate(m_parameters); !valid) {
        throw std::invalid_argument("stuck-sensor detector: " + valid.error().to_string());
    }
}

StuckSensorVerdict StuckSensor::update(double value, TimePoint source_time) noexcept {
    const bool was_active = active();
    StuckSensorVerdict verdict{
        .use = SampleUse::used, .active = was_active, .changed = false, .run_length = m_run_length};
    if (!std::isfinite(value)) {
        verdict.use = SampleUse::ignored_not_finite;
        return verdict;
    }
    if (m_last_time && source_time <= *m_last_time) {
        verdict.use = SampleUse::ignored_not_newer;
        return verdict;
    }
    m_last_time = source_time;
    if (m_run_length > 0 && std::fabs(value - m_anchor) <= m_parameters.epsilon) {
        ++m_run_length;
    } else {
        m_anchor = value;
        m_run_length = 1;
        m_run_start = source_time;
    }
    verdict.active = active();
    verdict.changed = verdict.active != was_active;
    verdict.run_length = m_run_length;
    return verdict;
}

void StuckSensor::reset() noexcept {
    m_anchor = 0.0;
    m_run_length = 0;
    m_run_start.reset();
    m_last_time.reset();
}

} // namespace dtwin::core::detectors
