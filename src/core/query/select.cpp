#include "core/query/select.hpp"

#include "core/query/lexer.hpp"
#include "core/query/parser.hpp"

#include <algorithm>
#include <cctype>

namespace dtwin::core::query {

namespace {

constexpr std::size_t k_max_query_length = 8'000;

bool is_word(const Token& token, std::string_view word) {
    if (token.kind != TokenKind::identifier || token.text.size() != word.size()) {
        return false;
    }
    return std::equal(word.begin(), word.end(), token.text.begin(), [](char a, char b) {
        return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
    });
}

Error error_at(const Token& token, std::string message) {
    return Error{ErrorCode::invalid_value, std::move(message), token.position.to_string()};
}

class SelectParser {
public:
    explicit SelectParser(std::span<const Token> tokens) : m_expressions(tokens) {}

    Result<SelectQuery> parse() {
        SelectQuery query;
        if (!current().is(Keyword::select)) {
            return std::unexpected(m_expressions.expected("SELECT"));
        }
        advance();
        if (auto selected = parse_select_list(query); !selected) {
            return std::unexpected(selected.error());
        }
        if (!current().is(Keyword::from)) {
            return std::unexpected(m_expressions.expected("FROM"));
        }
        advance();
        if (is_word(current(), "DIGITALTWINS")) {
            query.collection = QueryCollection::digital_twins;
        } else if (is_word(current(), "RELATIONSHIPS")) {
            query.collection = QueryCollection::relationships;
        } else {
            return std::unexpected(m_expressions.expected("DIGITALTWINS or RELATIONSHIPS"));
        }
        advance();
        if (current().kind == TokenKind::identifier && !is_word(current(), "MATCH")) {
            query.alias = current().text;
            advance();
        }
        if (current().is(Keyword::join) || is_word(current(), "MATCH")) {
            return std::unexpected(error_at(current(), std::string(current().is(Keyword::join) ? "JOIN" : "MATCH") +
                                                           " is not supported by dtwin yet"));
        }
        if (current().is(Keyword::where)) {
            advance();
            auto condition = m_expressions.parse_expression();
            if (!condition) {
                return std::unexpected(condition.error());
            }
            query.where = std::move(*condition);
        }
        if (current().kind != TokenKind::end) {
            return std::unexpected(m_expressions.expected("WHERE or the end of the query"));
        }
        // A projection naming the collection's alias alone is the whole row.
        return query;
    }

private:
    const Token& current() const { return m_expressions.current(); }
    void advance() { m_expressions.advance(); }

    Result<void> expect(TokenKind kind, std::string_view what) {
        if (current().kind != kind) {
            return std::unexpected(m_expressions.expected(what));
        }
        advance();
        return {};
    }

    Result<void> parse_select_list(SelectQuery& query) {
        if (is_word(current(), "TOP")) {
            advance();
            if (auto open = expect(TokenKind::left_paren, "'('"); !open) {
                return open;
            }
            if (current().kind != TokenKind::number || !current().number.is_int64() ||
                current().number.get_int64() < 1) {
                return std::unexpected(error_at(current(), "TOP needs a whole number of at least 1"));
            }
            query.top = current().number.get_int64();
            advance();
            if (auto close = expect(TokenKind::right_paren, "')'"); !close) {
                return close;
            }
            if (current().is(Keyword::from)) {
                return {}; // SELECT TOP(5) FROM ...: whole rows
            }
        }
        if (current().kind == TokenKind::star) {
            advance();
            return {};
        }
        if (is_word(current(), "COUNT")) {
            advance();
            if (auto open = expect(TokenKind::left_paren, "'(' after COUNT"); !open) {
                return open;
            }
            if (auto close = expect(TokenKind::right_paren, "')': COUNT() takes no arguments"); !close) {
                return close;
            }
            query.count = true;
            return {};
        }
        while (true) {
            const Token& start = current();
            auto expression = m_expressions.parse_expression();
            if (!expression) {
                return std::unexpected(expression.error());
            }
            const auto* path = (*expression)->as<MemberPath>();
            if (path == nullptr) {
                return std::unexpected(error_at(start, "a projection must be a property path such as T.name"));
            }
            Projection projection{path->segments, path->segments.back()};
            if (current().is(Keyword::as)) {
                advance();
                if (current().kind != TokenKind::identifier) {
                    return std::unexpected(m_expressions.expected("a name after AS"));
                }
                projection.name = current().text;
                advance();
            }
            query.projections.push_back(std::move(projection));
            if (current().kind != TokenKind::comma) {
                return {};
            }
            advance();
        }
    }

    ExpressionParser m_expressions;
};

} // namespace

Result<SelectQuery> parse_select(std::string_view text) {
    if (text.size() > k_max_query_length) {
        return fail(ErrorCode::invalid_value, "the query has " + std::to_string(text.size()) + " characters; at most " +
                                                  std::to_string(k_max_query_length) + " are allowed");
    }
    auto tokens = tokenize(text);
    if (!tokens) {
        return std::unexpected(tokens.error());
    }
    return SelectParser(*tokens).parse();
}

} // namespace dtwin::core::query
