// check_rules_against_models: the part of the `[[rule]]` checks that needs the DTDL
// models, so it runs in `dtwin serve` once the store's models are loaded.
#include "app/rule_config.hpp"

#include "core/query/expression.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <string_view>

namespace dtwin::app {

namespace {

using engine::RuleDefinition;

/// The error of check_rules_against_models for `rule`.
std::unexpected<core::Error> model_error(const RuleDefinition& rule, std::string message) {
    return core::fail(core::ErrorCode::invalid_value, std::move(message),
                      rule.source.empty() ? fmt::format("rule {}", rule.name)
                                          : fmt::format("{}: rule {}", rule.source, rule.name));
}

core::Result<void> check_property(const RuleDefinition& rule, const core::Interface& model, std::string_view key,
                                  std::string_view property, bool component_allowed) {
    if (model.properties.contains(property) || (component_allowed && model.components.contains(property))) {
        return {};
    }
    return model_error(rule, fmt::format("{}: \"{}\" is not a property of {}", key, property, model.id));
}

core::Result<void> check_related(const RuleDefinition& rule, const core::Interface& model,
                                 const core::ModelRegistry& models) {
    for (const auto& [alias, value] : rule.related) {
        const std::string_view text = value;
        const auto colon = text.find(':');
        const auto relationship = text.substr(colon + 1);
        bool known = false;
        if (text.starts_with("outgoing:")) {
            known = model.relationships.contains(relationship);
        } else {
            const auto ids = models.ids();
            known = std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
                const auto other = models.find(id);
                return other != nullptr && other->relationships.contains(relationship);
            });
        }
        if (!known) {
            return model_error(rule, fmt::format("related.{}: \"{}\" is not a relationship of {}", alias, relationship,
                                                 text.starts_with("outgoing:") ? model.id : "any loaded model"));
        }
    }
    return {};
}

core::Result<void> check_rule(const RuleDefinition& rule, const core::Interface& model,
                              const core::ModelRegistry& models) {
    if (auto related = check_related(rule, model, models); !related) {
        return related;
    }
    if (rule.condition) {
        for (const auto& path : core::query::referenced_paths(*rule.condition)) {
            const auto& first = path.segments.front();
            if (path.use == core::query::PathUse::model || rule.related.contains(first) || first.starts_with('$')) {
                continue;
            }
            const auto key = fmt::format("condition {}", path.position.to_string());
            if (auto known = check_property(rule, model, key, first, true); !known) {
                return known;
            }
        }
    }
    if (rule.detector) {
        const auto& property =
            std::visit([](const auto& d) -> const std::string& { return d.property; }, *rule.detector);
        if (auto known = check_property(rule, model, "detector.property", property, false); !known) {
            return known;
        }
    }
    for (const auto* writes : {&rule.set_properties, &rule.reset_properties}) {
        const std::string_view key = writes == &rule.set_properties ? "set" : "reset";
        for (const auto& [property, value] : *writes) {
            const auto shown = fmt::format("{}.{}", key, std::string_view(property));
            if (auto known = check_property(rule, model, shown, property, false); !known) {
                return known;
            }
        }
    }
    return {};
}

} // namespace

core::Result<void> check_rules_against_models(const std::vector<RuleDefinition>& rules,
                                              const core::ModelRegistry& models) {
    for (const auto& rule : rules) {
        if (rule.selector.model.empty()) {
            continue;
        }
        const auto model = models.find(rule.selector.model);
        if (model == nullptr) {
            return model_error(rule,
                               fmt::format("model: \"{}\" is not loaded (dtwin model import)", rule.selector.model));
        }
        if (auto checked = check_rule(rule, *model, models); !checked) {
            return checked;
        }
    }
    return {};
}

} // namespace dtwin::app
