// TwinLayout: the compact, shared shape of every twin of one model.
//
// A twin of a model stores its property values in a flat vector of slots (see twin.hpp).
// The layout says which property each slot holds: its name, its schema, the JSON pointer
// it lives at in the twin document, and whether it belongs to the twin itself or to one
// of its components. Property names are therefore stored once per model (interned), not
// once per twin: with a million twins of one model this is most of the memory saved.
//
// Slot order: the root properties sorted by name, then each component (sorted by name)
// with its properties sorted by name. The order is deterministic, so two graphs built
// from the same models lay out twins identically.
//
// Immutable after build(); shared between twins by shared_ptr<const TwinLayout>, safe to
// read from any thread.
#pragma once

#include "core/error.hpp"
#include "core/model.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core {

/// Marks a slot of the twin itself rather than of a component.
inline constexpr std::uint32_t k_root_component = UINT32_MAX;

/// What one slot of a twin holds.
struct SlotInfo {
    std::string name;    ///< property name as declared in the model
    std::string pointer; ///< JSON pointer in the twin document: "/temperature", "/thermostat/target"
    SchemaPtr schema;    ///< schema of the value (never null for a valid model)
    std::uint32_t component = k_root_component; ///< index into TwinLayout::components(), or root
};

/// One component of the model: a named sub-document with the properties of its own interface.
struct ComponentLayout {
    std::string name;                                        ///< component name, the key of the sub-document
    std::string pointer;                                     ///< "/<escaped name>"
    InterfacePtr model;                                      ///< the component's interface
    std::map<std::string, std::uint32_t, std::less<>> slots; ///< property name -> slot index
};

class TwinLayout {
public:
    /// Builds the layout of `model`. `find_model` resolves the interfaces of components
    /// (by DTMI); it may return null for an unknown one.
    ///
    /// Errors: unknown_model when a component's interface is not loaded; invalid_model
    /// when a component's interface has components itself (DTDL forbids nesting) or a
    /// property has no schema.
    [[nodiscard]] static Result<std::shared_ptr<const TwinLayout>>
    build(InterfacePtr model, const std::function<InterfacePtr(std::string_view)>& find_model);

    [[nodiscard]] const InterfacePtr& model() const noexcept { return m_model; }
    [[nodiscard]] const std::string& model_id() const noexcept { return m_model->id; }

    [[nodiscard]] std::span<const SlotInfo> slots() const noexcept { return m_slots; }
    [[nodiscard]] std::size_t slot_count() const noexcept { return m_slots.size(); }
    [[nodiscard]] const SlotInfo& slot(std::uint32_t index) const { return m_slots[index]; }

    [[nodiscard]] std::span<const ComponentLayout> components() const noexcept { return m_components; }

    /// Slot of a root property, or nullopt when the model declares no such property.
    [[nodiscard]] std::optional<std::uint32_t> find_property(std::string_view name) const;

    /// Index of a component, or nullopt.
    [[nodiscard]] std::optional<std::uint32_t> find_component(std::string_view name) const;

    /// Slot of a property of a component, or nullopt.
    [[nodiscard]] std::optional<std::uint32_t> find_component_property(std::uint32_t component,
                                                                       std::string_view name) const;

private:
    InterfacePtr m_model;
    std::vector<SlotInfo> m_slots;
    std::map<std::string, std::uint32_t, std::less<>> m_root_slots;
    std::vector<ComponentLayout> m_components;
    std::map<std::string, std::uint32_t, std::less<>> m_component_index;
};

using TwinLayoutPtr = std::shared_ptr<const TwinLayout>;

} // namespace dtwin::core
