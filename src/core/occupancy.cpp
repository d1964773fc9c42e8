#include "core/occupancy.hpp"

#include <algorithm>

namespace dtwin::core {

std::string_view occupancy_name(Occupancy occupancy) noexcept {
    switch (occupancy) {
    case Occupancy::occupied:
        return "occupied";
    case Occupancy::not_occupied:
        return "not_occupied";
    }
    return "not_occupied"; // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

void OccupancyTracker::on_motion(TimePoint t, bool motion) noexcept {
    if (!motion) {
        return;
    }
    // Never backwards: a late, older motion says nothing the newer one does not.
    if (m_last_motion && t < *m_last_motion) {
        return;
    }
    m_last_motion = t;
}

void OccupancyTracker::on_door(TimePoint t, DoorState state) noexcept {
    if (m_latest_door_event && t < *m_latest_door_event) {
        return;
    }
    m_latest_door_event = t;
    const bool closed = state == DoorState::closed;
    if (m_door_closed == closed) {
        // Periodic reports of an unchanged door are not transitions; moving the instant
        // here would turn a shut-in person into one who moved "before the door closed".
        return;
    }
    m_door_closed = closed;
    if (closed) {
        m_closed_since = t;
    } else {
        m_opened_since = t;
    }
}

std::optional<TimePoint> OccupancyTracker::occupied_until() const noexcept {
    if (!m_last_motion) {
        return std::nullopt;
    }
    const TimePoint motion = *m_last_motion;
    const TimePoint short_end = motion + m_parameters.short_timeout;
    if (!m_parameters.enclosed || !m_door_closed || !m_closed_since) {
        return short_end;
    }
    const TimePoint shut_in_end = motion + m_parameters.shut_in_timeout;
    if (*m_door_closed) {
        return motion > *m_closed_since ? shut_in_end : short_end;
    }
    // The door is open now. If the motion fell inside the closed period that the opening
    // ended, the person was shut in until the opening: the shut-in timeout ran until
    // then, and from the opening the short one, both counted from the motion.
    const TimePoint opened = *m_opened_since;
    const bool shut_in_before_opening = *m_closed_since < opened && motion > *m_closed_since && motion < opened;
    if (!shut_in_before_opening) {
        return short_end;
    }
    return std::min(shut_in_end, std::max(opened, short_end));
}

Occupancy OccupancyTracker::state_at(TimePoint now) const noexcept {
    const auto until = occupied_until();
    return until && now < *until ? Occupancy::occupied : Occupancy::not_occupied;
}

std::optional<TimePoint> OccupancyTracker::next_change_after(TimePoint now) const noexcept {
    const auto until = occupied_until();
    if (until && now < *until) {
        return until;
    }
    return std::nullopt;
}

} // namespace dtwin::core
