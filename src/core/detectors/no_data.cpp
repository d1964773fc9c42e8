#include "core/detectors/no_data.hpp"

#include <algorithm>
#include <stdexcept>

namespace dtwin::core::detectors {

Result<void> validate(const NoDataParameters& parameters) {
    if (parameters.timeout.count() <= 0) {
        return fail(ErrorCode::invalid_value, "must be a positive duration", "timeout");
    }
    return {};
}

NoData::NoData(NoDataParameters parameters, TimePoint watching_since)
    : m_parameters(parameters), m_watching_since(watching_since) {
    if (auto valid = validate(m_parameters); !valid) {
        throw std::invalid_argument("no-data detector: " + valid.error().to_string());
    }
}

SampleUse NoData::update(TimePoint seen_at) noexcept {
    if (m_last_seen && seen_at <= *m_last_seen) {
        return SampleUse::ignored_not_newer;
    }
    m_last_seen = seen_at;
    return SampleUse::used;
}

TimePoint NoData::deadline() const noexcept {
    const TimePoint reference = m_last_seen ? std::max(*m_last_seen, m_watching_since) : m_watching_since;
    return reference + m_parameters.timeout;
}

NoDataVerdict NoData::check(TimePoint now) noexcept {
    const TimePoint until = deadline();
    const bool silent = now >= until;
    NoDataVerdict verdict{.silent = silent,
                          .changed = silent != m_silent,
                          .silent_since = silent ? std::optional<TimePoint>(until) : std::nullopt,
                          .last_seen = m_last_seen};
    m_silent = silent;
    return verdict;
}

} // namespace dtwin::core::detectors
