// Twin and Relationship: the state the twin graph keeps, in a memory-lean form.
//
// A Twin stores one slot per property its model declares (root properties, then the
// properties of each component), laid out by a TwinLayout shared by all twins of the
// model. A slot is the value (boost::json::value; null means "not set") plus its
// metadata. No property names and no maps are stored per twin.
//
// Versions and ETags: `version` is the graph's change serial at the twin's last write.
// It grows strictly with every write of the twin and is unique across the whole graph,
// so the ETag derived from it, W/"<version>", never repeats, not even for a twin that is
// deleted and created again under the same id.
//
// Twins are values: copying one copies its slots (the layout is shared) and its marks.
// The graph hands out const references or copies; only the graph changes them.
//
// Marks: metadata the engine sets about the device behind a twin, persisted with the twin
// (twin_json.hpp) but not part of its properties, so they raise no change event:
//   - PropertyMetadata::stale: the device that feeds the property fell silent; the value
//     is the last one known. Cleared by any write that applies a new value.
//   - Twin::clock_skew(): the device's timestamps are being replaced by receive times
//     (invalid, missing, or ahead of the receive time). Kept behind a pointer: almost no
//     twin has one, and a million twins must stay small.
#pragma once

#include "core/time.hpp"
#include "core/twin_layout.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core {

/// Per-property metadata, as Azure Digital Twins keeps it under "$metadata".
struct PropertyMetadata {
    TimePoint last_update_time{}; ///< when the graph last changed the value (receive time)
    TimePoint source_time{};      ///< event time of the value; the write's time when the writer gave none
    /// Writer's sequence of the sample; 0 = none given. Below 2^63 (63 bits, so that the
    /// stale bit shares its word: every property slot of a million twins pays for this
    /// struct, and a separate bool would add 8 bytes to each).
    std::uint64_t sequence : 63 = 0;
    /// The device that feeds this property fell silent; the value is the last known one.
    /// Set by TwinGraph::set_properties_stale; cleared by any write that applies a new
    /// value (an older sample that is not applied leaves it as it is).
    bool stale : 1 = false;

    bool operator==(const PropertyMetadata&) const = default;
};
static_assert(sizeof(PropertyMetadata) == 24, "the stale bit must share the sequence's word");

/// The twin's device sends timestamps the engine cannot use, so it stamps the samples
/// with their receive time instead. One flag covers a run of such replacements: `since`
/// and `count` restart when the flag is cleared and set again.
struct ClockSkewFlag {
    /// Why the timestamp was replaced: "invalid" (not a time), "missing", or
    /// "ahead_of_receive_time". The core stores the text; it does not interpret it.
    std::string reason;
    std::string timestamp;   ///< the device's timestamp text as received (latest); may be empty
    TimePoint since{};       ///< receive time of the first replaced timestamp of this run
    TimePoint last{};        ///< receive time of the latest replaced timestamp
    std::uint64_t count = 0; ///< replacements in this run

    bool operator==(const ClockSkewFlag&) const = default;
};

/// One property of one twin. `value` is null when the property is not set.
struct PropertySlot {
    boost::json::value value;
    PropertyMetadata metadata;
};

/// The ETag of a version: W/"<version>".
[[nodiscard]] std::string make_etag(std::uint64_t version);

/// The version inside an ETag made by make_etag(), or nullopt for any other text.
[[nodiscard]] std::optional<std::uint64_t> parse_etag(std::string_view etag);

class Twin {
public:
    /// A twin with every property unset, version 0, no clock-skew flag.
    Twin(std::string id, TwinLayoutPtr layout);

    /// Deep copies: the copy owns its own clock-skew flag.
    Twin(const Twin& other);
    Twin& operator=(const Twin& other);
    Twin(Twin&&) noexcept = default;
    Twin& operator=(Twin&&) noexcept = default;
    ~Twin() = default;

    [[nodiscard]] const std::string& id() const noexcept { return m_id; }
    [[nodiscard]] const std::string& model_id() const noexcept { return m_layout->model_id(); }
    [[nodiscard]] const TwinLayout& layout() const noexcept { return *m_layout; }
    [[nodiscard]] const TwinLayoutPtr& layout_ptr() const noexcept { return m_layout; }

    [[nodiscard]] std::uint64_t version() const noexcept { return m_version; }
    [[nodiscard]] std::string etag() const { return make_etag(m_version); }
    /// When the twin last changed (its "$metadata.$lastUpdateTime").
    [[nodiscard]] TimePoint last_update_time() const noexcept { return m_last_update_time; }

    /// Value of a root property, or nullptr when it is not declared or not set.
    [[nodiscard]] const boost::json::value* property(std::string_view name) const;
    /// Value of a property of a component, or nullptr.
    [[nodiscard]] const boost::json::value* component_property(std::string_view component, std::string_view name) const;
    /// Metadata of a root property, or nullptr when it is not declared or not set.
    [[nodiscard]] const PropertyMetadata* metadata(std::string_view name) const;
    [[nodiscard]] const PropertyMetadata* component_metadata(std::string_view component, std::string_view name) const;

    /// All slots, in layout order (see TwinLayout).
    [[nodiscard]] std::span<const PropertySlot> slots() const noexcept { return m_slots; }

    /// The twin's clock-skew flag (its "$metadata.$clockSkew"), or nullptr when not flagged.
    [[nodiscard]] const ClockSkewFlag* clock_skew() const noexcept { return m_clock_skew.get(); }

    /// The twin's properties as a JSON document: root properties, and each component as
    /// an object {"$metadata": {}, <its properties>}. This is the document JSON Patch
    /// paths refer to.
    [[nodiscard]] boost::json::object properties() const;

    // ---- mutation: for the graph and loaders ----
    [[nodiscard]] std::span<PropertySlot> mutable_slots() noexcept { return m_slots; }
    void set_version(std::uint64_t version) noexcept { m_version = version; }
    void set_last_update_time(TimePoint t) noexcept { m_last_update_time = t; }
    /// Sets the clock-skew flag, or clears it (nullopt). Changes nothing else (no version).
    void set_clock_skew(std::optional<ClockSkewFlag> flag);

private:
    std::string m_id;
    TwinLayoutPtr m_layout;
    std::uint64_t m_version = 0;
    TimePoint m_last_update_time{};
    std::vector<PropertySlot> m_slots;
    std::unique_ptr<ClockSkewFlag> m_clock_skew; ///< null: not flagged (the common case)
};

/// A relationship: an edge from a source twin to a target twin, named after one of the
/// relationships declared by the source's model. Its id is unique among the
/// relationships of its source (as in Azure Digital Twins), not globally.
struct Relationship {
    std::string id;
    std::string source_id;
    std::string target_id;
    std::string name;
    boost::json::object properties; ///< the relationship's own properties
    std::uint64_t version = 0;      ///< as Twin::version()
    TimePoint last_update_time{};

    [[nodiscard]] std::string etag() const { return make_etag(version); }
};

} // namespace dtwin::core
