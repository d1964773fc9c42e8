#include "core/twin.hpp"

#include <charconv>

namespace dtwin::core {

std::string make_etag(std::uint64_t version) {
    return "W/\"" + std::to_string(version) + "\"";
}

std::optional<std::uint64_t> parse_etag(std::string_view etag) {
    if (etag.size() < 5 || !etag.starts_with("W/\"") || !etag.ends_with('"')) {
        return std::nullopt;
    }
    const auto digits = etag.substr(3, etag.size() - 4);
    std::uint64_t version = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return version;
}

Twin::Twin(std::string id, TwinLayoutPtr layout)
    : m_id(std::move(id)), m_layout(std::move(layout)), m_slots(m_layout->slot_count()) {}

Twin::Twin(const Twin& other)
    : m_id(other.m_id), m_layout(other.m_layout), m_version(other.m_version),
      m_last_update_time(other.m_last_update_time), m_slots(other.m_slots),
      m_clock_skew(other.m_clock_skew ? std::make_unique<ClockSkewFlag>(*other.m_clock_skew) : nullptr) {}

Twin& Twin::operator=(const Twin& other) {
    if (this != &other) {
        Twin copy(other); // copy first: a throwing copy leaves *this as it was
        *this = std::move(copy);
    }
    return *this;
}

void Twin::set_clock_skew(std::optional<ClockSkewFlag> flag) {
    if (!flag) {
        m_clock_skew.reset();
    } else if (m_clock_skew) {
        *m_clock_skew = std::move(*flag);
    } else {
        m_clock_skew = std::make_unique<ClockSkewFlag>(std::move(*flag));
    }
}

const boost::json::value* Twin::property(std::string_view name) const {
    const auto slot = m_layout->find_property(name);
    if (!slot || m_slots[*slot].value.is_null()) {
        return nullptr;
    }
    return &m_slots[*slot].value;
}

const boost::json::value* Twin::component_property(std::string_view component, std::string_view name) const {
    const auto index = m_layout->find_component(component);
    const auto slot = index ? m_layout->find_component_property(*index, name) : std::nullopt;
    if (!slot || m_slots[*slot].value.is_null()) {
        return nullptr;
    }
    return &m_slots[*slot].value;
}

const PropertyMetadata* Twin::metadata(std::string_view name) const {
    const auto slot = m_layout->find_property(name);
    if (!slot || m_slots[*slot].value.is_null()) {
        return nullptr;
    }
    return &m_slots[*slot].metadata;
}

const PropertyMetadata* Twin::component_metadata(std::string_view component, std::string_view name) const {
    const auto index = m_layout->find_component(component);
    const auto slot = index ? m_layout->find_component_property(*index, name) : std::nullopt;
    if (!slot || m_slots[*slot].value.is_null()) {
        return nullptr;
    }
    return &m_slots[*slot].metadata;
}

boost::json::object Twin::properties() const {
    // Components are built apart and inserted last: pointers into `document` would not
    // survive its growth.
    boost::json::object document;
    const auto components = m_layout->components();
    std::vector<boost::json::object> component_objects(components.size());
    for (auto& object : component_objects) {
        object.emplace("$metadata", boost::json::object());
    }
    const auto slots = m_layout->slots();
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (m_slots[i].value.is_null()) {
            continue;
        }
        auto& target = slots[i].component == k_root_component ? document : component_objects[slots[i].component];
        target.emplace(slots[i].name, m_slots[i].value);
    }
    for (std::size_t c = 0; c < components.size(); ++c) {
        document.emplace(components[c].name, std::move(component_objects[c]));
    }
    return document;
}

} // namespace dtwin::core
