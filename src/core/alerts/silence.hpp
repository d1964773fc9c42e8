// Silences: "do not tell me about rule R on twin T between from and until". A silenced
// alert still changes state and is still recorded; only its notifications are suppressed
// (AlertTransition::notify = false, reason TransitionReason::silenced).
//
// Matching: a pattern is either "*" (any id) or an exact id (case-sensitive, as twin ids
// are). The window is half-open, [from, until): at `until` the silence is over. The
// instant compared is the transition's event_time (AlertTracker): a slam that happened
// during a maintenance window stays silent when a backlog reports it after the window, and
// one that happened before a silence was created still notifies when it arrives late.
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/error.hpp"
#include "core/time.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core::alerts {

struct Silence {
    std::string twin_pattern{}; ///< a twin id, or "*" for every twin
    std::string rule_pattern{}; ///< a rule name, or "*" for every rule
    TimePoint from{};           ///< first silenced instant
    TimePoint until{};          ///< first instant no longer silenced; > from

    /// Whether this silence covers (twin, rule) at @p at.
    [[nodiscard]] bool matches(std::string_view twin, std::string_view rule, TimePoint at) const noexcept;
};

/// Checks a silence: non-empty patterns ("twin_pattern", "rule_pattern"), until > from
/// ("until"). Errors are invalid_value naming the field.
[[nodiscard]] Result<void> validate(const Silence& silence);

/// The silences in force, as one list (a few dozen at most: matching is linear).
class Silences {
public:
    /// An empty list, for callers that have no silences (the default of AlertTracker's calls).
    [[nodiscard]] static const Silences& none() noexcept;

    /// Adds @p silence after validate(); returns the error and adds nothing if it fails.
    Result<void> add(Silence silence);

    /// Drops silences whose window ended at or before @p now; returns how many.
    std::size_t remove_expired(TimePoint now);

    /// Whether any silence covers (twin, rule) at @p at.
    [[nodiscard]] bool is_silenced(std::string_view twin, std::string_view rule, TimePoint at) const noexcept;

    [[nodiscard]] const std::vector<Silence>& all() const noexcept { return m_silences; }

private:
    std::vector<Silence> m_silences;
};

} // namespace dtwin::core::alerts
