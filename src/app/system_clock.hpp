// The wall clock, injected into the core where it needs "now". App layer only.
#pragma once

#include "core/time.hpp"

namespace dtwin::app {

class SystemClock final : public core::Clock {
public:
    [[nodiscard]] core::TimePoint now() const override {
        return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    }
};

} // namespace dtwin::app
