// Time in the core: plain values and an injected clock, never the wall clock directly.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dtwin::core {

/// A point in UTC with microsecond resolution (what metadata and history carry).
using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

/// Source of "now" for the core. The app passes a wall clock; tests pass a manual one.
class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual TimePoint now() const = 0;
};

/// A clock that only moves when told to: deterministic tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(TimePoint start) : m_now(start) {}
    [[nodiscard]] TimePoint now() const override { return m_now; }
    void set(TimePoint t) { m_now = t; }
    void advance(std::chrono::microseconds d) { m_now += d; }

private:
    TimePoint m_now;
};

/// Formats as ISO-8601 UTC with 7 fractional digits, as Azure Digital Twins does
/// ("2026-11-24T21:26:15.1234560Z").
std::string format_time(TimePoint t);

/// Parses ISO-8601 / RFC 3339 date-times ("2026-11-24T21:26:15.123Z", "+01:00" offsets,
/// any number of fractional digits). Returns nullopt for anything that is not a valid
/// time, including "0000-00-00T00:00:00.000Z".
std::optional<TimePoint> parse_time(std::string_view text);

/// True for an ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.n]S]] with at least
/// one part and the parts in that order ("PT5M", "P1DT2H30.5S").
[[nodiscard]] bool is_iso8601_duration(std::string_view text);

} // namespace dtwin::core
