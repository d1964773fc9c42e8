#include "core/error.hpp"

namespace dtwin::core {

std::string_view error_code_name(ErrorCode code) {
    switch (code) {
    case ErrorCode::invalid_json:
        return "invalid_json";
    case ErrorCode::invalid_model:
        return "invalid_model";
    case ErrorCode::unknown_model:
        return "unknown_model";
    case ErrorCode::unknown_twin:
        return "unknown_twin";
    case ErrorCode::unknown_relationship:
        return "unknown_relationship";
    case ErrorCode::unknown_alert:
        return "unknown_alert";
    case ErrorCode::already_exists:
        return "already_exists";
    case ErrorCode::invalid_value:
        return "invalid_value";
    case ErrorCode::invalid_patch:
        return "invalid_patch";
    case ErrorCode::test_failed:
        return "test_failed";
    case ErrorCode::precondition_failed:
        return "precondition_failed";
    case ErrorCode::in_use:
        return "in_use";
    case ErrorCode::storage:
        return "storage";
    case ErrorCode::io:
        return "io";
    }
    return "unknown";
}

} // namespace dtwin::core
