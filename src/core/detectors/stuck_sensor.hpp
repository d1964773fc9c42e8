// Stuck sensor: the same value, within epsilon, for N consecutive samples. A live sensor
// has noise; a flat line usually means a frozen driver, a dead bus or a device resending
// its last reading.
//
// A run starts at a sample (its anchor) and goes on while each later sample is within
// epsilon of the anchor (|value - anchor| <= epsilon). Comparing with the anchor, not
// with the previous sample, keeps a slow drift from counting as flat. The detector is
// active while the current run has at least min_samples samples; the first sample outside
// the band clears it and anchors a new run of length 1.
//
// A sample not newer than the previous used one is ignored (out of order, or a repeat of
// the same instant, which must not lengthen the run), as are NaN and infinities.
//
// The prototype has no stuck-sensor rule; the defaults are ours: 60 samples (5 minutes
// of a room node that sends every 5 s) of exactly the same value (epsilon 0). A sensor
// that reports whole numbers (the MH-Z19's ppm) can repeat itself for a while in a
// steady room: give it a larger min_samples rather than an epsilon.
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/detectors/sample_use.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <cstddef>
#include <optional>

namespace dtwin::core::detectors {

struct StuckSensorParameters {
    /// Samples in a run (the anchor included) from which the sensor counts as stuck; >= 2.
    std::size_t min_samples = 60;
    /// Largest |value - anchor| still in the run, in the value's unit; >= 0 and finite.
    double epsilon = 0.0;
};

/// Checks the rules on StuckSensorParameters; the error names the field.
[[nodiscard]] Result<void> validate(const StuckSensorParameters& parameters);

struct StuckSensorVerdict {
    SampleUse use = SampleUse::used;
    bool active = false;        ///< stuck after this sample (unchanged when ignored)
    bool changed = false;       ///< this sample made it stuck (active) or ended it (!active)
    std::size_t run_length = 0; ///< samples in the current run, this one included
};

class StuckSensor {
public:
    /// @throws std::invalid_argument when validate(parameters) fails.
    explicit StuckSensor(StuckSensorParameters parameters = {});

    /// Extends or restarts the run with @p value measured at @p source_time.
    StuckSensorVerdict update(double value, TimePoint source_time) noexcept;

    [[nodiscard]] bool active() const noexcept { return m_run_length >= m_parameters.min_samples; }

    /// Source time of the current run's first sample (for "flat since ..."); nullopt
    /// before the first sample.
    [[nodiscard]] std::optional<TimePoint> run_started_at() const noexcept { return m_run_start; }

    /// Forgets the run and the last source time.
    void reset() noexcept;

    [[nodiscard]] const StuckSensorParameters& parameters() const noexcept { return m_parameters; }

private:
    StuckSensorParameters m_parameters;
    double m_anchor = 0.0;
    std::size_t m_run_length = 0;
    std::optional<TimePoint> m_run_start;
    std::optional<TimePoint> m_last_time;
};

} // namespace dtwin::core::detectors
