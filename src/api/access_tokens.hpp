// API access tokens (api.token_file): one token a line, `<token> <read|write>`, blank
// lines and `#` comments allowed. A request carries `Authorization: Bearer <token>`;
// read tokens may GET (and POST /query), write tokens may do everything.
//
// Tokens are compared in constant time (their SHA-256 digests, with CRYPTO_memcmp, every
// token checked), and never appear in logs or error messages: a bad line is reported by
// its line number only.
//
// Immutable after load(); safe from any thread.
#pragma once

#include "api/http_message.hpp"
#include "core/error.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::api {

enum class Access { none, read, write };

class AccessTokens {
public:
    /// Reads `path`. Errors name the file and the line (never the token): a line without
    /// an access level, an unknown level, a token shorter than 16 characters, no token at all.
    static core::Result<AccessTokens> load(const std::string& path);

    /// The access the `Authorization` header value grants ("Bearer <token>"); none for a
    /// missing, malformed or unknown token.
    [[nodiscard]] Access check(std::string_view authorization) const;

    [[nodiscard]] std::size_t size() const noexcept { return m_tokens.size(); }

private:
    struct Entry {
        std::array<unsigned char, 32> digest;
        Access access;
    };
    std::vector<Entry> m_tokens;
};

/// The answer to a request `tokens` does not allow: 401 (with WWW-Authenticate) without a
/// valid token, 403 for a read token on a write. nullopt: go on. Null `tokens` (none
/// configured) allows everything; /healthz and /readyz need no token.
[[nodiscard]] std::optional<HttpResponse> authorize(const AccessTokens* tokens, const HttpRequest& request);

} // namespace dtwin::api
