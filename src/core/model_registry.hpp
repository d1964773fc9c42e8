// ModelRegistry: the DTDL interfaces a twin graph knows, by DTMI.
//
// Holds resolved interfaces (model.hpp, produced by the DTDL parser) and, lazily, the
// TwinLayout of each one that twins are created from. Models are immutable once added:
// a new version of a model is a new DTMI (";2"), as in DTDL and Azure Digital Twins.
//
// Threads: not synchronised. Owned by one TwinGraph and changed only by its single writer;
// the const members (find, find_layout, ...) may be called from several threads at once
// while nobody changes the registry (e.g. loader threads reading twins at start).
#pragma once

#include "core/error.hpp"
#include "core/model.hpp"
#include "core/twin_layout.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core {

class ModelRegistry {
public:
    /// Adds an interface, and builds the layout of every model that can now be laid out
    /// (this one, and those that were waiting for it as a component's interface).
    /// Errors: invalid_model for a null pointer or an empty id, already_exists when the
    /// DTMI is taken.
    [[nodiscard]] Result<void> add(InterfacePtr model);

    /// The interface with this DTMI, or null.
    [[nodiscard]] InterfacePtr find(std::string_view id) const;

    [[nodiscard]] bool contains(std::string_view id) const { return find(id) != nullptr; }

    /// Removes a model. The caller (TwinGraph) checks that no twin uses it first.
    /// Error: unknown_model.
    [[nodiscard]] Result<void> remove(std::string_view id);

    /// Marks a model decommissioned (Azure Digital Twins semantics: existing twins stay,
    /// no new twins of it may be created). Error: unknown_model.
    [[nodiscard]] Result<void> set_decommissioned(std::string_view id, bool decommissioned);
    [[nodiscard]] bool is_decommissioned(std::string_view id) const;

    /// All DTMIs, sorted.
    [[nodiscard]] std::vector<std::string> ids() const;
    [[nodiscard]] std::size_t size() const noexcept { return m_models.size(); }

    /// The layout of twins of `id` if it is built (see add), else null. Const: safe for
    /// concurrent readers.
    [[nodiscard]] TwinLayoutPtr find_layout(std::string_view id) const;

    /// The layout of twins of `id`, built on first use and cached.
    /// Errors: unknown_model (the model or one of its components' interfaces is missing),
    /// invalid_model (see TwinLayout::build).
    [[nodiscard]] Result<TwinLayoutPtr> layout(std::string_view id);

private:
    struct Entry {
        InterfacePtr model;
        TwinLayoutPtr layout; ///< null until first needed
        bool decommissioned = false;
    };
    std::map<std::string, Entry, std::less<>> m_models;
};

} // namespace dtwin::core
