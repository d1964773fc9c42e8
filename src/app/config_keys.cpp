// The one table of configuration keys. Adding a key: add a row here and a line to
// docs/configuration.md (a unit test checks that every key is documented).
#include "app/config.hpp"

namespace dtwin::app {

std::span<const ConfigKey> config_keys() {
    static const std::vector<ConfigKey> keys = {
        {"data.dir",
         ConfigType::string,
         "dtwin-data",
         {},
         "Data directory: holds the store (dtwin.db) unless store.url says otherwise. --data DIR sets it."},
        {"store.url",
         ConfigType::string,
         "",
         {},
         "Where the store lives: sqlite:PATH. Empty means sqlite:<data.dir>/dtwin.db."},
        {"store.durability",
         ConfigType::string,
         "process",
         {"process", "power"},
         "process: a commit survives a crash of dtwin; power: it also survives power loss (fsync per commit)."},
        {"models.allow_undefined_extensions",
         ConfigType::boolean,
         "false",
         {},
         "Accept DTDL documents whose @context names extensions dtwin does not know (their terms are ignored)."},
        {"log.level",
         ConfigType::string,
         "info",
         {"trace", "debug", "info", "warn", "error", "off"},
         "Least severe log level that is written to stderr."},
    };
    return keys;
}

} // namespace dtwin::app
