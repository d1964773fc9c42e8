#include "api/access_tokens.hpp"

#include "api/http_server.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sstream>

namespace dtwin::api {

namespace {

constexpr std::size_t k_min_token_length = 16;

std::array<unsigned char, 32> sha256(std::string_view text) {
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return digest;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

core::Result<AccessTokens> AccessTokens::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return core::fail(core::ErrorCode::io, "cannot read the token file", "api.token_file " + path);
    }
    AccessTokens tokens;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view text = trim(line);
        if (text.empty() || text.front() == '#') {
            continue;
        }
        const auto space = text.find_first_of(" \t");
        const std::string where = path + ":" + std::to_string(number);
        if (space == std::string_view::npos) {
            return core::fail(core::ErrorCode::invalid_value, "a token line is '<token> <read|write>'", where);
        }
        const std::string_view token = text.substr(0, space);
        const std::string_view level = trim(text.substr(space + 1));
        Access access = Access::none;
        if (level == "read") {
            access = Access::read;
        } else if (level == "write") {
            access = Access::write;
        } else {
            return core::fail(core::ErrorCode::invalid_value, "the access level must be read or write", where);
        }
        if (token.size() < k_min_token_length) {
            return core::fail(core::ErrorCode::invalid_value,
                              "the token is shorter than " + std::to_string(k_min_token_length) +
                                  " characters (use e.g. openssl rand -hex 24)",
                              where);
        }
        tokens.m_tokens.push_back({sha256(token), access});
    }
    if (tokens.m_tokens.empty()) {
        return core::fail(core::ErrorCode::invalid_value, "the token file holds no token", "api.token_file " + path);
    }
    return tokens;
}

Access AccessTokens::check(std::string_view authorization) const {
    constexpr std::string_view k_scheme = "Bearer ";
    if (authorization.size() <= k_scheme.size() ||
        !std::equal(k_scheme.begin(), k_scheme.end(), authorization.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
        return Access::none;
    }
    const auto digest = sha256(trim(authorization.substr(k_scheme.size())));
    Access granted = Access::none;
    for (const auto& entry : m_tokens) { // every token, whatever matched before
        if (CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0) {
            granted = entry.access;
        }
    }
    return granted;
}

std::optional<HttpResponse> authorize(const AccessTokens* tokens, const HttpRequest& request) {
    if (tokens == nullptr) {
        return std::nullopt;
    }
    const bool health = request.method == "GET" && request.path.size() == 1 &&
                        (request.path[0] == "healthz" || request.path[0] == "readyz");
    if (health) {
        return std::nullopt; // probes need no token
    }
    const Access access = tokens->check(request.header("authorization"));
    if (access == Access::none) {
        HttpResponse response = error_response(401, "Unauthorized",
                                               request.headers.contains("authorization")
                                                   ? "the bearer token is not valid"
                                                   : "this API needs 'Authorization: Bearer <token>'");
        response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"dtwin\"");
        return response;
    }
    const bool reads = request.method == "GET" || request.method == "HEAD" ||
                       (request.method == "POST" && request.path.size() == 1 && request.path[0] == "query");
    if (access == Access::read && !reads) {
        return error_response(403, "Forbidden", "a read token cannot " + request.method + " " + request.target);
    }
    return std::nullopt;
}

} // namespace dtwin::api
