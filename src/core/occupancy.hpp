// Room occupancy derived from motion and, for enclosed rooms, the door.
//
// The prototype's rule ("Derived state" in PROTOTYPE.md): a room is occupied for a
// timeout after its last motion. A hallway (a room that is not enclosed) always uses the
// short timeout (10 s). An enclosed room uses the shut-in timeout (30 s) while its door is
// closed and the last motion came after the door closed (someone is shut inside: a person
// sitting still behind a closed door is likely still there), and the short timeout
// otherwise.
//
// OccupancyTracker turns that rule into a small state machine. Feed it motion and door
// events as they arrive; ask it for the state at an instant, and for the instant the
// state will next change when no further event arrives, so that a server can arm a timer
// instead of polling. It never reads a clock: every instant is passed in.
//
// Decisions beyond the prototype's one-line rule (also in docs/architecture.md,
// "Derived state"):
//
// - Boundary: occupied on the half-open interval [.., last motion + timeout). At exactly
//   last motion + 10 s a hallway is no longer occupied; at + 9.999 s it still is.
// - "After the door closed" is strict: a motion stamped at the very instant the door
//   became closed does not count as shut in (the person may have closed it from outside).
// - Door opening while someone is shut in: the prototype evaluates its rule against the
//   door as it is now, so from the instant the door opens the short timeout applies,
//   counted from the last motion (not from the opening). If those 10 s are already over,
//   the room becomes not occupied at the instant the door opens; if the 30 s ran out
//   before the door opened, it became not occupied then. In one expression:
//   until = min(motion + 30 s, max(opened, motion + 10 s)).
// - Door unknown (no door event yet) counts as not closed: short timeout.
// - Only DoorState::closed is closed; partially_open and open both count as open, and a
//   change between those two does not move the "opened" instant.
// - Repeated door events with the same state are not transitions: a door that reports
//   "closed" every second became closed at the first of those reports.
// - Out-of-order events, in the spirit of the prototype's "apply only if newer":
//   a motion older than the latest motion seen is ignored (last motion never moves
//   backwards, so a late message never shortens occupancy); a door event older than the
//   latest door event seen is ignored. Events with the same timestamp as the latest are
//   applied in arrival order.
// - Only the latest motion and the door's last closing and opening instants are kept.
//   Answers for instants at or after the latest event fed are exact. A motion that
//   arrives late and predates the door's previous transition is judged against the
//   door's current period; this can only change answers for instants before the latest
//   door event, which a live server has already passed.
// - Instants before the last motion count as occupied (the tracker keeps no older
//   motion): a source clock running slightly ahead of the caller's must not make a fresh
//   motion look absent.
//
// Threads: not synchronised; one owner (the thread that owns the twin state).
#pragma once

#include "core/door_state.hpp"
#include "core/time.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace dtwin::core {

/// The two occupancy states, named as the Room model's enum values
/// (examples/door-and-two-rooms/models/Room.json).
enum class Occupancy {
    not_occupied,
    occupied,
};

/// "occupied" or "not_occupied": the enumValue the Room model uses.
[[nodiscard]] std::string_view occupancy_name(Occupancy occupancy) noexcept;

/// How one room derives its occupancy.
///
/// Timeouts are expected to be non-negative and shut_in_timeout >= short_timeout (the
/// point of the shut-in rule); other values give well-defined but odd answers, never UB.
struct OccupancyParameters {
    /// True for a room behind a door (the shut-in rule applies); false for a hallway.
    bool enclosed = false;
    /// Occupied this long after the last motion, in every case but "shut in".
    std::chrono::microseconds short_timeout = std::chrono::seconds{10};
    /// Occupied this long after the last motion when the door is closed and the motion
    /// came after it closed.
    std::chrono::microseconds shut_in_timeout = std::chrono::seconds{30};
};

/// Occupancy state machine of one room. See the file comment for the rule and the
/// choices it makes.
class OccupancyTracker {
public:
    explicit OccupancyTracker(OccupancyParameters parameters = {}) noexcept : m_parameters(parameters) {}

    /// A motion sensor reading stamped at source time @p t. Only motion == true is
    /// activity; motion == false changes nothing (the timeout, not the sensor, ends
    /// occupancy). A motion older than the latest motion seen is ignored.
    void on_motion(TimePoint t, bool motion) noexcept;

    /// The room's door was in @p state at source time @p t (typically derive_door_state()
    /// of each door reading). Records the instants the door last became closed and last
    /// became not closed; repeats of the current state change nothing. Ignored when older
    /// than the latest door event seen. Hallways record it too but never use it.
    void on_door(TimePoint t, DoorState state) noexcept;

    /// The occupancy at @p now: occupied iff a motion has been seen and
    /// now < occupied_until().
    [[nodiscard]] Occupancy state_at(TimePoint now) const noexcept;

    /// When the room is occupied at @p now, the instant it will become not occupied if no
    /// further event arrives (always > now): arm a timer for exactly this instant and call
    /// state_at() then. nullopt when it is not occupied at @p now (nothing will change
    /// until a new motion arrives).
    [[nodiscard]] std::optional<TimePoint> next_change_after(TimePoint now) const noexcept;

    /// The end (exclusive) of the occupancy caused by the last motion, given the door
    /// events seen so far; nullopt before the first motion.
    [[nodiscard]] std::optional<TimePoint> occupied_until() const noexcept;

    /// The latest motion instant accepted, if any.
    [[nodiscard]] std::optional<TimePoint> last_motion() const noexcept { return m_last_motion; }

    [[nodiscard]] const OccupancyParameters& parameters() const noexcept { return m_parameters; }

private:
    OccupancyParameters m_parameters;
    std::optional<TimePoint> m_last_motion;
    std::optional<TimePoint> m_latest_door_event; ///< source time of the newest door event applied
    std::optional<bool> m_door_closed;            ///< current door state; nullopt before any door event
    std::optional<TimePoint> m_closed_since;      ///< instant the door last became closed
    std::optional<TimePoint> m_opened_since;      ///< instant the door last became not closed
};

} // namespace dtwin::core
