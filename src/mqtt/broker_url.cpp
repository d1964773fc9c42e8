#include "mqtt/broker_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace dtwin::mqtt {

namespace {

constexpr std::uint16_t k_default_plain_port = 1883;
constexpr std::uint16_t k_default_tls_port = 8883;

core::Result<BrokerAddress> reject(std::string_view url, std::string why) {
    return core::fail(core::ErrorCode::invalid_value, "invalid broker URL: " + why, "'" + std::string(url) + "'");
}

} // namespace

core::Result<BrokerAddress> parse_broker_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return reject(url, "expected mqtt://host:port or mqtts://host:port");
    }
    const boost::urls::url_view& view = *parsed;

    BrokerAddress address;
    const std::string scheme(view.scheme());
    if (scheme == "mqtts") {
        address.tls = true;
    } else if (scheme != "mqtt") {
        return reject(url, "scheme must be mqtt or mqtts, not '" + scheme + "'");
    }
    if (!view.has_authority() || view.host_address().empty()) {
        return reject(url, "no host");
    }
    if (view.has_userinfo()) {
        return reject(url, "user info is not taken from the URL; set username and password instead");
    }
    if (!view.path().empty() && view.path() != "/") {
        return reject(url, "a broker URL has no path");
    }
    if (view.has_query() || view.has_fragment()) {
        return reject(url, "a broker URL has no query or fragment");
    }
    address.host = std::string(view.host_address());

    address.port = address.tls ? k_default_tls_port : k_default_plain_port;
    if (view.has_port()) {
        const std::string_view text = view.port();
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
            return reject(url, "port must be a number from 1 to 65535");
        }
        address.port = static_cast<std::uint16_t>(value);
    }
    return address;
}

} // namespace dtwin::mqtt
