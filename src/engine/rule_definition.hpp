// A rule of the config file (`[[rule]]`, docs/configuration.md): which twins it watches,
// the condition (an expression in the ADT WHERE syntax, or a detector over one property),
// how long it must hold, and what it does while it holds: set twin properties, raise an
// alert, or both. When the condition stops holding, the properties are reset and the
// alert resolves. Plain data, filled by dtwin_app (rule_config.cpp) or by tests.
#pragma once

#include "core/detectors/no_data.hpp"
#include "core/detectors/range_check.hpp"
#include "core/detectors/rate_of_change.hpp"
#include "core/detectors/spike_and_dip.hpp"
#include "core/detectors/stuck_sensor.hpp"
#include "core/detectors/threshold_hysteresis.hpp"
#include "core/query/expression.hpp"

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace dtwin::engine {

/// Which twins a rule applies to: exactly one field is non-empty. Shared by every kind
/// of rule (engine_options.hpp includes this header, not the other way round).
struct TwinSelector {
    std::string twin;  ///< one twin id
    std::string model; ///< every twin of this model (DTMI)
};

enum class Severity { info, warning, critical };

/// "info", "warning" or "critical": the config's and the alerts' spelling.
[[nodiscard]] constexpr std::string_view severity_name(Severity severity) noexcept {
    switch (severity) {
    case Severity::info:
        return "info";
    case Severity::critical:
        return "critical";
    case Severity::warning:
        break;
    }
    return "warning";
}

/// A detector as the rule's condition: the condition holds while the detector reports an
/// anomaly for the property's samples (src/core/detectors). The parameters are the
/// detector's own, checked at load time with its validate().
struct SpikeAndDipCondition {
    std::string property;
    core::detectors::SpikeAndDipParameters parameters;
};
struct StuckSensorCondition {
    std::string property;
    core::detectors::StuckSensorParameters parameters;
};
struct RangeCondition {
    std::string property;
    core::detectors::RangeCheckParameters parameters;
};
struct RateOfChangeCondition {
    std::string property;
    core::detectors::RateOfChangeParameters parameters;
};
struct NoDataCondition {
    std::string property;
    core::detectors::NoDataParameters parameters;
};
struct ThresholdCondition {
    std::string property;
    core::detectors::ThresholdHysteresisParameters parameters;
};
/// The order of the alternatives is the order of the config's kinds (rule_config.cpp).
using DetectorCondition = std::variant<SpikeAndDipCondition, StuckSensorCondition, RangeCondition,
                                       RateOfChangeCondition, NoDataCondition, ThresholdCondition>;

struct RuleDefinition {
    std::string name;      ///< unique; alerts are keyed by (twin, name)
    TwinSelector selector; ///< model or twin
    /// Exactly one of `condition` (expression) and `detector` is set.
    core::query::ExpressionPtr condition;
    std::string condition_text; ///< as written, for messages
    std::optional<DetectorCondition> detector;
    /// Aliases for related twins the condition may read: alias -> relationship, written
    /// "incoming:<name>" (twins with a relationship <name> to this one, e.g. the door of a
    /// room) or "outgoing:<name>".
    std::map<std::string, std::string, std::less<>> related;
    std::chrono::milliseconds for_duration{0};
    std::optional<std::chrono::milliseconds> repeat_interval;
    Severity severity = Severity::warning;
    /// Message template: "{twin}", "{rule}", "{severity}" and "{<property path>}" are
    /// replaced by their values at the time the alert fires.
    std::string message;
    boost::json::object set_properties;   ///< written while the condition holds (on firing)
    boost::json::object reset_properties; ///< written when it stops holding (on resolve)
    bool raise_alert = true;
    bool notify_resolved = false;
    /// Where the rule was written ("dtwin.toml:168", the line of its [[rule]] header), for
    /// errors found after loading; empty for rules built in code.
    std::string source;
};

} // namespace dtwin::engine
