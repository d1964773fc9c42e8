#include "core/model_registry.hpp"

namespace dtwin::core {

Result<void> ModelRegistry::add(InterfacePtr model) {
    if (model == nullptr || model->id.empty()) {
        return fail(ErrorCode::invalid_model, "a model needs an id");
    }
    if (m_models.contains(model->id)) {
        return fail(ErrorCode::already_exists, "model is already loaded", model->id);
    }
    const std::string id = model->id;
    m_models.emplace(id, Entry{std::move(model), nullptr, false});
    // Build what can be built now, so that find_layout() (const, usable from loader
    // threads) finds it. A model whose component interfaces are still missing is laid
    // out when the last of them arrives.
    for (auto& [other_id, entry] : m_models) {
        if (entry.layout == nullptr) {
            (void)layout(other_id);
        }
    }
    return {};
}

TwinLayoutPtr ModelRegistry::find_layout(std::string_view id) const {
    const auto it = m_models.find(id);
    return it == m_models.end() ? nullptr : it->second.layout;
}

InterfacePtr ModelRegistry::find(std::string_view id) const {
    const auto it = m_models.find(id);
    return it == m_models.end() ? nullptr : it->second.model;
}

Result<void> ModelRegistry::remove(std::string_view id) {
    const auto it = m_models.find(id);
    if (it == m_models.end()) {
        return fail(ErrorCode::unknown_model, "model is not loaded", std::string(id));
    }
    m_models.erase(it);
    return {};
}

Result<void> ModelRegistry::set_decommissioned(std::string_view id, bool decommissioned) {
    const auto it = m_models.find(id);
    if (it == m_models.end()) {
        return fail(ErrorCode::unknown_model, "model is not loaded", std::string(id));
    }
    it->second.decommissioned = decommissioned;
    return {};
}

bool ModelRegistry::is_decommissioned(std::string_view id) const {
    const auto it = m_models.find(id);
    return it != m_models.end() && it->second.decommissioned;
}

std::vector<std::string> ModelRegistry::ids() const {
    std::vector<std::string> out;
    out.reserve(m_models.size());
    for (const auto& [id, entry] : m_models) {
        out.push_back(id);
    }
    return out;
}

Result<TwinLayoutPtr> ModelRegistry::layout(std::string_view id) {
    const auto it = m_models.find(id);
    if (it == m_models.end()) {
        return fail(ErrorCode::unknown_model, "model is not loaded", std::string(id));
    }
    if (it->second.layout == nullptr) {
        auto built = TwinLayout::build(it->second.model, [this](std::string_view dtmi) { return find(dtmi); });
        if (!built) {
            return std::unexpected(built.error());
        }
        it->second.layout = std::move(*built);
    }
    return it->second.layout;
}

} // namespace dtwin::core
