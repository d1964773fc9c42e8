#include "notify/endpoint_url.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>

namespace dtwin::notify {

namespace {

std::string expected_forms(std::span<const SchemeDefault> schemes) {
    std::string out;
    for (const SchemeDefault& scheme : schemes) {
        out += (out.empty() ? "" : " or ") + std::string(scheme.scheme) + "://host[:port]";
    }
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

core::Result<EndpointUrl> parse_endpoint_url(std::string_view url, std::span<const SchemeDefault> schemes,
                                             bool allow_path_and_query, std::string_view option) {
    const auto reject = [&](const std::string& why) {
        return core::fail(core::ErrorCode::invalid_value, "invalid URL '" + std::string(url) + "': " + why,
                          std::string(option));
    };
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return reject("expected " + expected_forms(schemes));
    }
    const boost::urls::url_view& view = *parsed;

    EndpointUrl out;
    out.scheme = lower(view.scheme());
    const auto scheme = std::find_if(schemes.begin(), schemes.end(),
                                     [&](const SchemeDefault& known) { return known.scheme == out.scheme; });
    if (scheme == schemes.end()) {
        return reject("scheme '" + out.scheme + "' is not supported; expected " + expected_forms(schemes));
    }
    if (!view.has_authority() || view.encoded_host().empty()) {
        return reject("no host");
    }
    if (view.has_userinfo()) {
        return reject("credentials are not taken from the URL; use the sink's username/password or header options");
    }
    if (view.has_fragment()) {
        return reject("a fragment is not allowed");
    }
    if (!allow_path_and_query && ((!view.encoded_path().empty() && view.encoded_path() != "/") || view.has_query())) {
        return reject("a path or query is not allowed");
    }
    out.host = std::string(view.encoded_host());

    out.port = scheme->port;
    if (view.has_port()) {
        const std::string_view text = view.port();
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
            return reject("port must be a number from 1 to 65535");
        }
        out.port = static_cast<std::uint16_t>(value);
    }
    out.endpoint = out.scheme + "://" + out.host + ":" + std::to_string(out.port);
    out.url = out.endpoint + std::string(view.encoded_path());
    if (view.has_query()) {
        out.url += "?" + std::string(view.encoded_query());
    }
    return out;
}

} // namespace dtwin::notify
