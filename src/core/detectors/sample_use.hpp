// What a detector did with one sample it was fed: shared by every detector in this folder.
//
// The detectors judge a sensor's newest state. A sample whose source time is not newer
// than the last sample a detector used is ignored (it neither changes the detector's
// state nor yields a verdict): an older one arrived out of order (the prototype's cloud
// functions finished in either order), one at the same instant is a repeat (a broker
// redelivery). Detectors of measured values also ignore NaN and infinities, which are not
// measurements; RangeCheck is the detector that flags them.
//
// Pure; any thread.
#pragma once

#include <string_view>

namespace dtwin::core::detectors {

/// How a detector treated one sample.
enum class SampleUse {
    used,              ///< the sample was judged and updated the detector's state
    ignored_not_newer, ///< source time at or before the last used sample's: no effect
    ignored_not_finite ///< NaN or an infinity where a measurement was expected: no effect
};

/// "used", "ignored_not_newer" or "ignored_not_finite" (for logs and JSON).
[[nodiscard]] constexpr std::string_view sample_use_name(SampleUse use) noexcept {
    switch (use) {
    case SampleUse::used:
        return "used";
    case SampleUse::ignored_not_newer:
        return "ignored_not_newer";
    case SampleUse::ignored_not_finite:
        return "ignored_not_finite";
    }
    return "used"; // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

} // namespace dtwin::core::detectors
