// dtwin history TWIN PROPERTY: the stored samples of one property, raw or downsampled.
#include "app/cli.hpp"
#include "app/commands.hpp"
#include "app/workspace.hpp"
#include "core/downsample.hpp"
#include "engine/event_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <optional>
#include <system_error>
#include <type_traits>
#include <variant>

namespace dtwin::app {

namespace json = boost::json;

namespace {

struct HistoryArguments {
    std::string twin;
    std::string property;
    std::string from;
    std::string to;
    std::string step;
    std::size_t limit = 0;
};

/// Parses an optional ISO-8601 option; the error names the option.
core::Result<std::optional<core::TimePoint>> parse_time_option(const std::string& text, const std::string& option) {
    if (text.empty()) {
        return std::nullopt;
    }
    auto parsed = core::parse_time(text);
    if (!parsed) {
        return core::fail(core::ErrorCode::invalid_value, "not an ISO-8601 date-time: \"" + text + "\"", option);
    }
    return parsed;
}

std::string render(const json::value& value) {
    return value.is_double() ? format_double(value.get_double()) : json::serialize(value);
}

int print_samples(const CommandContext& ctx, const HistoryArguments& args,
                  const std::vector<store::HistorySample>& samples) {
    if (ctx.json) {
        json::array rows;
        for (const auto& sample : samples) {
            rows.emplace_back(json::object{{"time", core::format_time(sample.source_time)},
                                           {"value", engine::sample_value_to_json(sample.value)},
                                           {"sequence", sample.sequence}});
        }
        print_json(*ctx.out,
                   json::object{{"twin", args.twin}, {"property", args.property}, {"samples", std::move(rows)}});
        return k_exit_ok;
    }
    for (const auto& sample : samples) {
        *ctx.out << core::format_time(sample.source_time) << "  " << render(engine::sample_value_to_json(sample.value))
                 << "  #" << sample.sequence << "\n";
    }
    return k_exit_ok;
}

int print_buckets(const CommandContext& ctx, const HistoryArguments& args, std::chrono::microseconds step,
                  const std::vector<core::Bucket>& buckets, std::size_t skipped) {
    if (ctx.json) {
        json::array rows;
        for (const auto& bucket : buckets) {
            rows.emplace_back(engine::bucket_to_json(bucket));
        }
        print_json(*ctx.out, json::object{{"twin", args.twin},
                                          {"property", args.property},
                                          {"stepMicroseconds", step.count()},
                                          {"skippedNonNumeric", skipped},
                                          {"buckets", std::move(rows)}});
        return k_exit_ok;
    }
    for (const auto& bucket : buckets) {
        *ctx.out << core::format_time(bucket.start) << "  count " << bucket.count << "  min " << bucket.min << "  max "
                 << bucket.max << "  mean " << bucket.mean << "  last " << bucket.last << "\n";
    }
    if (skipped > 0) {
        *ctx.err << "note: " << skipped << " non-numeric samples are not downsampled\n";
    }
    return k_exit_ok;
}

int history(CommandContext& ctx, const HistoryArguments& args) {
    auto from = parse_time_option(args.from, "--from");
    if (!from) {
        return report_error(ctx, from.error());
    }
    auto to = parse_time_option(args.to, "--to");
    if (!to) {
        return report_error(ctx, to.error());
    }
    std::optional<std::chrono::microseconds> step;
    if (!args.step.empty()) {
        auto parsed = core::parse_duration(args.step);
        if (!parsed) {
            return report_error(ctx, core::Error{parsed.error().code, parsed.error().message, "--step"});
        }
        step = *parsed;
    }
    auto workspace = Workspace::open(ctx.config, Access::read_only);
    if (!workspace) {
        return report_error(ctx, workspace.error());
    }
    store::HistoryQuery query{args.twin, args.property};
    query.from = from->value_or(core::TimePoint::min());
    query.to = to->value_or(core::TimePoint::max());
    // --limit caps the samples shown, or with --step the samples read.
    query.limit = args.limit;
    auto samples = (*workspace)->store().history(query);
    if (!samples) {
        return report_error(ctx, samples.error());
    }
    if (!step) {
        return print_samples(ctx, args, *samples);
    }
    std::size_t skipped = 0;
    const std::vector<core::NumericSample> numeric = engine::numeric_samples(*samples, skipped);
    // Without --from the buckets line up on whole steps since the epoch before the first
    // sample; without --to they end after the last one.
    core::TimePoint range_from = query.from;
    core::TimePoint range_to = query.to;
    if (!*from && !numeric.empty()) {
        const auto first = numeric.front().time.time_since_epoch();
        range_from = core::TimePoint{first - ((first % *step) + *step) % *step};
    }
    if (!*to && !numeric.empty()) {
        range_to = numeric.back().time + std::chrono::microseconds{1};
    }
    auto buckets = core::downsample(numeric, range_from, range_to, *step);
    if (!buckets) {
        return report_error(ctx, buckets.error());
    }
    return print_buckets(ctx, args, *step, *buckets, skipped);
}

} // namespace

void add_history_command(CLI::App& app, Action& action) {
    auto args = std::make_shared<HistoryArguments>();
    auto* command = app.add_subcommand(
        "history", "Stored samples of one twin property (source-time order), or per-bucket statistics with --step");
    command->add_option("twin", args->twin, "Twin id")->required();
    command->add_option("property", args->property, "Property path, e.g. co2 or thermostat/target")->required();
    command->add_option("--from", args->from, "Start of the range, inclusive (ISO-8601)");
    command->add_option("--to", args->to, "End of the range, exclusive (ISO-8601)");
    command->add_option("--step", args->step,
                        "Bucket width (500ms, 10s, 5m, 1h, 1d): print count/min/max/mean/last per non-empty bucket");
    command->add_option("--limit", args->limit, "At most this many samples (0: all)");
    command->callback([&action, args] { action = [args](CommandContext& ctx) { return history(ctx, *args); }; });
}

} // namespace dtwin::app
