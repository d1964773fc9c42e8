// RuleContext: what a rule's condition reads (core::query::EvaluationContext) over the
// twin graph, for one twin and one rule.
//
//   - An unqualified path reads the twin: its root properties, "$dtId", "$metadata"
//     ({"$model": ...}) and components; further segments walk into object values.
//   - A path whose first segment is one of the rule's `related` aliases reads the first
//     twin found through the alias's relationship (TwinGraph::list_relationships order):
//     "incoming:<rel>" = the source of a relationship <rel> whose target is this twin,
//     "outgoing:<rel>" = the target of this twin's relationship <rel>. Undefined when there
//     is none.
//   - PREVIOUS(path) of an unqualified path: the value in `previous_values` for a changed
//     property, undefined for a changed property that had no value, and the current value
//     for a property this update did not change. Undefined through an alias.
//
// Every value read is remembered (reads()), keyed by the dotted path ("angle",
// "door.doorState"), so that alerts can carry the inputs they fired on.
//
// Threads: the caller's; it borrows the graph and must not outlive the update it
// evaluates (the graph must not change while it is used).
#pragma once

#include "core/query/evaluator.hpp"
#include "core/twin_graph.hpp"
#include "engine/rule_definition.hpp"

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::engine {

class RuleContext : public core::query::EvaluationContext {
public:
    /// @p twin must be a twin of @p graph; the rule, graph, change lists and values are
    /// borrowed for the context's lifetime.
    RuleContext(const core::TwinGraph& graph, const core::Twin& twin, const RuleDefinition& rule,
                const std::vector<std::string>& changed_properties,
                const std::map<std::string, boost::json::value>& previous_values);

    [[nodiscard]] core::Result<std::optional<boost::json::value>>
    resolve(std::span<const std::string> path) const override;
    [[nodiscard]] core::Result<std::optional<boost::json::value>>
    previous(std::span<const std::string> path) const override;
    [[nodiscard]] core::Result<bool> is_of_model(std::string_view alias, std::string_view model_id,
                                                 bool exact) const override;

    /// The values read so far, by dotted path (undefined values are left out).
    [[nodiscard]] const boost::json::object& reads() const noexcept { return m_reads; }

private:
    /// The twin an alias names: nullptr when the alias is not the rule's or names no twin.
    [[nodiscard]] const core::Twin* aliased_twin(std::string_view alias) const;
    [[nodiscard]] std::optional<boost::json::value> read_twin(const core::Twin& twin,
                                                              std::span<const std::string> path) const;

    const core::TwinGraph& m_graph;
    const core::Twin& m_twin;
    const RuleDefinition& m_rule;
    const std::vector<std::string>& m_changed;
    const std::map<std::string, boost::json::value>& m_previous;
    mutable boost::json::object m_reads;
};

/// A dotted path ("door.doorState") as resolve() takes it: {"door", "doorState"}.
[[nodiscard]] std::vector<std::string> split_dotted(std::string_view dotted);

/// The twin a rule alias's relationship ("incoming:<rel>" or "outgoing:<rel>") leads to
/// from @p twin_id: the first one found, or nullptr (none, or a malformed relationship).
[[nodiscard]] const core::Twin* follow_alias(const core::TwinGraph& graph, std::string_view twin_id,
                                             std::string_view relationship);

} // namespace dtwin::engine
