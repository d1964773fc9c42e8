#include "core/query/lexer.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <utility>

namespace dtwin::core::query {

namespace {

constexpr std::array<std::pair<std::string_view, Keyword>, 14> k_keywords{{
    {"AND", Keyword::and_},
    {"OR", Keyword::or_},
    {"NOT", Keyword::not_},
    {"IN", Keyword::in},
    {"NIN", Keyword::nin},
    {"TRUE", Keyword::true_},
    {"FALSE", Keyword::false_},
    {"NULL", Keyword::null},
    {"SELECT", Keyword::select},
    {"FROM", Keyword::from},
    {"WHERE", Keyword::where},
    {"JOIN", Keyword::join},
    {"RELATED", Keyword::related},
    {"AS", Keyword::as},
}};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_word_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool is_word_part(char c) {
    return is_word_start(c) || is_digit(c);
}

char ascii_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

Token token_of(TokenKind kind, std::string text, SourcePosition position) {
    Token token;
    token.kind = kind;
    token.text = std::move(text);
    token.position = position;
    return token;
}

// Walks the text keeping line and column up to date.
class Lexer {
public:
    explicit Lexer(std::string_view text) : m_text(text) {}

    Result<std::vector<Token>> run() {
        std::vector<Token> tokens;
        for (;;) {
            skip_whitespace();
            auto token = next();
            if (!token) {
                return std::unexpected(std::move(token.error()));
            }
            const bool done = token->kind == TokenKind::end;
            tokens.push_back(std::move(*token));
            if (done) {
                return tokens;
            }
        }
    }

private:
    [[nodiscard]] bool at_end() const { return m_offset >= m_text.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return m_offset + ahead < m_text.size() ? m_text[m_offset + ahead] : '\0';
    }

    void advance() {
        if (m_text[m_offset] == '\n') {
            ++m_position.line;
            m_position.column = 1;
        } else if ((static_cast<unsigned char>(m_text[m_offset]) & 0xC0U) != 0x80U) {
            ++m_position.column; // count characters, not UTF-8 continuation bytes
        }
        ++m_offset;
    }

    void skip_whitespace() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) {
            advance();
        }
    }

    [[nodiscard]] std::unexpected<Error> error_at(SourcePosition position, std::string message) const {
        return fail(ErrorCode::invalid_value, std::move(message), position.to_string());
    }

    Token make(TokenKind kind, SourcePosition position, std::size_t length) {
        Token token = token_of(kind, std::string(m_text.substr(m_offset, length)), position);
        for (std::size_t i = 0; i < length; ++i) {
            advance();
        }
        return token;
    }

    Result<Token> next() {
        const SourcePosition start = m_position;
        if (at_end()) {
            return token_of(TokenKind::end, {}, start);
        }
        const char c = peek();
        if (is_word_start(c)) {
            return word(start);
        }
        if (is_digit(c)) {
            return number(start);
        }
        if (c == '\'' || c == '"') {
            return string(start);
        }
        if (c == '[' && peek(1) == '[') {
            if (auto escaped = escaped_identifier(start)) {
                return std::move(*escaped);
            }
        }
        return punctuation(start);
    }

    Result<Token> punctuation(SourcePosition start) {
        switch (peek()) {
        case '=':
            return make(TokenKind::equal, start, 1);
        case '<':
            return peek(1) == '=' ? make(TokenKind::less_equal, start, 2) : make(TokenKind::less, start, 1);
        case '>':
            return peek(1) == '=' ? make(TokenKind::greater_equal, start, 2) : make(TokenKind::greater, start, 1);
        case '!':
            if (peek(1) == '=') {
                return make(TokenKind::not_equal, start, 2);
            }
            return error_at(start, "expected '!=' but found '!' alone (use NOT for negation)");
        case '+':
            return make(TokenKind::plus, start, 1);
        case '-':
            return make(TokenKind::minus, start, 1);
        case '*':
            return make(TokenKind::star, start, 1);
        case '/':
            return make(TokenKind::slash, start, 1);
        case '%':
            return make(TokenKind::percent, start, 1);
        case '(':
            return make(TokenKind::left_paren, start, 1);
        case ')':
            return make(TokenKind::right_paren, start, 1);
        case '[':
            return make(TokenKind::left_bracket, start, 1);
        case ']':
            return make(TokenKind::right_bracket, start, 1);
        case ',':
            return make(TokenKind::comma, start, 1);
        case '.':
            return make(TokenKind::dot, start, 1);
        default:
            return error_at(start, "unexpected character '" + std::string(character_at(m_offset)) + "'");
        }
    }

    // The whole UTF-8 sequence starting at `offset`, for messages.
    [[nodiscard]] std::string_view character_at(std::size_t offset) const {
        std::size_t length = 1;
        while (offset + length < m_text.size() &&
               (static_cast<unsigned char>(m_text[offset + length]) & 0xC0U) == 0x80U) {
            ++length;
        }
        return m_text.substr(offset, length);
    }

    Token word(SourcePosition start) {
        std::size_t length = 0;
        while (m_offset + length < m_text.size() && is_word_part(m_text[m_offset + length])) {
            ++length;
        }
        Token token = make(TokenKind::identifier, start, length);
        if (const auto keyword = find_keyword(token.text)) {
            token.kind = TokenKind::keyword;
            token.keyword = *keyword;
        }
        return token;
    }

    // `[[name]]`: a reserved word (or any word) used as an identifier. Nullopt when the
    // text at `[[` is not exactly that shape (then it is two brackets).
    std::optional<Token> escaped_identifier(SourcePosition start) {
        std::size_t length = 2;
        if (!is_word_start(peek(length))) {
            return std::nullopt;
        }
        while (is_word_part(peek(length))) {
            ++length;
        }
        if (peek(length) != ']' || peek(length + 1) != ']') {
            return std::nullopt;
        }
        Token token = make(TokenKind::identifier, start, length + 2);
        token.text = token.text.substr(2, length - 2);
        return token;
    }

    Result<Token> number(SourcePosition start) {
        std::size_t length = 0;
        auto digits = [&] {
            const std::size_t before = length;
            while (is_digit(peek(length))) {
                ++length;
            }
            return length > before;
        };
        digits();
        bool integral = true;
        if (peek(length) == '.') {
            ++length;
            integral = false;
            if (!digits()) {
                return error_at(start, "malformed number '" + std::string(m_text.substr(m_offset, length)) +
                                           "': expected a digit after '.'");
            }
        }
        if (peek(length) == 'e' || peek(length) == 'E') {
            ++length;
            integral = false;
            if (peek(length) == '+' || peek(length) == '-') {
                ++length;
            }
            if (!digits()) {
                return error_at(start, "malformed number '" + std::string(m_text.substr(m_offset, length)) +
                                           "': expected a digit in the exponent");
            }
        }
        if (is_word_part(peek(length)) || peek(length) == '.') {
            std::size_t bad = length;
            while (is_word_part(peek(bad)) || peek(bad) == '.') {
                ++bad;
            }
            return error_at(start, "malformed number '" + std::string(m_text.substr(m_offset, bad)) + "'");
        }
        const std::string_view lexeme = m_text.substr(m_offset, length);
        boost::json::value value;
        std::int64_t integer = 0;
        if (integral && std::from_chars(lexeme.data(), lexeme.data() + lexeme.size(), integer).ec == std::errc{}) {
            value = integer;
        } else {
            double real = 0;
            const auto [end, ec] = std::from_chars(lexeme.data(), lexeme.data() + lexeme.size(), real);
            if (ec != std::errc{} || end != lexeme.data() + lexeme.size()) {
                return error_at(start, "number '" + std::string(lexeme) + "' is out of range");
            }
            value = real;
        }
        Token token = make(TokenKind::number, start, length);
        token.number = value;
        return token;
    }

    Result<Token> string(SourcePosition start) {
        const char quote = peek();
        advance();
        std::string value;
        for (;;) {
            if (at_end()) {
                return error_at(start, std::string("unterminated string: expected a closing ") + quote +
                                           " but found end of input");
            }
            const char c = peek();
            if (c == quote) {
                advance();
                return token_of(TokenKind::string, std::move(value), start);
            }
            if (c == '\\') {
                auto escaped = escape(value);
                if (!escaped) {
                    return std::unexpected(std::move(escaped.error()));
                }
                continue;
            }
            value += c;
            advance();
        }
    }

    // Decodes one backslash escape at the cursor into `out`.
    Result<void> escape(std::string& out) {
        const SourcePosition at = m_position;
        advance(); // the backslash
        if (at_end()) {
            return error_at(at, "unterminated escape: expected a character after '\\' but found end of input");
        }
        const char c = peek();
        switch (c) {
        case '\'':
        case '"':
        case '\\':
        case '/':
            out += c;
            break;
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case 'u':
            return unicode_escape(at, out);
        default:
            return error_at(at, "invalid escape '\\" + std::string(character_at(m_offset)) + "' in string");
        }
        advance();
        return {};
    }

    // \uXXXX (the cursor is on the 'u'), with surrogate pairs joined.
    Result<void> unicode_escape(SourcePosition at, std::string& out) {
        auto read_hex = [&]() -> std::optional<std::uint32_t> {
            advance(); // the 'u'
            std::uint32_t unit = 0;
            for (int i = 0; i < 4; ++i) {
                const char h = peek();
                std::uint32_t digit = 0;
                if (is_digit(h)) {
                    digit = static_cast<std::uint32_t>(h - '0');
                } else if (ascii_upper(h) >= 'A' && ascii_upper(h) <= 'F') {
                    digit = static_cast<std::uint32_t>(ascii_upper(h) - 'A' + 10);
                } else {
                    return std::nullopt;
                }
                unit = unit * 16 + digit;
                advance();
            }
            return unit;
        };
        const auto first = read_hex();
        if (!first) {
            return error_at(at, "invalid escape: expected four hexadecimal digits after '\\u'");
        }
        std::uint32_t code_point = *first;
        if (code_point >= 0xD800 && code_point <= 0xDBFF) {
            if (peek() != '\\' || peek(1) != 'u') {
                return error_at(at, "invalid escape: a high surrogate must be followed by a '\\u' low surrogate");
            }
            advance(); // the backslash of the second escape
            const auto second = read_hex();
            if (!second || *second < 0xDC00 || *second > 0xDFFF) {
                return error_at(at, "invalid escape: a high surrogate must be followed by a '\\u' low surrogate");
            }
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (*second - 0xDC00);
        } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
            return error_at(at, "invalid escape: a low surrogate without a high surrogate before it");
        }
        append_utf8(out, code_point);
        return {};
    }

    std::string_view m_text;
    std::size_t m_offset = 0;
    SourcePosition m_position;
};

} // namespace

std::string_view keyword_name(Keyword keyword) noexcept {
    for (const auto& [name, candidate] : k_keywords) {
        if (candidate == keyword) {
            return name;
        }
    }
    return "?";
}

std::optional<Keyword> find_keyword(std::string_view word) noexcept {
    for (const auto& [name, keyword] : k_keywords) {
        if (name.size() == word.size()) {
            bool same = true;
            for (std::size_t i = 0; i < word.size() && same; ++i) {
                same = ascii_upper(word[i]) == name[i];
            }
            if (same) {
                return keyword;
            }
        }
    }
    return std::nullopt;
}

std::string describe(const Token& token) {
    switch (token.kind) {
    case TokenKind::end:
        return "end of input";
    case TokenKind::string:
        return "string '" + token.text + "'";
    case TokenKind::keyword:
        return "'" + std::string(keyword_name(token.keyword)) + "'";
    default:
        return "'" + token.text + "'";
    }
}

Result<std::vector<Token>> tokenize(std::string_view text) {
    return Lexer(text).run();
}

} // namespace dtwin::core::query
