// How one rule's alerts behave over time: the `for` duration, repeats and resolve notices.
// Filled from the rule's config by the engine; the defaults are the prototype's behaviour
// (fire at once, one notification per instance, no resolve notice).
//
// Pure; any thread.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <optional>

namespace dtwin::core::alerts {

struct AlertPolicy {
    /// The condition must hold this long (by event time) before the alert fires; >= 0.
    /// 0 fires on the first sample for which it holds (a slam is one sample).
    std::chrono::microseconds for_duration{0};
    /// While firing and not acknowledged, notify again this long after the last
    /// notification (by the engine's clock); > 0 when set. nullopt: never repeat.
    std::optional<std::chrono::microseconds> repeat_interval{};
    /// Whether the firing -> resolved transition notifies.
    bool notify_resolved = false;
};

/// Checks the rules above; the error (invalid_value) names the field
/// ("for_duration", "repeat_interval").
[[nodiscard]] Result<void> validate(const AlertPolicy& policy);

} // namespace dtwin::core::alerts
