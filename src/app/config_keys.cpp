// The one table of configuration keys. Adding a key: add a row here and a line to
// docs/configuration.md (a unit test checks that every key is documented). The
// `[[mapping]]` tables are not keys: mapping_config.cpp reads them.
#include "app/config.hpp"

namespace dtwin::app {

std::span<const ConfigKey> config_keys() {
    static const std::vector<ConfigKey> keys = {
        {"data.dir",
         ConfigType::string,
         "dtwin-data",
         {},
         "Data directory: holds the store (dtwin.db) unless store.url says otherwise. --data DIR sets it.",
         {}},
        {"store.url",
         ConfigType::string,
         "",
         {},
         "Where the store lives: sqlite:PATH. Empty means sqlite:<data.dir>/dtwin.db.",
         {}},
        {"store.durability",
         ConfigType::string,
         "process",
         {"process", "power"},
         "process: a commit survives a crash of dtwin; power: it also survives power loss (fsync per commit).",
         {}},
        {"models.allow_undefined_extensions",
         ConfigType::boolean,
         "false",
         {},
         "Accept DTDL documents whose @context names extensions dtwin does not know (their terms are ignored).",
         {}},
        {"log.level",
         ConfigType::string,
         "info",
         {"trace", "debug", "info", "warn", "error", "off"},
         "Least severe log level that is written to stderr.",
         {}},
        {"mqtt.url",
         ConfigType::string,
         "mqtt://127.0.0.1:1883",
         {},
         "The MQTT broker dtwin serve connects to: mqtt://HOST:PORT.",
         {}},
        {"ingest.max_skew_ms",
         ConfigType::integer,
         "30000",
         {},
         "A source time more than this many milliseconds ahead of the receive time is replaced by the receive time "
         "(the twin is flagged for clock skew).",
         0},
        {"ingest.max_lateness_ms",
         ConfigType::integer,
         "604800000",
         {},
         "An update whose source time is more than this many milliseconds older than its receive time is rejected "
         "(too_late). Default: 7 days.",
         0},
        {"ingest.max_payload_bytes",
         ConfigType::integer,
         "262144",
         {},
         "Largest MQTT payload accepted, in bytes; larger ones are rejected (payload_too_large).",
         0},
    };
    return keys;
}

} // namespace dtwin::app
