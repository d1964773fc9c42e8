#include "engine/staging.hpp"

#include "core/twin_json.hpp"

#include <boost/json/serialize.hpp>
#include <limits>

namespace dtwin::engine {

namespace json = boost::json;

void stage_twin(store::WriteBatch& batch, const core::TwinGraph& graph, const std::string& id) {
    if (const core::Twin* twin = graph.find_twin(id)) {
        batch.put_twin({twin->id(), twin->model_id(), twin->version(), json::serialize(core::twin_to_json(*twin))});
    } else {
        batch.delete_twin(id);
    }
}

void stage_version(store::WriteBatch& batch, const core::TwinGraph& graph) {
    batch.set_cursor(std::string(k_version_cursor), graph.last_version());
}

std::optional<store::SampleValue> sample_value(const json::value& value) {
    switch (value.kind()) {
    case json::kind::null:
        return std::nullopt;
    case json::kind::bool_:
        return value.get_bool();
    case json::kind::int64:
        return value.get_int64();
    case json::kind::uint64:
        // Above the int64 range only as a double: the store keeps signed integers.
        if (value.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return static_cast<std::int64_t>(value.get_uint64());
        }
        return static_cast<double>(value.get_uint64());
    case json::kind::double_:
        return value.get_double();
    case json::kind::string:
        return std::string(value.get_string());
    case json::kind::array:
    case json::kind::object:
        return store::JsonText{json::serialize(value)};
    }
    return std::nullopt;
}

std::size_t stage_history(store::WriteBatch& batch, const std::string& twin_id, const core::WriteResult& result,
                          core::TimePoint source_time, std::uint64_t sequence) {
    std::size_t staged = 0;
    const auto stage = [&](const std::string& path, const json::value& value, core::TimePoint time) {
        auto converted = sample_value(value);
        if (!converted || path.size() < 2 || path.front() != '/') {
            return;
        }
        batch.append_sample({twin_id, path.substr(1), time, sequence, std::move(*converted)});
        ++staged;
    };
    for (const auto& operation : result.applied) {
        if (operation.op == core::PatchOp::add || operation.op == core::PatchOp::replace) {
            stage(operation.path, operation.value, source_time);
        }
    }
    for (const auto& stale : result.stale) {
        stage(stale.path, stale.value, stale.source_time);
    }
    return staged;
}

} // namespace dtwin::engine
