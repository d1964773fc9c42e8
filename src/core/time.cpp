#include "core/time.hpp"

#include <cstdio>

namespace dtwin::core {

std::string format_time(TimePoint t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{t - day};
    // Written digit by digit: this runs for every property's metadata of every twin
    // written or served (snprintf was a visible share of a GET).
    std::string text = "0000-00-00T00:00:00.0000000Z";
    const auto put = [&](std::size_t at, long long value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            text[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) {
        char buffer[48];
        std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%06lld0Z", year,
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                      static_cast<int>(hms.seconds().count()), static_cast<long long>(hms.subseconds().count()));
        return buffer;
    }
    put(0, year, 4);
    put(5, static_cast<unsigned>(ymd.month()), 2);
    put(8, static_cast<unsigned>(ymd.day()), 2);
    put(11, hms.hours().count(), 2);
    put(14, hms.minutes().count(), 2);
    put(17, hms.seconds().count(), 2);
    put(20, hms.subseconds().count(), 6); // microseconds; the 7th digit stays 0
    return text;
}

namespace {

/// Reads exactly `width` digits at `pos`; advances `pos`. (Hand-rolled: this runs for
/// every property of every twin loaded at start-up.)
bool read_digits(std::string_view text, std::size_t& pos, std::size_t width, int& out) {
    if (pos + width > text.size()) {
        return false;
    }
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    out = value;
    pos += width;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

} // namespace

std::optional<TimePoint> parse_time(std::string_view text) {
    using namespace std::chrono;
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!read_digits(text, pos, 4, y) || !expect(text, pos, '-') || !read_digits(text, pos, 2, mo) ||
        !expect(text, pos, '-') || !read_digits(text, pos, 2, d)) {
        return std::nullopt;
    }
    if (!(expect(text, pos, 'T') || expect(text, pos, 't') || expect(text, pos, ' '))) {
        return std::nullopt;
    }
    if (!read_digits(text, pos, 2, h) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mi) ||
        !expect(text, pos, ':') || !read_digits(text, pos, 2, s)) {
        return std::nullopt;
    }
    long long micros = 0;
    if (expect(text, pos, '.')) {
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 6) {
                micros = micros * 10 + (text[pos] - '0');
            }
            ++digits;
            ++pos;
        }
        if (digits == 0) {
            return std::nullopt;
        }
        for (int i = digits; i < 6; ++i) {
            micros *= 10;
        }
    }
    int offset_minutes = 0;
    if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(text, pos, 2, oh) || !expect(text, pos, ':') || !read_digits(text, pos, 2, om) || oh > 23 ||
            om > 59) {
            return std::nullopt;
        }
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) {
        return std::nullopt;
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (y < 1 || !ymd.ok() || h > 23 || mi > 59 || s > 60) {
        return std::nullopt;
    }
    const auto whole = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
    return TimePoint{duration_cast<microseconds>(whole.time_since_epoch()) + microseconds{micros}};
}

bool is_iso8601_duration(std::string_view text) {
    if (text.size() < 3 || text[0] != 'P') {
        return false;
    }
    bool in_time = false;
    bool any = false;
    std::size_t i = 1;
    std::string_view order = "YMWD";
    while (i < text.size()) {
        if (text[i] == 'T') {
            if (in_time || i + 1 == text.size()) {
                return false;
            }
            in_time = true;
            order = "HMS";
            ++i;
            continue;
        }
        std::size_t start = i;
        while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.' || text[i] == ',')) {
            ++i;
        }
        if (i == start || i == text.size()) {
            return false;
        }
        const auto unit = order.find(text[i]);
        if (unit == std::string_view::npos) {
            return false;
        }
        order = order.substr(unit + 1); // units must come in order, each at most once
        any = true;
        ++i;
    }
    return any;
}


} // namespace dtwin::core
