#include "core/alerts/alert_policy.hpp"

namespace dtwin::core::alerts {

Result<void> validate(const AlertPolicy& policy) {
    if (policy.for_duration.count() < 0) {
        return fail(ErrorCode::invalid_value, "must not be negative", "for_duration");
    }
    if (policy.repeat_interval && policy.repeat_interval->count() <= 0) {
        return fail(ErrorCode::invalid_value, "must be a positive duration", "repeat_interval");
    }
    return {};
}

} // namespace dtwin::core::alerts
