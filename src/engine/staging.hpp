// Turning twin graph changes into store writes: twin records, history samples and the
// graph's version cursor. Shared by the engine and the CLI's write commands, so a twin
// written by either looks the same in the store.
//
// Pure functions over their arguments; any thread that owns the objects passed.
#pragma once

#include "core/twin_graph.hpp"
#include "store/store.hpp"

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dtwin::engine {

/// The cursor under which the graph's version counter is persisted, so that ETags are
/// never handed out twice, even across restarts.
inline constexpr std::string_view k_version_cursor = "$graph.version";

/// Adds to `batch` the current state of twin `id`: a put of its record, or a delete when
/// the graph no longer has it.
void stage_twin(store::WriteBatch& batch, const core::TwinGraph& graph, const std::string& id);

/// Adds to `batch` the graph's version counter (k_version_cursor).
void stage_version(store::WriteBatch& batch, const core::TwinGraph& graph);

/// Adds to `batch` one history sample per property value that `result` carried for the
/// twin `twin_id` at `source_time`: the applied values AND the stale ones (a late sample
/// belongs in history even though it did not change the current value). Removes and null
/// values write nothing. Property paths lose their leading "/" ("/co2" -> "co2",
/// "/thermostat/target" -> "thermostat/target"). Every sample carries `sequence`, part of
/// its identity (store.hpp, HistorySample). Returns how many samples were added.
/// Not recorded here: a newer sample that repeats the stored value (WriteResult does not report
/// it); the engine stages those itself, since every accepted sample belongs in history.
std::size_t stage_history(store::WriteBatch& batch, const std::string& twin_id, const core::WriteResult& result,
                          core::TimePoint source_time, std::uint64_t sequence);

/// A JSON value as a history sample value: numbers, booleans and strings natively,
/// objects and arrays as JSON text; nullopt for null.
std::optional<store::SampleValue> sample_value(const boost::json::value& value);

} // namespace dtwin::engine
