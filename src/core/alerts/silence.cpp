#include "core/alerts/silence.hpp"

#include <algorithm>

namespace dtwin::core::alerts {

namespace {

bool pattern_matches(std::string_view pattern, std::string_view id) noexcept {
    return pattern == "*" || pattern == id;
}

} // namespace

bool Silence::matches(std::string_view twin, std::string_view rule, TimePoint at) const noexcept {
    return from <= at && at < until && pattern_matches(twin_pattern, twin) && pattern_matches(rule_pattern, rule);
}

Result<void> validate(const Silence& silence) {
    if (silence.twin_pattern.empty()) {
        return fail(ErrorCode::invalid_value, "must be a twin id or \"*\"", "twin_pattern");
    }
    if (silence.rule_pattern.empty()) {
        return fail(ErrorCode::invalid_value, "must be a rule name or \"*\"", "rule_pattern");
    }
    if (silence.until <= silence.from) {
        return fail(ErrorCode::invalid_value,
                    "must be after from (" + format_time(silence.from) + "), got " + format_time(silence.until),
                    "until");
    }
    return {};
}

const Silences& Silences::none() noexcept {
    static const Silences empty;
    return empty;
}

Result<void> Silences::add(Silence silence) {
    if (auto valid = validate(silence); !valid) {
        return std::unexpected(valid.error());
    }
    m_silences.push_back(std::move(silence));
    return {};
}

std::size_t Silences::remove_expired(TimePoint now) {
    return std::erase_if(m_silences, [now](const Silence& silence) { return silence.until <= now; });
}

bool Silences::is_silenced(std::string_view twin, std::string_view rule, TimePoint at) const noexcept {
    return std::ranges::any_of(m_silences, [&](const Silence& silence) { return silence.matches(twin, rule, at); });
}

} // namespace dtwin::core::alerts
