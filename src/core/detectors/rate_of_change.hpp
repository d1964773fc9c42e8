// Rate of change: flags a value that moved faster than a limit since the previous sample.
//
//   rate = (value - previous value) / (source time - previous source time), per second
//   anomaly iff |rate| > max_rate_per_second
//
// The rate is taken between consecutive used samples by source time, so a backlog that
// arrives late but in order yields the rates that really happened. The first sample has
// no rate and is never an anomaly. A sample whose source time is not newer than the
// previous used one is ignored (an older one arrived out of order; one at the same instant
// has no defined rate), as are NaN and infinities; the previous sample stays the
// reference.
//
// The default limit mirrors the prototype's slam threshold, 65 deg/s: fed the door angle,
// this detector checks the angular speed the gyro measures, from the integrated angle.
// The prototype has no rate rule of its own.
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/detectors/sample_use.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <optional>

namespace dtwin::core::detectors {

struct RateOfChangeParameters {
    /// Limit on |dv/dt| in the value's unit per second; >= 0 and finite.
    double max_rate_per_second = 65.0;
};

/// Checks the rule on RateOfChangeParameters; the error names the field.
[[nodiscard]] Result<void> validate(const RateOfChangeParameters& parameters);

struct RateOfChangeVerdict {
    SampleUse use = SampleUse::used;
    /// dv/dt since the previous used sample, per second; nullopt for the first sample
    /// and for ignored ones.
    std::optional<double> rate_per_second;
    /// |rate| > max_rate_per_second.
    bool is_anomaly = false;
};

class RateOfChange {
public:
    /// @throws std::invalid_argument when validate(parameters) fails.
    explicit RateOfChange(RateOfChangeParameters parameters = {});

    /// Judges @p value measured at @p source_time against the previous used sample.
    RateOfChangeVerdict update(double value, TimePoint source_time) noexcept;

    /// Forgets the previous sample: the next one has no rate.
    void reset() noexcept { m_previous.reset(); }

    [[nodiscard]] const RateOfChangeParameters& parameters() const noexcept { return m_parameters; }

private:
    struct Sample {
        double value;
        TimePoint time;
    };

    RateOfChangeParameters m_parameters;
    std::optional<Sample> m_previous;
};

} // namespace dtwin::core::detectors
