#include "core/detectors/spike_and_dip.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <string>

namespace dtwin::core::detectors {

namespace {

// ML.NET keeps p-values inside (0, 1) so that later logarithms (its martingales) stay finite;
// we keep the same clamp so that scores compare equal.
constexpr double k_min_score = 1e-8;
constexpr double k_max_score = 1.0 - k_min_score;
constexpr std::size_t k_max_history_size = 100000;

double side_score(double upper_tail, SpikeAndDipMode mode) noexcept {
    switch (mode) {
    case SpikeAndDipMode::spikes:
        return upper_tail;
    case SpikeAndDipMode::dips:
        return 1.0 - upper_tail;
    case SpikeAndDipMode::spikes_and_dips:
        return std::min(upper_tail, 1.0 - upper_tail);
    }
    return upper_tail; // unreachable for valid enumerators
}

} // namespace

std::string_view spike_and_dip_mode_name(SpikeAndDipMode mode) noexcept {
    switch (mode) {
    case SpikeAndDipMode::spikes:
        return "spikes";
    case SpikeAndDipMode::dips:
        return "dips";
    case SpikeAndDipMode::spikes_and_dips:
        return "spikesanddips";
    }
    return "spikesanddips"; // unreachable for valid enumerators
}

std::optional<SpikeAndDipMode> parse_spike_and_dip_mode(std::string_view text) noexcept {
    for (const auto mode : {SpikeAndDipMode::spikes, SpikeAndDipMode::dips, SpikeAndDipMode::spikes_and_dips}) {
        if (text == spike_and_dip_mode_name(mode)) {
            return mode;
        }
    }
    return std::nullopt;
}

Result<void> validate(const SpikeAndDipParameters& parameters) {
    // Written as !(inside) so that NaN fails too.
    if (!(parameters.confidence >= 1.0 && parameters.confidence <= 100.0)) {
        return fail(ErrorCode::invalid_value,
                    "must be a percentage from 1 to 100, got " + std::to_string(parameters.confidence), "confidence");
    }
    if (parameters.history_size < 1 || parameters.history_size > k_max_history_size) {
        return fail(ErrorCode::invalid_value,
                    "must be from 1 to " + std::to_string(k_max_history_size) + ", got " +
                        std::to_string(parameters.history_size),
                    "history_size");
    }
    if (parameters.window && parameters.window->count() <= 0) {
        return fail(ErrorCode::invalid_value, "must be a positive duration", "window");
    }
    if (!(parameters.min_bandwidth > 0.0 && std::isfinite(parameters.min_bandwidth))) {
        return fail(ErrorCode::invalid_value, "must be a positive finite number", "min_bandwidth");
    }
    return {};
}

SpikeAndDip::SpikeAndDip(SpikeAndDipParameters parameters)
    : m_parameters(parameters), m_threshold(1.0 - parameters.confidence / 100.0) {
    if (auto valid = validate(m_parameters); !valid) {
        throw std::invalid_argument("spike-and-dip detector: " + valid.error().to_string());
    }
}

void SpikeAndDip::drop_expired(TimePoint now) {
    if (!m_parameters.window) {
        return;
    }
    // Kept: age < window, i.e. time > now - window. Times increase along the history.
    const TimePoint too_old = now - *m_parameters.window;
    const auto first_kept = std::ranges::upper_bound(m_times, too_old);
    const auto count = std::distance(m_times.begin(), first_kept);
    m_times.erase(m_times.begin(), first_kept);
    m_values.erase(m_values.begin(), m_values.begin() + count);
}

SpikeAndDipVerdict SpikeAndDip::update(double value, TimePoint source_time) {
    SpikeAndDipVerdict verdict;
    if (!std::isfinite(value)) {
        verdict.use = SampleUse::ignored_not_finite;
        return verdict;
    }
    if (m_last_time && source_time <= *m_last_time) {
        verdict.use = SampleUse::ignored_not_newer;
        return verdict;
    }
    m_last_time = source_time;
    drop_expired(source_time);

    const double upper_tail = kernel_upper_tail_p_value(m_values, value, m_parameters.min_bandwidth);
    verdict.score = std::clamp(side_score(upper_tail, m_parameters.mode), k_min_score, k_max_score);
    verdict.history_used = m_values.size();

    m_values.push_back(value);
    m_times.push_back(source_time);
    if (m_values.size() > m_parameters.history_size) {
        m_values.erase(m_values.begin());
        m_times.erase(m_times.begin());
    }
    verdict.history_full = m_values.size() == m_parameters.history_size;
    verdict.is_anomaly = verdict.history_full && verdict.score <= m_threshold;
    return verdict;
}

void SpikeAndDip::reset() noexcept {
    m_values.clear();
    m_times.clear();
    m_last_time.reset();
}

} // namespace dtwin::core::detectors
