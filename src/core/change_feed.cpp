#include "core/change_feed.hpp"

namespace dtwin::core {

std::string_view change_kind_name(ChangeKind kind) noexcept {
    switch (kind) {
    case ChangeKind::twin_created:
        return "twin_created";
    case ChangeKind::twin_replaced:
        return "twin_replaced";
    case ChangeKind::twin_patched:
        return "twin_patched";
    case ChangeKind::twin_deleted:
        return "twin_deleted";
    case ChangeKind::relationship_created:
        return "relationship_created";
    case ChangeKind::relationship_patched:
        return "relationship_patched";
    case ChangeKind::relationship_deleted:
        return "relationship_deleted";
    }
    return "unknown";
}

} // namespace dtwin::core
