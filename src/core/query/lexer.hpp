// The lexer of the query language: expression text -> tokens.
//
// It knows the whole vocabulary of the Azure Digital Twins query language, not only what
// a WHERE clause needs, so that the parser can grow into SELECT ... FROM ... JOIN ...
// WHERE without a new lexer:
//   - words: identifiers (`angle`, `$dtId`, `$metadata`) and reserved keywords, matched
//     case-insensitively (`and`, `And`, `AND`); a keyword used as a name is escaped in
//     double brackets as in ADT: `[[group]]` is the identifier `group`;
//   - string literals in single or double quotes with backslash escapes
//     (\' \" \\ \/ \b \f \n \r \t \uXXXX, surrogate pairs joined);
//   - numbers: digits, optional fraction, optional exponent (`12`, `0.5`, `1e-3`);
//     integers that fit in 64 bits stay integers, all others become doubles;
//   - punctuation and operators: = != < <= > >= + - * / % ( ) [ ] , .
//
// Pure function, no shared state: callable from any thread.
#pragma once

#include "core/error.hpp"
#include "core/query/source_position.hpp"

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core::query {

enum class TokenKind {
    end, ///< end of the text; always the last token
    identifier,
    keyword,
    string,
    number,
    equal,         ///< =
    not_equal,     ///< !=
    less,          ///< <
    less_equal,    ///< <=
    greater,       ///< >
    greater_equal, ///< >=
    plus,          ///< +
    minus,         ///< -
    star,          ///< *
    slash,         ///< /
    percent,       ///< %
    left_paren,    ///< (
    right_paren,   ///< )
    left_bracket,  ///< [
    right_bracket, ///< ]
    comma,         ///< ,
    dot,           ///< .
};

/// Reserved words: the WHERE clause's and those of the query clauses still to come.
/// They cannot be identifiers unless escaped (`[[from]]`). Function names are not
/// keywords: `abs` is a property, `abs(x)` a call.
enum class Keyword {
    and_,
    or_,
    not_,
    in,
    nin,
    true_,
    false_,
    null,
    select,
    from,
    where,
    join,
    related,
    as,
};

/// The keyword's canonical spelling: "AND", "NIN", ...
[[nodiscard]] std::string_view keyword_name(Keyword keyword) noexcept;

/// The keyword `word` is, in any letter case, or nullopt for a plain word.
[[nodiscard]] std::optional<Keyword> find_keyword(std::string_view word) noexcept;

struct Token {
    TokenKind kind = TokenKind::end;
    Keyword keyword = Keyword::and_; ///< meaningful only when kind == keyword
    /// identifier: the name; keyword, number, operator: the text as written;
    /// string: the decoded value (quotes removed, escapes resolved); end: empty.
    std::string text;
    /// number: the value (std::int64_t or double); otherwise null.
    boost::json::value number;
    SourcePosition position;

    [[nodiscard]] bool is(Keyword k) const noexcept { return kind == TokenKind::keyword && keyword == k; }
};

/// How a token is named in messages: "'AND'", "string 'closed'", "end of input".
[[nodiscard]] std::string describe(const Token& token);

/// Splits `text` into tokens, the last one of kind `end` (positioned just after the text).
///
/// Errors (ErrorCode::invalid_value, `where` = "line:column" of the offending character):
/// a character outside the language, an unterminated string or escape, a malformed
/// number ("12abc", "1e"), '!' without '='.
[[nodiscard]] Result<std::vector<Token>> tokenize(std::string_view text);

} // namespace dtwin::core::query
