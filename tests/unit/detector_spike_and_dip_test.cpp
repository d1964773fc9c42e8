// Spike-and-dip detector (core/detectors/spike_and_dip.hpp): replays fixed sequences and
// checks the exact indices flagged and the scores.
//
// Where the expected scores come from:
// - "hand": the closed form of the kernel p-value. With h = sqrt(2) * sigma the upper tail
//   is the mean of 1 - Phi((x - x_i) / sigma), read from a standard normal table; these
//   carry the 1e-7 tolerance of the erf approximation (A&S 7.1.26, |error| <= 1.5e-7).
// - "ML.NET": a Python restatement of ML.NET's IidSpikeDetector state machine
//   (ComputeKernelPValue with its running sum of squared distances, float buffer, the same
//   erf approximation, side handling, clamp to [1e-8, 1 - 1e-8], alerts only once the
//   buffer is full, p <= 1 - confidence / 100), run on the same sequences; printed with
//   repr() and compared here to 1e-12. detector_spike_and_dip_reference_test.cpp runs the
//   same restatement in C++ against the detector on long random sequences.
#include "core/detectors/kernel_density_p_value.hpp"
#include "core/detectors/spike_and_dip.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <gtest/gtest.h>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace dtwin::core;
using namespace dtwin::core::detectors;
using namespace std::chrono_literals;

namespace {

const TimePoint k_start = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};

// A deterministic "noisy flat" CO2 trace: 600 ppm plus a repeating pattern in -4..4 ppm
// (mean 0, population standard deviation 2.57).
constexpr double k_noise[] = {0, 3, -2, 1, -4, 2, -1, 4, -3, 0};

std::vector<double> noisy_flat(std::size_t count, double base = 600.0) {
    std::vector<double> values;
    for (std::size_t i = 0; i < count; ++i) {
        values.push_back(base + k_noise[i % 10]);
    }
    return values;
}

// The detector as ML.NET runs it: no time bound, so only the count limits the history.
SpikeAndDipParameters count_only(std::size_t history_size, SpikeAndDipMode mode = SpikeAndDipMode::spikes_and_dips,
                                 double confidence = 99.0) {
    return SpikeAndDipParameters{.confidence = confidence,
                                 .history_size = history_size,
                                 .mode = mode,
                                 .window = std::nullopt,
                                 .min_bandwidth = k_default_min_bandwidth};
}

// Feeds values[i] at k_start + i * step (the room nodes send every 5 s).
std::vector<SpikeAndDipVerdict> replay(SpikeAndDip& detector, const std::vector<double>& values,
                                       std::chrono::microseconds step = 5s) {
    std::vector<SpikeAndDipVerdict> verdicts;
    for (std::size_t i = 0; i < values.size(); ++i) {
        verdicts.push_back(detector.update(values[i], k_start + static_cast<long>(i) * step));
    }
    return verdicts;
}

std::vector<std::size_t> flagged(const std::vector<SpikeAndDipVerdict>& verdicts) {
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        if (verdicts[i].is_anomaly) {
            indices.push_back(i);
        }
    }
    return indices;
}

using Indices = std::vector<std::size_t>;

// --- the kernel p-value ----------------------------------------------------------------

TEST(KernelDensityPValue, ErfApproximationStaysWithinItsPublishedError) {
    for (double x = -6.0; x <= 6.0; x += 0.01) {
        EXPECT_NEAR(approximate_erf(x), std::erf(x), 1.5e-7) << x;
        EXPECT_EQ(approximate_erf(-x), -approximate_erf(x)) << x;
    }
    EXPECT_EQ(approximate_erf(std::numeric_limits<double>::infinity()), 1.0);
    EXPECT_EQ(approximate_erf(-std::numeric_limits<double>::infinity()), -1.0);
    // The approximation's value at 0 (ML.NET: 9.999999717180685e-10), visible in scores.
    EXPECT_NEAR(approximate_erf(0.0), 9.999999717180685e-10, 1e-20);
}

TEST(KernelDensityPValue, BandwidthIsSqrtTwoTimesThePopulationStandardDeviation) {
    const double sqrt2 = std::sqrt(2.0);
    EXPECT_DOUBLE_EQ(kernel_bandwidth(std::vector<double>{5.0}, 1e-6), sqrt2); // one value: sigma 1
    EXPECT_DOUBLE_EQ(kernel_bandwidth(std::vector<double>{0.0, 2.0}, 1e-6), sqrt2 * 1.0);
    // 2, 4, 4, 4, 5, 5, 7, 9: the textbook population standard deviation 2.
    EXPECT_DOUBLE_EQ(kernel_bandwidth(std::vector<double>{2, 4, 4, 4, 5, 5, 7, 9}, 1e-6), sqrt2 * 2.0);
    EXPECT_EQ(kernel_bandwidth(std::vector<double>{600, 600, 600}, 1e-6), 1e-6); // flat: the floor
    EXPECT_EQ(kernel_bandwidth(std::vector<double>{600, 600, 600}, 1.0), 1.0);
}

TEST(KernelDensityPValue, MatchesTheNormalTableAndMlNet) {
    // Empty history: 1/2.
    EXPECT_EQ(kernel_upper_tail_p_value({}, 42.0), 0.5);
    // History {10}, x = 11: sigma 1, one sigma above: 1 - Phi(1) = 0.158655 (hand).
    const double one_sigma = kernel_upper_tail_p_value(std::vector<double>{10.0}, 11.0);
    EXPECT_NEAR(one_sigma, 0.158655, 1e-6);
    EXPECT_NEAR(one_sigma, 0.15865526383236372, 1e-12); // ML.NET
    // History {0, 2}, x = 3: sigma 1; (1 - Phi(3) + 1 - Phi(1)) / 2 = (0.0013499 + 0.1586553) / 2.
    const double mixed = kernel_upper_tail_p_value(std::vector<double>{0.0, 2.0}, 3.0);
    EXPECT_NEAR(mixed, 0.0800026, 1e-6);
    EXPECT_NEAR(mixed, 0.08000261555683924, 1e-12); // ML.NET
    // Below the history the upper tail is near 1 (a dip), in the middle 1/2.
    EXPECT_NEAR(kernel_upper_tail_p_value(std::vector<double>{0.0, 2.0}, -1.0), 1.0 - 0.0800026, 1e-6);
    EXPECT_NEAR(kernel_upper_tail_p_value(std::vector<double>{0.0, 2.0}, 1.0), 0.5, 1e-9);
}

// --- replayed sequences --------------------------------------------------------------------

TEST(SpikeAndDip, FlagsTheSpikeAndTheDipAndNothingOfTheNoisyFlatPart) {
    auto values = noisy_flat(80);
    values[40] = 900.0; // spike
    values[60] = 300.0; // dip
    SpikeAndDip detector(count_only(20));
    const auto verdicts = replay(detector, values);
    EXPECT_EQ(flagged(verdicts), (Indices{40, 60}));

    EXPECT_EQ(verdicts[40].score, 1e-8); // clamped, as ML.NET
    // ML.NET:
    EXPECT_NEAR(verdicts[60].score, 2.192672850176436e-06, 1e-12);
    // Right after the spike it is in the history and widens the kernel: ordinary again.
    EXPECT_NEAR(verdicts[41].score, 0.4923585992550479, 1e-12); // ML.NET
    // Steady state of the noise: the lowest score of a cycle is far above 0.01.
    EXPECT_NEAR(verdicts[27].score, 0.129190513750908, 1e-12); // ML.NET
    EXPECT_EQ(verdicts[27].history_used, 20U);
}

TEST(SpikeAndDip, ModeSelectsTheSide) {
    auto values = noisy_flat(80);
    values[40] = 900.0;
    values[60] = 300.0;
    SpikeAndDip spikes(count_only(20, SpikeAndDipMode::spikes));
    SpikeAndDip dips(count_only(20, SpikeAndDipMode::dips));
    const auto spike_verdicts = replay(spikes, values);
    const auto dip_verdicts = replay(dips, values);
    EXPECT_EQ(flagged(spike_verdicts), (Indices{40}));
    EXPECT_EQ(flagged(dip_verdicts), (Indices{60}));
    // spikes = upper tail, dips = its complement (ML.NET values).
    EXPECT_NEAR(spike_verdicts[2].score, 0.954179799338863, 1e-12);
    EXPECT_NEAR(dip_verdicts[2].score, 0.04582020066113701, 1e-12);
    EXPECT_NEAR(spike_verdicts[60].score, 0.9999978073271498, 1e-12);
    EXPECT_NEAR(dip_verdicts[40].score, 0.99999999, 1e-15); // 1 - 1e-8: the upper clamp
}

TEST(SpikeAndDip, NoAnomalyUntilTheHistoryIsFull) {
    // ML.NET alerts only once its buffer is full after adding the sample: with history 20
    // that is from index 19 on, scored against the 19 values before it.
    auto values = noisy_flat(40);
    values[1] = 603.0; // already in the pattern: 3 sigma above the single value 600
    SpikeAndDip detector(count_only(20));
    auto verdicts = replay(detector, values);
    EXPECT_EQ(verdicts[0].score, 0.5); // empty history
    EXPECT_EQ(verdicts[0].history_used, 0U);
    // 1 - Phi(3) = 0.00135 (hand) is below 0.01, yet no anomaly: warming up.
    EXPECT_NEAR(verdicts[1].score, 0.0013499672813147567, 1e-12);
    EXPECT_FALSE(verdicts[1].is_anomaly);
    EXPECT_FALSE(verdicts[1].history_full);
    EXPECT_TRUE(flagged(verdicts).empty());

    auto at_18 = noisy_flat(40);
    at_18[18] = 900.0;
    SpikeAndDip early(count_only(20));
    verdicts = replay(early, at_18);
    EXPECT_EQ(verdicts[18].score, 1e-8);
    EXPECT_FALSE(verdicts[18].history_full);
    EXPECT_TRUE(flagged(verdicts).empty());

    auto at_19 = noisy_flat(40);
    at_19[19] = 900.0;
    SpikeAndDip first(count_only(20));
    verdicts = replay(first, at_19);
    EXPECT_EQ(verdicts[19].history_used, 19U);
    EXPECT_TRUE(verdicts[19].history_full);
    EXPECT_EQ(flagged(verdicts), (Indices{19}));
}

TEST(SpikeAndDip, ConfidenceSetsTheThreshold) {
    auto values = noisy_flat(60);
    values[40] = 606.0; // a bump 2 ppm above the noise's maximum; ML.NET score 0.0406
    for (const auto& [confidence, expected] :
         {std::pair{90.0, Indices{40}}, std::pair{95.0, Indices{40}}, std::pair{99.0, Indices{}}}) {
        SpikeAndDip detector(count_only(20, SpikeAndDipMode::spikes_and_dips, confidence));
        EXPECT_DOUBLE_EQ(detector.alert_threshold(), 1.0 - confidence / 100.0);
        const auto verdicts = replay(detector, values);
        EXPECT_NEAR(verdicts[40].score, 0.04064187335204672, 1e-12);
        EXPECT_EQ(flagged(verdicts), expected) << "confidence " << confidence;
    }
    // 100 % never fires: no score is below 1e-8.
    values[40] = 1e6;
    SpikeAndDip never(count_only(20, SpikeAndDipMode::spikes_and_dips, 100.0));
    EXPECT_TRUE(flagged(replay(never, values)).empty());
}

TEST(SpikeAndDip, PrototypeSettingsCatchACo2SpikeOnce) {
    // Confidence 99, history 120, window 1000 s, samples every 5 s (the prototype's CO2).
    auto values = noisy_flat(300);
    values[200] = 1400.0;
    SpikeAndDip detector; // defaults
    const auto verdicts = replay(detector, values);
    EXPECT_EQ(flagged(verdicts), (Indices{200}));
    EXPECT_NEAR(verdicts[201].score, 0.48786999835756445, 1e-12); // ML.NET

    // The same spike during warm-up (index 50 < 119) is scored but not flagged.
    values = noisy_flat(300);
    values[50] = 1400.0;
    SpikeAndDip warming;
    const auto warming_verdicts = replay(warming, values);
    EXPECT_EQ(warming_verdicts[50].score, 1e-8);
    EXPECT_TRUE(flagged(warming_verdicts).empty());
}

TEST(SpikeAndDip, SlowRiseIsNotASpike) {
    // ML.NET's detector compares each value with the history *including the rise so far*:
    // a slow rise carries its history along, and the kernel widens with it. From index 150
    // the trace rises 0.2 ppm per sample (2.4 ppm a minute, +90 ppm in 37 minutes) on top
    // of the -4..4 noise. ML.NET flags nothing; its lowest score is 0.0119 (index 177, a
    // noise peak), just above 0.01.
    std::vector<double> values = noisy_flat(600);
    for (std::size_t i = 150; i < values.size(); ++i) {
        values[i] += 0.2 * static_cast<double>(i - 149);
    }
    SpikeAndDip detector;
    const auto verdicts = replay(detector, values);
    EXPECT_TRUE(flagged(verdicts).empty());
    // The rise makes values like 605.4 that float cannot hold: ML.NET, which rounds its
    // input to float, scores 0.011876650959423363; the same algorithm in double (ours)
    // 0.01187642842374892. The only visible effect of keeping doubles: 2e-7 on a score.
    EXPECT_NEAR(verdicts[177].score, 0.01187642842374892, 1e-12); // ML.NET's algorithm in double
    EXPECT_NEAR(verdicts[177].score, 0.011876650959423363, 1e-6); // ML.NET
}

TEST(SpikeAndDip, FasterRiseIsFlaggedOnlyAtItsNoisePeaksNearTheOnset) {
    // 1 ppm per sample leaves the flat history faster than the history follows: ML.NET
    // flags the noise peaks of the first 25 samples of the rise, then nothing once the
    // history is mostly rise (ML.NET flags exactly these indices).
    std::vector<double> values = noisy_flat(600);
    for (std::size_t i = 150; i < values.size(); ++i) {
        values[i] += 1.0 * static_cast<double>(i - 149);
    }
    SpikeAndDip detector;
    const auto verdicts = replay(detector, values);
    EXPECT_EQ(flagged(verdicts), (Indices{157, 161, 163, 165, 167, 171}));
    EXPECT_NEAR(verdicts[157].score, 0.000851810237793571, 1e-12); // ML.NET
    EXPECT_NEAR(verdicts[599].score, 0.11352574478586319, 1e-12);  // ML.NET
}

TEST(SpikeAndDip, SteadyRampScoresTheSameWhateverItsSlope) {
    // On a noiseless ramp the history is always the previous 120 steps: x - x_i = k * step
    // and sigma = step * sqrt((120^2 - 1) / 12), so the step cancels. The score is a
    // constant of the history size, 0.1131 for 120 (ML.NET, any slope), far above 0.01:
    // ML.NET never flags a ramp once the history holds only the ramp.
    for (const double step : {2.0, 7.0, 0.25}) {
        std::vector<double> values;
        for (int i = 0; i < 300; ++i) {
            values.push_back(400.0 + step * i);
        }
        SpikeAndDip detector;
        const auto verdicts = replay(detector, values);
        EXPECT_TRUE(flagged(verdicts).empty()) << step;
        EXPECT_NEAR(verdicts[130].score, 0.11306702731818619, 1e-9) << step;
        EXPECT_NEAR(verdicts[299].score, 0.11306702731818619, 1e-9) << step;
    }
}

TEST(SpikeAndDip, FlatHistoryMakesAnyChangeAnAnomalyUnlessTheBandwidthFloorIsRaised) {
    std::vector<double> values(30, 600.0);
    values.push_back(601.0);
    SpikeAndDip strict(count_only(20)); // ML.NET's floor 1e-6
    auto verdicts = replay(strict, values);
    EXPECT_EQ(flagged(verdicts), (Indices{30}));
    EXPECT_EQ(verdicts[30].score, 1e-8);
    // Every value equal to the history: approximate_erf(0) = 1e-9 shows (ML.NET: same).
    EXPECT_NEAR(verdicts[25].score, 0.4999999995, 1e-12);

    auto parameters = count_only(20);
    parameters.min_bandwidth = 1.0; // the sensor's resolution: 1 ppm
    SpikeAndDip tolerant(parameters);
    verdicts = replay(tolerant, values);
    EXPECT_TRUE(flagged(verdicts).empty());
    EXPECT_NEAR(verdicts[30].score, 0.07864965512620503, 1e-12); // 1/2 - erf(1)/2 (A&S)
}

TEST(SpikeAndDip, TimeWindowDropsStaleHistory) {
    SpikeAndDip detector; // history 120, window 1000 s
    auto values = noisy_flat(130);
    replay(detector, values); // t = 0 .. 645 s
    ASSERT_EQ(detector.history_count(), 120U);
    const TimePoint last = k_start + 129 * 5s;

    // 500 s of silence: the window (last - 500 s, last + 500 s] holds the samples at
    // last - 495 s .. last, 100 of the 120; the history is no longer full.
    auto verdict = detector.update(2000.0, last + 500s);
    EXPECT_EQ(verdict.history_used, 100U);
    EXPECT_FALSE(verdict.history_full);
    EXPECT_FALSE(verdict.is_anomaly); // a huge spike, but the detector is warming up again
    EXPECT_EQ(verdict.score, 1e-8);

    // A sample exactly 1000 s after the newest one: its age equals the window, so it goes
    // too, and the detector starts over.
    verdict = detector.update(600.0, last + 1500s);
    EXPECT_EQ(verdict.history_used, 0U);
    EXPECT_EQ(verdict.score, 0.5);
    EXPECT_EQ(detector.history_count(), 1U);
}

TEST(SpikeAndDip, IgnoredSamplesLeaveNoTrace) {
    auto values = noisy_flat(60);
    values[40] = 900.0;
    SpikeAndDip clean(count_only(20));
    const auto expected = replay(clean, values);

    SpikeAndDip detector(count_only(20));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < values.size(); ++i) {
        const TimePoint t = k_start + static_cast<long>(i) * 5s;
        const auto verdict = detector.update(values[i], t);
        EXPECT_EQ(verdict.is_anomaly, expected[i].is_anomaly) << i;
        EXPECT_EQ(verdict.score, expected[i].score) << i;
        if (i % 7 == 3) {
            const auto not_a_number = detector.update(nan, t + 1s);
            EXPECT_EQ(not_a_number.use, SampleUse::ignored_not_finite);
            EXPECT_TRUE(std::isnan(not_a_number.score));
            EXPECT_EQ(detector.update(-inf, t + 2s).use, SampleUse::ignored_not_finite);
            const auto late = detector.update(5000.0, t - 1s);
            EXPECT_EQ(late.use, SampleUse::ignored_not_newer);
            EXPECT_FALSE(late.is_anomaly);
            EXPECT_EQ(detector.update(values[i], t).use, SampleUse::ignored_not_newer); // repeat
        }
    }
}

TEST(SpikeAndDip, ResetStartsAWarmUp) {
    SpikeAndDip detector(count_only(5));
    replay(detector, noisy_flat(10));
    EXPECT_EQ(detector.history_count(), 5U);
    detector.reset();
    EXPECT_EQ(detector.history_count(), 0U);
    const auto verdict = detector.update(600.0, k_start); // earlier time accepted after reset
    EXPECT_EQ(verdict.use, SampleUse::used);
    EXPECT_EQ(verdict.score, 0.5);
}

// --- parameters ----------------------------------------------------------------------------

TEST(SpikeAndDip, RejectsParametersOutsideTheirRanges) {
    const auto rejects = [](SpikeAndDipParameters parameters, const char* field) {
        const auto result = validate(parameters);
        ASSERT_FALSE(result.has_value()) << field;
        EXPECT_EQ(result.error().code, ErrorCode::invalid_value);
        EXPECT_EQ(result.error().where, field);
        EXPECT_THROW(SpikeAndDip{parameters}, std::invalid_argument);
    };
    EXPECT_TRUE(validate(SpikeAndDipParameters{}).has_value());
    rejects({.confidence = 0.5}, "confidence");
    rejects({.confidence = 100.5}, "confidence");
    rejects({.confidence = std::numeric_limits<double>::quiet_NaN()}, "confidence");
    rejects({.history_size = 0}, "history_size");
    rejects({.history_size = 100001}, "history_size");
    rejects({.window = 0s}, "window");
    rejects({.window = -5s}, "window");
    rejects({.min_bandwidth = 0.0}, "min_bandwidth");
    rejects({.min_bandwidth = std::numeric_limits<double>::infinity()}, "min_bandwidth");
    EXPECT_TRUE(validate({.confidence = 1.0, .history_size = 1}).has_value());
    EXPECT_TRUE(validate({.confidence = 100.0, .window = std::nullopt}).has_value());
}

TEST(SpikeAndDip, ModesUseStreamAnalyticsSpelling) {
    EXPECT_EQ(parse_spike_and_dip_mode("spikes"), SpikeAndDipMode::spikes);
    EXPECT_EQ(parse_spike_and_dip_mode("dips"), SpikeAndDipMode::dips);
    EXPECT_EQ(parse_spike_and_dip_mode("spikesanddips"), SpikeAndDipMode::spikes_and_dips);
    EXPECT_EQ(parse_spike_and_dip_mode("spikes_and_dips"), std::nullopt);
    EXPECT_EQ(parse_spike_and_dip_mode(""), std::nullopt);
    EXPECT_EQ(spike_and_dip_mode_name(SpikeAndDipMode::spikes_and_dips), "spikesanddips");
}

} // namespace
