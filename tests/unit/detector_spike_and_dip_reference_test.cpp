// The spike-and-dip detector against a restatement of ML.NET's IidSpikeDetector, sample by
// sample, on long pseudo-random sequences: spikes, dips, level shifts, ramps and noise.
//
// MlNetIidSpikeReference below follows the structure of ML.NET's code path for
// IidSpikeDetector (SequentialAnomalyDetectionTransformBase.cs: ComputeKernelPValue and
// TransformCore with AlertingScore.PValueScore, MartingaleType.None), not ours: a float
// buffer, the bandwidth from a running sum of squared pairwise distances updated as values
// enter and leave, p-value accumulated by subtraction, side applied, clamp, then the
// buffer-full test. Our detector computes the bandwidth directly and keeps doubles, so the
// scores agree to rounding (1e-9 here) and the flagged samples exactly.
#include "core/detectors/spike_and_dip.hpp"
#include "core/time.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <gtest/gtest.h>
#include <limits>
#include <vector>

using namespace dtwin::core;
using namespace dtwin::core::detectors;
using namespace std::chrono_literals;

namespace {

class MlNetIidSpikeReference {
public:
    struct Output {
        double p_value;
        bool alert;
    };

    MlNetIidSpikeReference(double confidence, std::size_t window_size, SpikeAndDipMode side)
        : m_threshold(1 - confidence / 100), m_window_size(window_size), m_side(side) {}

    Output step(double input) {
        if (std::isnan(input)) {
            return {std::numeric_limits<double>::quiet_NaN(), false};
        }
        const auto raw = static_cast<float>(input); // ML.NET's input column is Single
        double p = kernel_p_value(raw);
        if (m_side == SpikeAndDipMode::dips) {
            p = 1 - p;
        } else if (m_side == SpikeAndDipMode::spikes_and_dips) {
            p = std::min(p, 1 - p);
        }
        p = std::clamp(p, 1e-8, 1 - 1e-8);
        m_buffer.push_back(raw);
        if (m_buffer.size() > m_window_size) {
            m_buffer.pop_front();
        }
        const bool full = m_buffer.size() == m_window_size;
        return {p, full && p <= m_threshold};
    }

private:
    static double erf_as(double x) {
        const double t = 1.0 / (1.0 + 0.3275911 * std::fabs(x));
        const double ev =
            1.0 -
            ((((((((1.061405429 * t) + -1.453152027) * t) + 1.421413741) * t) + -0.284496736) * t + 0.254829592) * t) *
                std::exp(-(x * x));
        return x >= 0 ? ev : -ev;
    }

    double kernel_p_value(float raw) {
        const std::size_t n = m_buffer.size();
        if (n == 0) {
            return 0.5;
        }
        const double x = raw;
        double bandwidth =
            std::sqrt(2.0) * (n == 1 ? 1.0 : std::sqrt(m_sum_squared_distances) / static_cast<double>(n));
        bandwidth = std::max(bandwidth, 1e-6);
        double p = 0;
        for (const float past : m_buffer) {
            const double diff = x - past;
            p -= erf_as(diff / bandwidth);
            m_sum_squared_distances += diff * diff;
        }
        p = 0.5 + p / (2.0 * static_cast<double>(n));
        if (n == m_window_size) { // the oldest value leaves: remove its distances
            for (std::size_t i = 1; i < n; ++i) {
                const double diff = static_cast<double>(m_buffer[0]) - m_buffer[i];
                m_sum_squared_distances -= diff * diff;
            }
            const double diff = static_cast<double>(m_buffer[0]) - x;
            m_sum_squared_distances -= diff * diff;
        }
        return p;
    }

    double m_threshold;
    std::size_t m_window_size;
    SpikeAndDipMode m_side;
    std::deque<float> m_buffer;
    double m_sum_squared_distances = 0;
};

// A small deterministic generator (64-bit LCG, Knuth's constants): same sequence everywhere.
class Lcg {
public:
    explicit Lcg(std::uint64_t seed) : m_state(seed) {}
    std::uint32_t next() {
        m_state = m_state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(m_state >> 33);
    }
    int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint32_t>(hi - lo + 1)); }

private:
    std::uint64_t m_state;
};

// Whole-ppm values (exact in float, so ML.NET's rounding to Single changes nothing):
// noise, occasional spikes and dips, level shifts and ramps.
std::vector<double> co2_like_trace(std::uint64_t seed, std::size_t count) {
    Lcg random(seed);
    std::vector<double> values;
    double level = 600;
    double slope = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const int event = random.uniform(0, 999);
        if (event < 5) {
            level += random.uniform(-150, 150); // level shift
        } else if (event < 10) {
            slope = random.uniform(-3, 3); // a ramp starts or changes
        } else if (event < 15) {
            slope = 0;
        }
        level = std::clamp(level + slope, 300.0, 3000.0);
        double value = std::round(level) + random.uniform(-6, 6);
        if (event >= 990) {
            value += random.uniform(100, 800); // spike
        } else if (event >= 980) {
            value -= random.uniform(100, 250); // dip
        }
        values.push_back(value);
    }
    return values;
}

struct Comparison {
    std::size_t anomalies = 0;
    std::size_t samples = 0;
};

Comparison compare(const std::vector<double>& values, double confidence, std::size_t history_size,
                   SpikeAndDipMode mode) {
    const TimePoint start = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};
    SpikeAndDip detector(
        {.confidence = confidence, .history_size = history_size, .mode = mode, .window = std::nullopt});
    MlNetIidSpikeReference reference(confidence, history_size, mode);
    Comparison result;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto ours = detector.update(values[i], start + static_cast<long>(i) * 5s);
        const auto theirs = reference.step(values[i]);
        if (std::fabs(ours.score - theirs.p_value) > 1e-9 || ours.is_anomaly != theirs.alert) {
            // Report the first divergence only: everything after it follows from it.
            ADD_FAILURE() << "sample " << i << " (value " << values[i] << "), history " << history_size << ", mode "
                          << spike_and_dip_mode_name(mode) << ", confidence " << confidence << ": score " << ours.score
                          << " vs ML.NET " << theirs.p_value << ", anomaly " << ours.is_anomaly << " vs "
                          << theirs.alert;
            return result;
        }
        result.anomalies += ours.is_anomaly ? 1 : 0;
        ++result.samples;
    }
    return result;
}

TEST(SpikeAndDipReference, SameScoresAndAnomaliesAsMlNetOnRandomTraces) {
    std::size_t anomalies = 0;
    for (const std::uint64_t seed : {1U, 2U, 3U}) {
        const auto values = co2_like_trace(seed, 3000);
        for (const std::size_t history_size : {1U, 2U, 3U, 10U, 120U}) {
            for (const auto mode : {SpikeAndDipMode::spikes, SpikeAndDipMode::dips, SpikeAndDipMode::spikes_and_dips}) {
                for (const double confidence : {90.0, 99.0}) {
                    const auto result = compare(values, confidence, history_size, mode);
                    EXPECT_EQ(result.samples, values.size()); // no divergence cut it short
                    anomalies += result.anomalies;
                }
            }
        }
    }
    // The comparison means something only if both sides flagged plenty.
    EXPECT_GT(anomalies, 1000U);
}

TEST(SpikeAndDipReference, NanIsSkippedByBoth) {
    auto values = co2_like_trace(7, 500);
    for (std::size_t i = 3; i < values.size(); i += 11) {
        values[i] = std::numeric_limits<double>::quiet_NaN();
    }
    const TimePoint start = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};
    SpikeAndDip detector({.history_size = 30, .window = std::nullopt});
    MlNetIidSpikeReference reference(99.0, 30, SpikeAndDipMode::spikes_and_dips);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto ours = detector.update(values[i], start + static_cast<long>(i) * 5s);
        const auto theirs = reference.step(values[i]);
        EXPECT_EQ(std::isnan(ours.score), std::isnan(theirs.p_value)) << i;
        if (!std::isnan(theirs.p_value)) {
            EXPECT_NEAR(ours.score, theirs.p_value, 1e-9) << i;
        }
        EXPECT_EQ(ours.is_anomaly, theirs.alert) << i;
    }
}

} // namespace
