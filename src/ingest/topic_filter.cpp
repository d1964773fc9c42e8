// Topic filter syntax, matching with captures, and twin id templates.
#include "ingest/topic_filter.hpp"

#include <algorithm>

namespace dtwin::ingest {
namespace {

/// Splits on '/' keeping empty levels ("a//b" has three levels, "" has one).
std::vector<std::string_view> split_levels(std::string_view text) {
    std::vector<std::string_view> levels;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = text.find('/', start);
        if (slash == std::string_view::npos) {
            levels.push_back(text.substr(start));
            return levels;
        }
        levels.push_back(text.substr(start, slash - start));
        start = slash + 1;
    }
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// The capture name of a `{name}` level, or nullopt when the level is not a capture.
std::optional<std::string_view> capture_name(std::string_view level) {
    if (level.size() < 3 || level.front() != '{' || level.back() != '}') {
        return std::nullopt;
    }
    const std::string_view name = level.substr(1, level.size() - 2);
    if (!std::all_of(name.begin(), name.end(), is_name_char)) {
        return std::nullopt;
    }
    return name;
}

} // namespace

core::Result<void> validate_topic_filter(std::string_view filter) {
    const std::string where{filter};
    if (filter.empty()) {
        return core::fail(core::ErrorCode::invalid_value, "empty topic filter", where);
    }
    if (filter.find('\0') != std::string_view::npos) {
        return core::fail(core::ErrorCode::invalid_value, "topic filter contains a NUL character", where);
    }
    const auto levels = split_levels(filter);
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < levels.size(); ++i) {
        const std::string_view level = levels[i];
        if (level == "#") {
            if (i + 1 != levels.size()) {
                return core::fail(core::ErrorCode::invalid_value, "'#' must be the last level", where);
            }
            continue;
        }
        if (level == "+") {
            continue;
        }
        if (const auto name = capture_name(level)) {
            if (std::find(names.begin(), names.end(), *name) != names.end()) {
                return core::fail(core::ErrorCode::invalid_value, "capture {" + std::string{*name} + "} used twice",
                                  where);
            }
            names.push_back(*name);
            continue;
        }
        if (level.find_first_of("#+{}") != std::string_view::npos) {
            return core::fail(core::ErrorCode::invalid_value,
                              "level '" + std::string{level} +
                                  "': wildcards and captures must fill a whole level; capture names use "
                                  "letters, digits and '_'",
                              where);
        }
    }
    return {};
}

std::optional<Captures> match_topic(std::string_view filter, std::string_view topic) {
    if (!validate_topic_filter(filter)) {
        return std::nullopt;
    }
    const auto filter_levels = split_levels(filter);
    const auto topic_levels = split_levels(topic);
    Captures captures;
    for (std::size_t i = 0; i < filter_levels.size(); ++i) {
        const std::string_view level = filter_levels[i];
        const bool wildcard = level == "#" || level == "+" || capture_name(level).has_value();
        // MQTT: wildcards in the first level never match "$SYS/..." and friends.
        if (i == 0 && wildcard && topic.starts_with('$')) {
            return std::nullopt;
        }
        if (level == "#") {
            return captures; // matches the parent level too: "a/#" matches "a"
        }
        if (i >= topic_levels.size()) {
            return std::nullopt;
        }
        const std::string_view value = topic_levels[i];
        if (level == "+") {
            continue;
        }
        if (const auto name = capture_name(level)) {
            if (value.empty()) {
                return std::nullopt;
            }
            captures.emplace_back(std::string{*name}, std::string{value});
            continue;
        }
        if (level != value) {
            return std::nullopt;
        }
    }
    if (filter_levels.size() != topic_levels.size()) {
        return std::nullopt;
    }
    return captures;
}

std::vector<std::string> capture_names(std::string_view filter) {
    std::vector<std::string> names;
    for (const std::string_view level : split_levels(filter)) {
        if (const auto name = capture_name(level)) {
            names.emplace_back(*name);
        }
    }
    return names;
}

core::Result<std::string> expand_twin_id(std::string_view id_template, const Captures& captures) {
    const std::string where{id_template};
    std::string id;
    std::size_t pos = 0;
    while (pos < id_template.size()) {
        const std::size_t open = id_template.find('{', pos);
        if (open == std::string_view::npos) {
            id.append(id_template.substr(pos));
            break;
        }
        id.append(id_template.substr(pos, open - pos));
        const std::size_t close = id_template.find('}', open);
        if (close == std::string_view::npos) {
            return core::fail(core::ErrorCode::invalid_value, "unclosed '{' in twin id template", where);
        }
        const std::string_view name = id_template.substr(open + 1, close - open - 1);
        const auto found =
            std::find_if(captures.begin(), captures.end(), [&](const auto& capture) { return capture.first == name; });
        if (found == captures.end()) {
            return core::fail(
                core::ErrorCode::invalid_value,
                "twin id template uses {" + std::string{name} + "}, which the topic filter does not capture", where);
        }
        id += found->second;
        pos = close + 1;
    }
    if (id.empty()) {
        return core::fail(core::ErrorCode::invalid_value, "twin id template gives an empty twin id", where);
    }
    return id;
}

std::string subscription_filter(std::string_view filter) {
    std::string out;
    out.reserve(filter.size());
    std::size_t start = 0;
    while (true) {
        const std::size_t end = filter.find('/', start);
        const std::string_view level = filter.substr(start, end == std::string_view::npos ? filter.npos : end - start);
        if (level.size() >= 2 && level.front() == '{' && level.back() == '}') {
            out += '+';
        } else {
            out += level;
        }
        if (end == std::string_view::npos) {
            return out;
        }
        out += '/';
        start = end + 1;
    }
}

} // namespace dtwin::ingest
