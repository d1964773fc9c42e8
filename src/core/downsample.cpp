#include "core/downsample.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace dtwin::core {

Result<std::vector<Bucket>> downsample(std::span<const NumericSample> samples, TimePoint from, TimePoint to,
                                       std::chrono::microseconds step) {
    if (step.count() <= 0) {
        return fail(ErrorCode::invalid_value, "the bucket width must be positive", "step");
    }
    std::vector<Bucket> buckets;
    if (to <= from) {
        return buckets;
    }
    // Offsets are computed in unsigned arithmetic: `from` may be far in the past
    // (TimePoint::min()), and t - from must not overflow a signed count.
    const auto width = static_cast<std::uint64_t>(step.count());
    const auto origin = static_cast<std::uint64_t>(from.time_since_epoch().count());
    double sum = 0.0;
    const auto close = [&] {
        if (!buckets.empty()) {
            auto& bucket = buckets.back();
            bucket.mean = sum / static_cast<double>(bucket.count);
        }
    };
    for (const auto& sample : samples) {
        if (sample.time < from || sample.time >= to) {
            continue;
        }
        const std::uint64_t offset = static_cast<std::uint64_t>(sample.time.time_since_epoch().count()) - origin;
        const std::uint64_t start_offset = offset - offset % width;
        const TimePoint start{std::chrono::microseconds{static_cast<std::int64_t>(origin + start_offset)}};
        if (buckets.empty() || buckets.back().start != start) {
            close();
            buckets.push_back(Bucket{start, 0, sample.value, sample.value, 0.0, sample.value, sample.time});
            sum = 0.0;
        }
        auto& bucket = buckets.back();
        ++bucket.count;
        sum += sample.value;
        bucket.min = std::min(bucket.min, sample.value);
        bucket.max = std::max(bucket.max, sample.value);
        bucket.last = sample.value;
        bucket.last_time = sample.time;
    }
    close();
    return buckets;
}

Result<std::chrono::microseconds> parse_duration(std::string_view text) {
    const auto invalid = [&] {
        return fail(ErrorCode::invalid_value,
                    "not a duration: \"" + std::string(text) + "\" (expected e.g. 500ms, 10s, 5m, 1h, 1d)");
    };
    std::int64_t amount = 0;
    const char* end = text.data() + text.size();
    const auto [unit_begin, ec] = std::from_chars(text.data(), end, amount);
    if (ec != std::errc{} || unit_begin == text.data() || amount <= 0) {
        return invalid();
    }
    const std::string_view unit(unit_begin, static_cast<std::size_t>(end - unit_begin));
    std::int64_t micros_per_unit = 0;
    if (unit == "ms") {
        micros_per_unit = 1'000;
    } else if (unit == "s") {
        micros_per_unit = 1'000'000;
    } else if (unit == "m") {
        micros_per_unit = 60'000'000;
    } else if (unit == "h") {
        micros_per_unit = 3'600'000'000;
    } else if (unit == "d") {
        micros_per_unit = 86'400'000'000;
    } else {
        return invalid();
    }
    if (amount > std::numeric_limits<std::int64_t>::max() / micros_per_unit) {
        return invalid();
    }
    return std::chrono::microseconds{amount * micros_per_unit};
}

} // namespace dtwin::core
