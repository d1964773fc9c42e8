// Range check: a value outside what the sensor can physically report, e.g. the MH-Z19's
// 0..5000 ppm (the default), a relative humidity above 100 %, or NaN and infinities,
// which no sensor measures. Such a value is a fault of the sensor or of its transport,
// not a state of the room.
//
// In range iff min <= value <= max (both bounds inclusive). NaN and infinities are always
// out of range, whatever the bounds. The check itself needs no history; the class only
// ignores samples that are not newer than the last used one, so that its verdict, like
// every detector's here, describes the sensor's newest reading and a late sample cannot
// clear (or raise) it.
//
// Threads: not synchronised; one owner. classify() is const and may be called from any
// thread.
#pragma once

#include "core/detectors/sample_use.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <optional>
#include <string_view>

namespace dtwin::core::detectors {

/// How a value lies against the range.
enum class RangeViolation {
    none,      ///< min <= value <= max
    below,     ///< value < min
    above,     ///< value > max
    not_finite ///< NaN or an infinity
};

/// "none", "below", "above" or "not_finite".
[[nodiscard]] std::string_view range_violation_name(RangeViolation violation) noexcept;

/// Physical bounds in the value's unit; the defaults are the MH-Z19's. Required: no NaN,
/// min <= max. Infinite bounds are allowed for a one-sided range.
struct RangeCheckParameters {
    double min = 0.0;
    double max = 5000.0;
};

/// Checks the rules on RangeCheckParameters; the error names the field.
[[nodiscard]] Result<void> validate(const RangeCheckParameters& parameters);

struct RangeVerdict {
    SampleUse use = SampleUse::used; ///< never ignored_not_finite: non-finite is a violation
    RangeViolation violation = RangeViolation::none;
    /// violation != none (false when the sample was ignored).
    [[nodiscard]] bool is_anomaly() const noexcept { return violation != RangeViolation::none; }
};

class RangeCheck {
public:
    /// @throws std::invalid_argument when validate(parameters) fails.
    explicit RangeCheck(RangeCheckParameters parameters = {});

    /// Where @p value lies against the range; no state involved.
    [[nodiscard]] RangeViolation classify(double value) const noexcept;

    /// classify() for @p value measured at @p source_time, unless the sample is not newer
    /// than the last used one (then ignored_not_newer, violation none).
    RangeVerdict update(double value, TimePoint source_time) noexcept;

    /// Forgets the last source time.
    void reset() noexcept { m_last_time.reset(); }

    [[nodiscard]] const RangeCheckParameters& parameters() const noexcept { return m_parameters; }

private:
    RangeCheckParameters m_parameters;
    std::optional<TimePoint> m_last_time;
};

} // namespace dtwin::core::detectors
