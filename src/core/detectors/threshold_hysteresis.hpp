// Threshold with hysteresis: a condition that starts when a value crosses one threshold
// and ends only when it comes back past another, so that a value hovering at the limit
// does not start and clear an alert on every sample.
//
//   above     starts when value > high, clears when value < low
//   below     starts when value < low,  clears when value > high
//   absolute  as above, on |value|: the prototype's slam, |gyro| > 65 deg/s in either
//             swing direction (one of the original builds tested gyro > 65 and missed
//             slams the other way)
//
// Both comparisons are strict. Between low and high the state stays as it is; with
// low == high (the default, the prototype's single threshold) a value exactly at the
// threshold keeps the state. The defaults are the prototype's slam rule.
//
// Samples that are not finite, or not newer than the last used sample, are ignored
// (sample_use.hpp). The state starts inactive.
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/detectors/sample_use.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <optional>
#include <string_view>

namespace dtwin::core::detectors {

/// Which way of crossing counts.
enum class ThresholdDirection {
    above,   ///< the value rising above high
    below,   ///< the value falling below low
    absolute ///< |value| rising above high (either sign)
};

/// "above", "below" or "abs" (the config spelling).
[[nodiscard]] std::string_view threshold_direction_name(ThresholdDirection direction) noexcept;

/// Parses "above", "below" or "abs" (also "absolute"); nullopt for anything else.
[[nodiscard]] std::optional<ThresholdDirection> parse_threshold_direction(std::string_view text) noexcept;

/// Thresholds in the value's unit. Required: both finite, low <= high; for absolute
/// also low >= 0 (|value| could never fall below a negative low).
struct ThresholdHysteresisParameters {
    ThresholdDirection direction = ThresholdDirection::absolute;
    double high = 65.0; ///< above/absolute: starts above this; below: clears above this
    double low = 65.0;  ///< above/absolute: clears below this; below: starts below this
};

/// Checks the rules on ThresholdHysteresisParameters; the error names the field.
[[nodiscard]] Result<void> validate(const ThresholdHysteresisParameters& parameters);

/// The state after one sample.
struct ThresholdVerdict {
    SampleUse use = SampleUse::used;
    bool active = false;  ///< the condition holds after this sample (unchanged when ignored)
    bool changed = false; ///< this sample started (active) or cleared (!active) it
};

class ThresholdHysteresis {
public:
    /// @throws std::invalid_argument when validate(parameters) fails.
    explicit ThresholdHysteresis(ThresholdHysteresisParameters parameters = {});

    /// Applies @p value measured at @p source_time.
    ThresholdVerdict update(double value, TimePoint source_time) noexcept;

    [[nodiscard]] bool active() const noexcept { return m_active; }

    /// Back to inactive with no last source time.
    void reset() noexcept;

    [[nodiscard]] const ThresholdHysteresisParameters& parameters() const noexcept { return m_parameters; }

private:
    [[nodiscard]] bool next_state(double value) const noexcept;

    ThresholdHysteresisParameters m_parameters;
    bool m_active = false;
    std::optional<TimePoint> m_last_time;
};

} // namespace dtwin::core::detectors
