// Downsampling of numeric history: fixed-width time buckets with count, min, max, mean
// and last value, for range queries over long histories (`dtwin history --step`).
//
// Pure: no clock, no store. The caller reads the samples (store::Store::history), turns
// the values it can into numbers (booleans as 0/1) and decides what to do with the rest
// (strings and JSON documents are not downsampled).
//
// Threads: none inside; every function may be called from any thread.
#pragma once

#include "core/error.hpp"
#include "core/time.hpp"

#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace dtwin::core {

/// One numeric value at one source time.
struct NumericSample {
    TimePoint time{};
    double value = 0.0;
};

/// The samples of one bucket [start, start + step).
struct Bucket {
    TimePoint start{};     ///< first instant of the bucket (from + k * step)
    std::size_t count = 0; ///< samples in the bucket (at least 1: empty buckets are omitted)
    double min = 0.0;
    double max = 0.0;
    double mean = 0.0;     ///< arithmetic mean of the values
    double last = 0.0;     ///< value of the latest sample (the last one given, on equal times)
    TimePoint last_time{}; ///< source time of that sample
};

/// Groups `samples` into buckets [from + k*step, from + (k+1)*step) that cover the range
/// [from, to). A sample exactly at a bucket's start belongs to that bucket; samples outside
/// the range are ignored. The last bucket may reach past `to` (a step larger than the range
/// gives one bucket), but holds only samples before `to`.
///
/// `samples` must be ordered by time (store order: source time, then sequence).
/// Returns the buckets that hold at least one sample, in time order: EMPTY BUCKETS ARE
/// OMITTED, so a gap in the data shows as a gap between bucket starts. An empty range
/// (to <= from) gives no buckets.
/// Error: invalid_value (where "step") when `step` is zero or negative.
[[nodiscard]] Result<std::vector<Bucket>> downsample(std::span<const NumericSample> samples, TimePoint from,
                                                     TimePoint to, std::chrono::microseconds step);

/// Parses a bucket width: a positive integer followed by a unit, "ms", "s", "m", "h" or
/// "d" ("500ms", "10s", "5m", "1h", "1d").
/// Error: invalid_value naming the text, for anything else (no unit, zero, overflow).
[[nodiscard]] Result<std::chrono::microseconds> parse_duration(std::string_view text);

} // namespace dtwin::core
