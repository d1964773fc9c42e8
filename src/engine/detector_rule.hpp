// DetectorRule: the detector of one detector rule (RuleDefinition::detector) on one twin,
// kept by RuleRunner next to that (twin, rule)'s AlertTracker. It wraps the detector of
// src/core/detectors that the condition names and turns its verdicts into "the condition
// holds" plus the figures an alert carries in its values:
//
//   kind            holds while                                  figures
//   spike_and_dip   the last sample was a spike or dip           score (the p-value of its tail)
//   stuck_sensor    the current flat run has min_samples         run_length, stuck_since (ISO-8601,
//                                                                while stuck)
//   range           the last sample was outside [min, max]       violation ("above", "below", ...)
//   rate_of_change  |rate| since the previous sample > limit     rate_per_second (from the 2nd sample)
//   no_data         no sample for timeout (by check_silence())   last_seen, silent_since (ISO-8601)
//   threshold       crossed high (low for below) and not yet      threshold (the one it crossed
//                   back past the other threshold                 last: high or low)
//
// The value detectors take the sample's source time (event time); no_data takes receive
// times on the engine's clock, as its header asks: the caller's timers (on_timers(now))
// run on that clock, and a device without NTP has no usable source time.
//
// Threads: not synchronised; one owner (RuleRunner's).
#pragma once

#include "core/time.hpp"
#include "engine/rule_definition.hpp"

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <variant>

namespace dtwin::engine {

/// The property a detector condition watches.
[[nodiscard]] const std::string& detector_property(const DetectorCondition& condition) noexcept;

/// Whether @p condition is a no_data detector (driven by timers, not by values).
[[nodiscard]] bool is_no_data(const DetectorCondition& condition) noexcept;

class DetectorRule {
public:
    /// A fresh detector for @p condition (its parameters were validated at load time: an
    /// invalid one throws std::invalid_argument, a bug). A no_data detector starts
    /// watching at @p watching_since (a grace of one timeout before any sample).
    DetectorRule(const DetectorCondition& condition, core::TimePoint watching_since);

    /// A value detector is fed the property's numeric @p value measured at @p event_time.
    /// Returns whether the condition holds after it, or nullopt when the detector ignored
    /// the sample (not newer than its last one, or not finite): the tracker must not be
    /// fed then. Always nullopt for no_data.
    std::optional<bool> on_value(double value, core::TimePoint event_time);

    /// no_data: a sample of the property was received at @p report_time; it ends a
    /// silence. Returns false when it was not newer than the last one seen (or for the
    /// other kinds).
    bool on_seen(core::TimePoint report_time);

    /// no_data: the instant from which the source counts as silent, while it does not
    /// yet; nullopt when it is silent already (nothing to do until a sample comes) or
    /// for the other kinds.
    [[nodiscard]] std::optional<core::TimePoint> deadline() const noexcept;

    /// no_data: checks the silence at @p now. Returns the instant the silence began when
    /// it began by @p now and was not reported before (the condition starts to hold then);
    /// nullopt otherwise.
    std::optional<core::TimePoint> check_silence(core::TimePoint now);

    /// Adds the figures of the detector's current state (the table above) to @p values:
    /// those of the last sample used, for no_data last_seen and, while silent,
    /// silent_since. Formatting them costs, so the caller asks only when an alert may
    /// change.
    void add_figures(boost::json::object& values) const;

private:
    using Detector =
        std::variant<core::detectors::SpikeAndDip, core::detectors::StuckSensor, core::detectors::RangeCheck,
                     core::detectors::RateOfChange, core::detectors::NoData, core::detectors::ThresholdHysteresis>;
    using Verdict = std::variant<std::monostate, core::detectors::SpikeAndDipVerdict,
                                 core::detectors::StuckSensorVerdict, core::detectors::RangeVerdict,
                                 core::detectors::RateOfChangeVerdict, core::detectors::ThresholdVerdict>;

    Detector m_detector;
    Verdict m_last; ///< the verdict of the last sample used (value detectors)
};

} // namespace dtwin::engine
