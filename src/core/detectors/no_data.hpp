// No data: a source that has sent nothing for a duration (a dead battery, a lost Wi-Fi,
// an unplugged gateway). Nothing arrives to trigger a check, so the detector says when to
// look: deadline() is the instant it turns silent unless a sample comes first; the
// caller arms a timer for it and calls check(now) then (and after feeding samples).
//
//   silent at now  iff  now >= deadline()
//   deadline()     =    max(watching_since, last sample seen) + timeout
//
// The timeout is a half-open interval, as occupancy's: a sample at t keeps the source
// alive on [t, t + timeout); at exactly t + timeout it is silent. Before any sample the
// detector counts from watching_since (a start-up grace of one timeout), so a source that
// never sends turns silent once that passes, and a sample stamped before the start does
// not shorten the grace.
//
// Which clock: update() and check() must take instants of the same clock. The engine
// passes receive times on its clock (a device whose NTP failed sends no usable source
// time); source times work too when the devices' clocks are trusted, and then a backlog
// delivered late counts as seen when it was measured. Samples not newer than the latest
// seen are ignored (they change nothing).
//
// The prototype has no such rule; the default timeout is ours: 15 s, three sends of a
// room node (every 5 s), the liveness example's silent_after_ms for the rooms.
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/detectors/sample_use.hpp"
#include "core/error.hpp"
#include "core/time.hpp"

#include <chrono>
#include <optional>

namespace dtwin::core::detectors {

struct NoDataParameters {
    /// Silent after this long without a sample; > 0.
    std::chrono::microseconds timeout = std::chrono::seconds{15};
};

/// Checks the rule on NoDataParameters; the error names the field.
[[nodiscard]] Result<void> validate(const NoDataParameters& parameters);

struct NoDataVerdict {
    bool silent = false;  ///< no sample in [now - timeout, now]: now >= deadline()
    bool changed = false; ///< silent differs from the previous check()'s answer
    /// The instant the silence began (deadline()) when silent; nullopt otherwise.
    std::optional<TimePoint> silent_since;
    /// The latest sample seen, if any (for "no data since ...").
    std::optional<TimePoint> last_seen;
};

class NoData {
public:
    /// Starts watching at @p watching_since, before any sample.
    /// @throws std::invalid_argument when validate(parameters) fails.
    NoData(NoDataParameters parameters, TimePoint watching_since);

    /// A sample was seen at @p seen_at. Used if newer than the latest seen (ignored_not_newer
    /// otherwise). Does not change the answer of the last check(): call check() for that.
    SampleUse update(TimePoint seen_at) noexcept;

    /// The instant from which check() reports silent if no newer sample arrives.
    [[nodiscard]] TimePoint deadline() const noexcept;

    /// Whether the source is silent at @p now, and whether that changed since the
    /// previous check() (the first check() compares with "not silent").
    NoDataVerdict check(TimePoint now) noexcept;

    /// The answer of the last check() (false before the first).
    [[nodiscard]] bool silent() const noexcept { return m_silent; }

    [[nodiscard]] std::optional<TimePoint> last_seen() const noexcept { return m_last_seen; }

    [[nodiscard]] const NoDataParameters& parameters() const noexcept { return m_parameters; }

private:
    NoDataParameters m_parameters;
    TimePoint m_watching_since;
    std::optional<TimePoint> m_last_seen;
    bool m_silent = false;
};

} // namespace dtwin::core::detectors
