// The resolved form of DTDL interfaces that the rest of dtwin works with.
//
// The DTDL parser (core/dtdl_parser.hpp) produces these; twin validation, the store and
// the API read them. Everything here is immutable once built and safe to share between
// threads (shared_ptr<const ...>).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace dtwin::core {

/// The primitive schemas of DTDL v2 and v3 (v3 adds the sized integers, bytes, decimal, uuid).
enum class PrimitiveSchema {
    boolean,
    byte,
    bytes,
    date,
    date_time,
    decimal,
    double_number,
    duration,
    float_number,
    integer,
    long_number,
    short_number,
    string,
    time,
    unsigned_byte,
    unsigned_integer,
    unsigned_long,
    unsigned_short,
    uuid,
    // geospatial schemas (GeoJSON objects)
    point,
    line_string,
    polygon,
    multi_point,
    multi_line_string,
    multi_polygon,
};

struct Schema;
using SchemaPtr = std::shared_ptr<const Schema>;

struct EnumValue {
    std::string name;
    boost::json::value value; ///< an integer or a string, as `value_schema` says
};

struct EnumSchema {
    PrimitiveSchema value_schema = PrimitiveSchema::string; ///< integer or string
    std::vector<EnumValue> values;
};

struct Field {
    std::string name;
    SchemaPtr schema;
};

struct ObjectSchema {
    std::vector<Field> fields;
};

/// Keys are always strings in DTDL.
struct MapSchema {
    std::string key_name;
    std::string value_name;
    SchemaPtr value_schema;
};

struct ArraySchema {
    SchemaPtr element_schema;
};

struct Schema {
    std::string id; ///< DTMI of the schema when it has one (explicit or generated), else empty
    std::variant<PrimitiveSchema, EnumSchema, ObjectSchema, MapSchema, ArraySchema> kind;
};

struct PropertyDef {
    std::string name;
    SchemaPtr schema;
    bool writable = false;
};

struct TelemetryDef {
    std::string name;
    SchemaPtr schema;
};

struct RelationshipDef {
    std::string name;
    std::optional<std::string> target; ///< DTMI of the target interface; nullopt = any
    std::vector<PropertyDef> properties;
    std::optional<std::int64_t> min_multiplicity;
    std::optional<std::int64_t> max_multiplicity;
    bool writable = false;
};

struct ComponentDef {
    std::string name;
    std::string schema; ///< DTMI of the component's interface
};

struct CommandDef {
    std::string name;
    std::optional<std::string> request_name;
    SchemaPtr request_schema; ///< null when the command takes no request
    std::optional<std::string> response_name;
    SchemaPtr response_schema; ///< null when the command has no response
};

/// One interface with the contents of its whole `extends` chain flattened in.
struct Interface {
    std::string id;                     ///< DTMI, e.g. "dtmi:dtwin:example:Room;1"
    int dtdl_version = 3;               ///< 2 or 3
    std::vector<std::string> extends;   ///< direct bases, as written
    std::vector<std::string> ancestors; ///< all bases, transitively (not including itself)
    std::string display_name;           ///< English display name, if any
    std::string description;            ///< English description, if any
    std::string source;                 ///< document it came from (file name) for messages

    // Contents by name, own and inherited.
    std::map<std::string, PropertyDef, std::less<>> properties;
    std::map<std::string, TelemetryDef, std::less<>> telemetries;
    std::map<std::string, RelationshipDef, std::less<>> relationships;
    std::map<std::string, ComponentDef, std::less<>> components;
    std::map<std::string, CommandDef, std::less<>> commands;

    /// True if this interface is `model_id` or extends it (directly or not).
    [[nodiscard]] bool is_a(std::string_view model_id) const {
        if (id == model_id) {
            return true;
        }
        for (const auto& base : ancestors) {
            if (base == model_id) {
                return true;
            }
        }
        return false;
    }
};

using InterfacePtr = std::shared_ptr<const Interface>;

} // namespace dtwin::core
