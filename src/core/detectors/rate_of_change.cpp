#include "core/detectors/rate_of_change.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace dtwin::core::detectors {

Result<void> validate(const RateOfChangeParameters& parameters) {
    if (!(parameters.max_rate_per_second >= 0.0 && std::isfinite(parameters.max_rate_per_second))) {
        return fail(ErrorCode::invalid_value, "must be a finite number >= 0", "max_rate_per_second");
    }
    return {};
}

RateOfChange::RateOfChange(RateOfChangeParameters parameters) : m_parameters(parameters) {
    if (auto valid = validate(m_parameters); !valid) {
        throw std::invalid_argument("rate-of-change detector: " + valid.error().to_string());
    }
}

RateOfChangeVerdict RateOfChange::update(double value, TimePoint source_time) noexcept {
    RateOfChangeVerdict verdict;
    if (!std::isfinite(value)) {
        verdict.use = SampleUse::ignored_not_finite;
        return verdict;
    }
    if (m_previous && source_time <= m_previous->time) {
        verdict.use = SampleUse::ignored_not_newer;
        return verdict;
    }
    if (m_previous) {
        const double seconds = std::chrono::duration<double>(source_time - m_previous->time).count();
        const double rate = (value - m_previous->value) / seconds;
        verdict.rate_per_second = rate;
        // Two finite values far apart over a microsecond can overflow to +-inf: still too fast.
        verdict.is_anomaly = std::fabs(rate) > m_parameters.max_rate_per_second;
    }
    m_previous = Sample{value, source_time};
    return verdict;
}

} // namespace dtwin::core::detectors
