#include "core/query/query_executor.hpp"

#include "core/query/evaluator.hpp"
#include "core/twin_json.hpp"

namespace dtwin::core::query {

namespace json = boost::json;

namespace {

// One row of the query: a twin or relationship as ADT JSON. Paths start at the row,
// after the collection's alias when the query has one ("T.temperature").
class RowContext final : public EvaluationContext {
public:
    RowContext(const json::object& row, std::string_view alias, const TwinGraph& graph, const Twin* twin)
        : m_row(row), m_alias(alias), m_graph(graph), m_twin(twin) {}

    Result<std::optional<json::value>> resolve(std::span<const std::string> path) const override {
        return value_at(path);
    }

    Result<std::optional<json::value>> previous(std::span<const std::string>) const override { return std::nullopt; }

    Result<bool> is_of_model(std::string_view alias, std::string_view model_id, bool exact) const override {
        if (!alias.empty() && alias != m_alias) {
            return fail(ErrorCode::invalid_value,
                        "IS_OF_MODEL names '" + std::string(alias) + "', which is not the query's collection alias");
        }
        if (m_twin == nullptr) {
            return false;
        }
        if (exact) {
            return m_twin->model_id() == model_id;
        }
        const auto model = m_graph.find_model(m_twin->model_id());
        return model != nullptr && model->is_a(model_id);
    }

    // The value at `path` (the alias first, if the query has one), or nullopt.
    std::optional<json::value> value_at(std::span<const std::string> path) const {
        std::size_t start = 0;
        if (!m_alias.empty() && !path.empty() && path[0] == m_alias) {
            start = 1;
        }
        if (start == path.size()) {
            return json::value(m_row);
        }
        const json::value* current = nullptr;
        const json::object* object = &m_row;
        for (std::size_t i = start; i < path.size(); ++i) {
            if (object == nullptr) {
                return std::nullopt;
            }
            current = object->if_contains(path[i]);
            if (current == nullptr) {
                return std::nullopt;
            }
            object = current->if_object();
        }
        return *current;
    }

private:
    const json::object& m_row;
    std::string_view m_alias;
    const TwinGraph& m_graph;
    const Twin* m_twin;
};

class Runner {
public:
    Runner(const TwinGraph& graph, const SelectQuery& query, std::size_t offset, std::size_t page_size)
        : m_graph(graph), m_query(query), m_offset(offset), m_page_size(page_size) {}

    Result<QueryPage> run() {
        if (m_query.collection == QueryCollection::digital_twins) {
            m_graph.for_each_twin([&](const Twin& twin) {
                if (!m_error && !m_done) {
                    visit(core::twin_to_json(twin), &twin);
                }
            });
        } else {
            m_graph.for_each_twin([&](const Twin& twin) {
                if (m_error || m_done) {
                    return;
                }
                auto outgoing = m_graph.list_relationships(twin.id(), RelationshipDirection::outgoing);
                if (!outgoing) {
                    return;
                }
                for (const auto& relationship : *outgoing) {
                    if (!m_error && !m_done) {
                        visit(core::relationship_to_json(relationship), nullptr);
                    }
                }
            });
        }
        if (m_error) {
            return std::unexpected(*m_error);
        }
        if (m_query.count) {
            m_page.rows.push_back(json::object{{"COUNT", m_matches}});
            m_page.more = false;
        }
        return std::move(m_page);
    }

private:
    void visit(const json::object& row, const Twin* twin) {
        ++m_page.scanned;
        const RowContext context(row, m_query.alias, m_graph, twin);
        if (m_query.where) {
            auto matched = evaluate_condition(*m_query.where, context);
            if (!matched) {
                m_error = matched.error();
                return;
            }
            if (!*matched) {
                return;
            }
        }
        const std::size_t index = m_matches++;
        if (m_query.top && m_matches >= static_cast<std::size_t>(*m_query.top)) {
            m_done = true; // TOP(n): no row beyond the n-th matters
        }
        if (m_query.count || index < m_offset) {
            return;
        }
        if (m_page.rows.size() == m_page_size) {
            m_page.more = true;
            m_done = true;
            return;
        }
        m_page.rows.push_back(project(row, context));
    }

    json::value project(const json::object& row, const RowContext& context) const {
        if (m_query.projections.empty()) {
            return row;
        }
        json::object result;
        for (const auto& projection : m_query.projections) {
            if (auto value = context.value_at(projection.path)) {
                result[projection.name] = std::move(*value);
            }
        }
        return result;
    }

    const TwinGraph& m_graph;
    const SelectQuery& m_query;
    std::size_t m_offset;
    std::size_t m_page_size;
    QueryPage m_page;
    std::size_t m_matches = 0;
    bool m_done = false;
    std::optional<Error> m_error;
};

} // namespace

Result<QueryPage> run_select(const TwinGraph& graph, const SelectQuery& query, std::size_t offset,
                             std::size_t page_size) {
    return Runner(graph, query, offset, page_size).run();
}

} // namespace dtwin::core::query
