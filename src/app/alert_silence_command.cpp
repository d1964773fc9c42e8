// dtwin alerts silence add|list|remove: the stored silences. A silence suppresses the
// notifications of the alerts it matches whose event time falls in [from, until)
// (core/alerts/silence.hpp); the alerts themselves still change state.
#include "app/alerts_command.hpp"
#include "app/cli.hpp"
#include "app/system_clock.hpp"
#include "app/text_table.hpp"
#include "app/workspace.hpp"
#include "core/downsample.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <random>

namespace dtwin::app {

namespace json = boost::json;

namespace {

core::Result<core::TimePoint> parse_time_option(const std::string& text, std::string_view option) {
    if (auto parsed = core::parse_time(text)) {
        return *parsed;
    }
    return core::fail(core::ErrorCode::invalid_value, "not an ISO-8601 date-time: \"" + text + "\"",
                      std::string(option));
}

core::Result<void> check_pattern(const std::string& pattern, std::string_view option, std::string_view what) {
    if (pattern.empty()) {
        return core::fail(core::ErrorCode::invalid_value, "empty; give a " + std::string(what) + " or *",
                          std::string(option));
    }
    return {};
}

/// The end of the window: --until, or --from plus --for. Must lie after `from` and `now`.
core::Result<core::TimePoint> window_end(const SilenceAddArguments& args, core::TimePoint from, core::TimePoint now) {
    core::TimePoint until;
    if (!args.duration.empty()) {
        auto duration = core::parse_duration(args.duration);
        if (!duration) {
            return core::fail(core::ErrorCode::invalid_value,
                              "not a duration: \"" + args.duration + "\" (expected e.g. 90s, 30m, 2h, 1d)", "--for");
        }
        until = from + *duration;
    } else {
        auto parsed = parse_time_option(args.until, "--until");
        if (!parsed) {
            return parsed;
        }
        until = *parsed;
        if (until <= from) {
            return core::fail(core::ErrorCode::invalid_value,
                              "\"" + args.until + "\" is not after the start of the window (" +
                                  core::format_time(from) + ")",
                              "--until");
        }
    }
    if (until <= now) {
        return core::fail(core::ErrorCode::invalid_value,
                          "the window would end at " + core::format_time(until) + ", which is already past",
                          args.duration.empty() ? "--until" : "--for");
    }
    return until;
}

core::Result<store::SilenceRecord> silence_from(const SilenceAddArguments& args, core::TimePoint now) {
    if (auto checked = check_pattern(args.twin, "--twin", "twin id"); !checked) {
        return std::unexpected(checked.error());
    }
    if (auto checked = check_pattern(args.rule, "--rule", "rule name"); !checked) {
        return std::unexpected(checked.error());
    }
    core::TimePoint from = now;
    if (!args.from.empty()) {
        auto parsed = parse_time_option(args.from, "--from");
        if (!parsed) {
            return std::unexpected(parsed.error());
        }
        from = *parsed;
    }
    auto until = window_end(args, from, now);
    if (!until) {
        return std::unexpected(until.error());
    }
    return store::SilenceRecord{{}, args.twin, args.rule, from, *until, now, args.comment};
}

/// Eight hex digits, not yet taken by a stored silence.
std::string new_silence_id(const std::vector<store::SilenceRecord>& existing) {
    std::random_device device;
    std::uniform_int_distribution<std::uint32_t> digits;
    for (;;) {
        std::string id = fmt::format("{:08x}", digits(device));
        if (std::none_of(existing.begin(), existing.end(), [&](const auto& silence) { return silence.id == id; })) {
            return id;
        }
    }
}

std::string_view silence_status(const store::SilenceRecord& silence, core::TimePoint now) {
    if (now < silence.from) {
        return "upcoming";
    }
    return now < silence.until ? "active" : "expired";
}

json::object silence_to_json(const store::SilenceRecord& silence, core::TimePoint now) {
    return json::object{{"id", silence.id},
                        {"status", silence_status(silence, now)},
                        {"twin", silence.twin_pattern},
                        {"rule", silence.rule_pattern},
                        {"from", core::format_time(silence.from)},
                        {"until", core::format_time(silence.until)},
                        {"createdTime", core::format_time(silence.created_time)},
                        {"comment", silence.comment}};
}

std::vector<std::string> silence_row(const store::SilenceRecord& silence, core::TimePoint now) {
    return {silence.id,
            std::string(silence_status(silence, now)),
            silence.twin_pattern,
            silence.rule_pattern,
            table_time(silence.from),
            table_time(silence.until),
            silence.comment};
}

/// The data directory's silences, through a store opened with `access`.
struct StoredSilences {
    std::unique_ptr<Workspace> workspace;
    std::vector<store::SilenceRecord> silences;
};

core::Result<StoredSilences> open_silences(const CommandContext& ctx, Access access) {
    auto workspace = Workspace::open(ctx.config, access);
    if (!workspace) {
        return std::unexpected(workspace.error());
    }
    auto silences = (*workspace)->store().list_silences();
    if (!silences) {
        return std::unexpected(silences.error());
    }
    return StoredSilences{std::move(*workspace), std::move(*silences)};
}

} // namespace

int add_silence(CommandContext& ctx, const SilenceAddArguments& args) {
    const core::TimePoint now = SystemClock{}.now();
    auto silence = silence_from(args, now);
    if (!silence) {
        return report_error(ctx, silence.error());
    }
    auto stored = open_silences(ctx, Access::read_write);
    if (!stored) {
        return report_error(ctx, stored.error());
    }
    silence->id = new_silence_id(stored->silences);
    store::WriteBatch batch;
    batch.put_silence(*silence);
    if (auto committed = stored->workspace->store().commit(batch); !committed) {
        return report_error(ctx, committed.error());
    }
    if (ctx.json) {
        print_json(*ctx.out, silence_to_json(*silence, now));
    } else {
        *ctx.out << "silence " << silence->id << " added: twin " << silence->twin_pattern << ", rule "
                 << silence->rule_pattern << ", " << core::format_time(silence->from) << " until "
                 << core::format_time(silence->until) << " (" << silence_status(*silence, now) << ")\n";
    }
    return k_exit_ok;
}

int list_silences(CommandContext& ctx) {
    auto stored = open_silences(ctx, Access::read_only);
    if (!stored) {
        return report_error(ctx, stored.error());
    }
    const core::TimePoint now = SystemClock{}.now();
    json::array rows;
    TextTable table({"ID", "STATUS", "TWIN", "RULE", "FROM", "UNTIL", "COMMENT"});
    for (const auto& silence : stored->silences) {
        if (ctx.json) {
            rows.emplace_back(silence_to_json(silence, now));
        } else {
            table.add_row(silence_row(silence, now));
        }
    }
    return print_listing(ctx, rows, table, "no silences");
}

int remove_silence(CommandContext& ctx, const std::string& id) {
    auto stored = open_silences(ctx, Access::read_write);
    if (!stored) {
        return report_error(ctx, stored.error());
    }
    const auto& silences = stored->silences;
    if (std::none_of(silences.begin(), silences.end(), [&](const auto& silence) { return silence.id == id; })) {
        return report_error(ctx, core::Error{core::ErrorCode::unknown_alert,
                                             "no such silence (dtwin alerts silence list shows the ids)", id});
    }
    store::WriteBatch batch;
    batch.delete_silence(id);
    if (auto committed = stored->workspace->store().commit(batch); !committed) {
        return report_error(ctx, committed.error());
    }
    if (ctx.json) {
        print_json(*ctx.out, json::object{{"removed", id}});
    } else {
        *ctx.out << "silence " << id << " removed\n";
    }
    return k_exit_ok;
}

} // namespace dtwin::app
