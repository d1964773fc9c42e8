#include "core/dtdl/context.hpp"

#include "core/dtdl/dtmi.hpp"
#include "core/dtdl/metamodel.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace dtwin::core::dtdl {

namespace {

using std::string_view_literals::operator""sv;

struct KnownContext {
    std::string_view dtmi;
    std::uint8_t dtdl_versions; ///< VersionBits of the DTDL versions it may be used with; 0 = only DTDL v4
    Extension extension;
    int extension_version;
};

// The published extension versions; those usable only with DTDL v4 are listed so that
// their use with v3 gets a precise error instead of "undefined extension".
constexpr std::array k_known_contexts{
    KnownContext{"dtmi:dtdl:extension:quantitativeTypes;1"sv, k_v3, Extension::quantitative_types, 1},
    KnownContext{"dtmi:dtdl:extension:quantitativeTypes;2"sv, 0, Extension::quantitative_types, 2},
    KnownContext{"dtmi:dtdl:extension:quantitativeTypes;3"sv, 0, Extension::quantitative_types, 3},
    KnownContext{"dtmi:dtdl:extension:historization;1"sv, k_v3, Extension::historization, 1},
    KnownContext{"dtmi:dtdl:extension:historization;2"sv, k_v3, Extension::historization, 2},
    KnownContext{"dtmi:dtdl:extension:annotation;1"sv, k_v3, Extension::annotation, 1},
    KnownContext{"dtmi:dtdl:extension:annotation;2"sv, k_v3, Extension::annotation, 2},
    KnownContext{"dtmi:dtdl:extension:overriding;1"sv, k_v3, Extension::overriding, 1},
    KnownContext{"dtmi:dtdl:extension:overriding;2"sv, k_v3, Extension::overriding, 2},
    KnownContext{"dtmi:dtdl:extension:mqtt;1"sv, k_v3, Extension::mqtt, 1},
    KnownContext{"dtmi:dtdl:extension:mqtt;2"sv, k_v3, Extension::mqtt, 2},
    KnownContext{"dtmi:dtdl:extension:mqtt;3"sv, k_v3, Extension::mqtt, 3},
    KnownContext{"dtmi:dtdl:extension:requirement;1"sv, k_v3, Extension::requirement, 1},
    KnownContext{"dtmi:dtdl:extension:requirement;2"sv, k_v3, Extension::requirement, 2},
    KnownContext{"dtmi:dtdl:extension:initialization;1"sv, k_v3, Extension::other_known, 1},
    KnownContext{"dtmi:dtdl:extension:initialization;2"sv, k_v3, Extension::other_known, 2},
    KnownContext{"dtmi:dtdl:extension:dimension;1"sv, k_v3, Extension::other_known, 1},
    KnownContext{"dtmi:dtdl:extension:naming;1"sv, k_v3, Extension::other_known, 1},
    KnownContext{"dtmi:dtdl:extension:naming;2"sv, k_v3, Extension::other_known, 2},
    // The affiliate context of IoT Central: its co-types are DTDL v2 only (checked per
    // co-type), its schemas (vector, geopoint) are usable in any version.
    KnownContext{"dtmi:iotcentral:context;2"sv, k_v2_v3, Extension::iot_central, 2},
};

// The DTDL version a context DTMI names ("dtmi:dtdl:context;3" -> 3), 0 if none.
int dtdl_context_version(std::string_view text) {
    constexpr std::string_view k_prefix = "dtmi:dtdl:context;";
    if (!text.starts_with(k_prefix)) {
        return 0;
    }
    const std::string_view number = text.substr(k_prefix.size());
    if (number.size() == 1 && number[0] >= '1' && number[0] <= '9') {
        return number[0] - '0';
    }
    return -1;
}

ContextProblem problem(std::string rule, std::string message, std::size_t index, bool in_array) {
    return ContextProblem{std::move(rule), std::move(message), in_array ? "/" + std::to_string(index) : ""};
}

// Applies one context entry (a string) at position `index`.
void apply_entry(std::string_view entry, std::size_t index, bool in_array, bool is_root, ContextState& state,
                 bool allow_undefined, std::vector<ContextProblem>& problems) {
    const int version = dtdl_context_version(entry);
    if (version != 0) {
        if (version != 2 && version != 3) {
            problems.push_back(
                problem("context-version", "unsupported DTDL context '" + std::string(entry) + "'", index, in_array));
        } else if (state.extensions_after_version) {
            problems.push_back(
                problem("context-dtdl-first", "the DTDL context must come before extension contexts", index, in_array));
        } else {
            state.version = version; // a later DTDL context overrides an earlier one
        }
        return;
    }
    if (is_root && state.version == 0 && entry != "dtmi:iotcentral:context;2") {
        problems.push_back(problem("context-dtdl-first",
                                   "the DTDL context (dtmi:dtdl:context;2 or ;3) must come before extension contexts",
                                   index, in_array));
    }
    // The IoT Central context implies DTDL v2 and may come before the DTDL context.
    state.extensions_after_version = entry != "dtmi:iotcentral:context;2";
    // Extension contexts are versioned DTMIs.
    if (!is_valid_dtmi(entry, 2, true) && !is_valid_dtmi(entry, 3, true)) {
        problems.push_back(problem("context-dtmi",
                                   "@context entry '" + std::string(entry) + "' is not a DTMI with a version", index,
                                   in_array));
        return;
    }
    const auto known = std::find_if(k_known_contexts.begin(), k_known_contexts.end(),
                                    [&](const KnownContext& c) { return c.dtmi == entry; });
    if (known != k_known_contexts.end() && known->dtdl_versions == 0 && state.version == 3) {
        problems.push_back(
            problem("context-extension-version",
                    "extension '" + std::string(entry) + "' is for DTDL v4; DTDL v3 models use version 1 of it", index,
                    in_array));
        return;
    }
    if (known != k_known_contexts.end() && (known->dtdl_versions & version_bit(state.version)) != 0) {
        state.extensions.push_back(ExtensionUse{known->extension, known->extension_version});
        return;
    }
    if (!allow_undefined) {
        problems.push_back(problem("context-undefined-extension",
                                   "@context names extension '" + std::string(entry) +
                                       "' that is not defined (undefined extensions are disallowed)",
                                   index, in_array));
        return;
    }
    state.undefined_extension = true;
}

} // namespace

int ContextState::version_of(Extension extension) const {
    for (auto use = extensions.rbegin(); use != extensions.rend(); ++use) {
        if (use->extension == extension) {
            return use->version;
        }
    }
    return 0;
}

std::vector<ContextProblem> apply_context(const boost::json::value& value, ContextState& state, bool is_root,
                                          bool allow_undefined_extensions) {
    std::vector<ContextProblem> problems;
    state.extensions_after_version = false;
    if (value.is_string()) {
        apply_entry(value.get_string(), 0, false, is_root, state, allow_undefined_extensions, problems);
    } else if (value.is_array()) {
        const auto& entries = value.get_array();
        if (is_root && entries.empty()) {
            problems.push_back(
                problem("context-dtdl-first", "the document's @context must name the DTDL context", 0, false));
        }
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (!entries[i].is_string()) {
                problems.push_back(problem("context-type", "@context entries must be strings", i, true));
                continue;
            }
            apply_entry(entries[i].get_string(), i, true, is_root, state, allow_undefined_extensions, problems);
        }
    } else {
        problems.push_back(problem("context-type", "@context must be a string or an array of strings", 0, false));
    }
    if (is_root && state.version == 0 && problems.empty()) {
        problems.push_back(
            problem("context-dtdl-first", "the document's @context must name the DTDL context", 0, false));
    }
    return problems;
}

} // namespace dtwin::core::dtdl
