#include "core/twin_layout.hpp"

#include "core/json_patch.hpp"

namespace dtwin::core {

namespace {

/// Appends the slots of one interface's properties (sorted by name: std::map order).
Result<void> add_slots(const Interface& model, std::string_view prefix, std::uint32_t component,
                       std::vector<SlotInfo>& slots, std::map<std::string, std::uint32_t, std::less<>>& index) {
    for (const auto& [name, property] : model.properties) {
        if (property.schema == nullptr) {
            return fail(ErrorCode::invalid_model, "property \"" + name + "\" has no schema", model.id);
        }
        index.emplace(name, static_cast<std::uint32_t>(slots.size()));
        slots.push_back(SlotInfo{name, child_pointer(prefix, name), property.schema, component});
    }
    return {};
}

} // namespace

Result<std::shared_ptr<const TwinLayout>>
TwinLayout::build(InterfacePtr model, const std::function<InterfacePtr(std::string_view)>& find_model) {
    if (model == nullptr) {
        return fail(ErrorCode::unknown_model, "no model");
    }
    auto layout = std::make_shared<TwinLayout>();
    layout->m_model = model;
    if (auto ok = add_slots(*model, "", k_root_component, layout->m_slots, layout->m_root_slots); !ok) {
        return std::unexpected(ok.error());
    }
    for (const auto& [name, definition] : model->components) {
        auto component_model = find_model(definition.schema);
        if (component_model == nullptr) {
            return fail(ErrorCode::unknown_model,
                        "component \"" + name + "\" uses " + definition.schema + ", which is not loaded", model->id);
        }
        if (!component_model->components.empty()) {
            return fail(ErrorCode::invalid_model,
                        "component \"" + name + "\" uses " + definition.schema + ", which has components itself",
                        model->id);
        }
        const auto index = static_cast<std::uint32_t>(layout->m_components.size());
        ComponentLayout component{name, child_pointer("", name), component_model, {}};
        if (auto ok = add_slots(*component_model, component.pointer, index, layout->m_slots, component.slots); !ok) {
            return std::unexpected(ok.error());
        }
        layout->m_component_index.emplace(name, index);
        layout->m_components.push_back(std::move(component));
    }
    return std::shared_ptr<const TwinLayout>(std::move(layout));
}

std::optional<std::uint32_t> TwinLayout::find_property(std::string_view name) const {
    const auto it = m_root_slots.find(name);
    return it == m_root_slots.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::uint32_t> TwinLayout::find_component(std::string_view name) const {
    const auto it = m_component_index.find(name);
    return it == m_component_index.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::uint32_t> TwinLayout::find_component_property(std::uint32_t component, std::string_view name) const {
    const auto& slots = m_components[component].slots;
    const auto it = slots.find(name);
    return it == slots.end() ? std::nullopt : std::optional(it->second);
}

} // namespace dtwin::core
