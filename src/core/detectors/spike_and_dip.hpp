// Spike-and-dip detector: flags a value that is improbable given a sliding history of the
// values before it, as Azure Stream Analytics' AnomalyDetection_SpikeAndDip(value,
// confidence, historySize, mode) OVER (LIMIT DURATION(...)) does. The prototype's build A
// ran it on each room's CO2 with confidence 99, history 120 samples, window 1000 s: those
// are the defaults here.
//
// Stream Analytics' implementation is closed; ML.NET's IidSpikeDetector
// (dotnet/machinelearning, IidSpikeDetector.cs and SequentialAnomalyDetectionTransformBase.cs)
// implements the same adaptive kernel density method in the open, and this class follows
// it sample for sample:
//
// - Score: the kernel density p-value of the value against the history
//   (kernel_density_p_value.hpp: bandwidth sqrt(2) * the history's standard deviation),
//   turned by the mode into the tail that matters: spikes = upper tail p, dips = lower
//   tail 1 - p, spikes and dips = min(p, 1 - p); then clamped to [1e-8, 1 - 1e-8]. Low
//   score = anomalous, as Stream Analytics' Score.
// - The history holds at most history_size values. The first sample scores 0.5 against
//   an empty history. Each score is computed against the history as it was (steady
//   state: the history_size values before the sample), then the sample enters the
//   history and the oldest leaves.
// - Warm-up: no anomaly until the history is full after the sample has entered it, i.e.
//   from the history_size-th sample on (0-based index history_size - 1, scored against
//   history_size - 1 values). Scores are reported during warm-up all the same.
// - Threshold: anomaly iff score <= 1 - confidence / 100 (ML.NET's comparison is <=).
//   In spikes-and-dips mode each tail is tested against the full threshold (ML.NET does
//   not halve it).
// - A NaN value is not scored and leaves the history alone, as in ML.NET.
//
// Where we differ from ML.NET, and why (also in docs/architecture.md, "Detectors"):
//
// - Time window (window): Stream Analytics bounds the history by time as well (LIMIT
//   DURATION); ML.NET has no notion of time. Before a sample is scored, history values
//   whose source time is window or more before it are dropped. After a silence longer
//   than the window the history is empty and the detector warms up again, rather than
//   comparing fresh values with stale ones. nullopt = no time bound (ML.NET exactly).
// - Infinities are ignored like NaN (ML.NET would let one into its running sums and
//   poison every later score); RangeCheck flags them.
// - Samples whose source time is not newer than the last used sample's are ignored:
//   the rules feed each source in event-time order, so such a sample is a late arrival
//   or a redelivery, and the time window needs increasing times. ML.NET has no source
//   time; Stream Analytics orders events by TIMESTAMP BY.
// - Values are kept as double; ML.NET rounds its input to float (a Single column).
//   Whole numbers such as ppm are exact either way; a value float cannot hold (605.4)
//   moves a score by about 1e-7.
// - The bandwidth comes from the history directly instead of ML.NET's running sum of
//   pairwise distances (the same number, without rounding drift).
// - min_bandwidth is a parameter (ML.NET's fixed 1e-6 by default). With the default a
//   perfectly flat history (a sensor reporting 600 ppm 120 times) makes any change, even
//   by 1 ppm, an anomaly; a deployment can set the sensor's resolution instead.
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/detectors/kernel_density_p_value.hpp"
#include "core/detectors/sample_use.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace dtwin::core::detectors {

/// Which side of the distribution counts: Stream Analytics' mode argument.
enum class SpikeAndDipMode {
    spikes,         ///< only values above the history ("spikes")
    dips,           ///< only values below the history ("dips")
    spikes_and_dips ///< both ("spikesanddips")
};

/// "spikes", "dips" or "spikesanddips": Stream Analytics' spelling of the mode.
[[nodiscard]] std::string_view spike_and_dip_mode_name(SpikeAndDipMode mode) noexcept;

/// Parses Stream Analytics' mode strings (exact spelling); nullopt for anything else.
[[nodiscard]] std::optional<SpikeAndDipMode> parse_spike_and_dip_mode(std::string_view text) noexcept;

/// Settings of one detector; the defaults are the prototype's CO2 detector.
struct SpikeAndDipParameters {
    /// Percent in [1, 100]. Anomaly iff score <= 1 - confidence / 100. Higher = fewer
    /// anomalies; 100 never fires (scores never go below 1e-8).
    double confidence = 99.0;
    /// Number of past values the score is computed against, in [1, 100000] (the bound
    /// keeps the per-sample cost, linear in it, in check).
    std::size_t history_size = 120;
    SpikeAndDipMode mode = SpikeAndDipMode::spikes_and_dips;
    /// History values this old or older (by source time) are dropped before scoring.
    /// Must be > 0 when set; nullopt: the history is bounded by count only.
    std::optional<std::chrono::microseconds> window = std::chrono::seconds{1000};
    /// Smallest kernel bandwidth, in the value's unit; > 0 and finite.
    double min_bandwidth = k_default_min_bandwidth;
};

/// Checks @p parameters against the ranges documented on SpikeAndDipParameters.
/// The error (invalid_value) names the field in `where`.
[[nodiscard]] Result<void> validate(const SpikeAndDipParameters& parameters);

/// The detector's answer for one sample.
struct SpikeAndDipVerdict {
    SampleUse use = SampleUse::used;
    /// Score in [1e-8, 1 - 1e-8]: the p-value of the mode's tail; low = anomalous.
    /// NaN when the sample was ignored.
    double score = std::numeric_limits<double>::quiet_NaN();
    /// True iff the history was full after this sample and score <= the threshold.
    bool is_anomaly = false;
    /// The history held history_size values after this sample (warm-up is over).
    bool history_full = false;
    /// How many past values the score was computed against.
    std::size_t history_used = 0;
};

/// One spike-and-dip detector: one per (twin, property) stream.
class SpikeAndDip {
public:
    /// @throws std::invalid_argument when validate(parameters) fails (a bug or bad
    ///         config that start-up should have rejected).
    explicit SpikeAndDip(SpikeAndDipParameters parameters = {});

    /// Scores @p value measured at @p source_time, then adds it to the history. Ignored
    /// (no effect, score NaN) when not finite or not newer than the last used sample.
    SpikeAndDipVerdict update(double value, TimePoint source_time);

    /// Forgets the history and the last source time: the next sample starts a warm-up.
    void reset() noexcept;

    /// Values currently in the history (at most history_size).
    [[nodiscard]] std::size_t history_count() const noexcept { return m_values.size(); }

    /// 1 - confidence / 100: the score at or below which a sample is an anomaly.
    [[nodiscard]] double alert_threshold() const noexcept { return m_threshold; }

    [[nodiscard]] const SpikeAndDipParameters& parameters() const noexcept { return m_parameters; }

private:
    void drop_expired(TimePoint now);

    SpikeAndDipParameters m_parameters;
    double m_threshold;
    std::vector<double> m_values;   ///< history, oldest first
    std::vector<TimePoint> m_times; ///< source time of each history value
    std::optional<TimePoint> m_last_time;
};

} // namespace dtwin::core::detectors
