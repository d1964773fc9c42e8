#include "core/alerts/alert_state.hpp"

#include <array>
#include <utility>

namespace dtwin::core::alerts {

namespace {

constexpr std::array<std::pair<AlertState, std::string_view>, 4> k_state_names{{
    {AlertState::inactive, "inactive"},
    {AlertState::pending, "pending"},
    {AlertState::firing, "firing"},
    {AlertState::resolved, "resolved"},
}};

} // namespace

std::string_view alert_state_name(AlertState state) noexcept {
    for (const auto& [value, name] : k_state_names) {
        if (value == state) {
            return name;
        }
    }
    return "inactive"; // unreachable for valid enumerators
}

std::optional<AlertState> parse_alert_state(std::string_view name) noexcept {
    for (const auto& [value, known] : k_state_names) {
        if (known == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::string_view transition_reason_name(TransitionReason reason) noexcept {
    switch (reason) {
    case TransitionReason::started:
        return "started";
    case TransitionReason::fired:
        return "fired";
    case TransitionReason::repeated:
        return "repeated";
    case TransitionReason::acknowledged:
        return "acknowledged";
    case TransitionReason::cleared:
        return "cleared";
    case TransitionReason::resolved:
        return "resolved";
    case TransitionReason::silenced:
        return "silenced";
    }
    return "started"; // unreachable for valid enumerators
}

} // namespace dtwin::core::alerts
