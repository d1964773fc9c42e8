// Digital Twin Model Identifiers (DTMI): syntax checks for DTDL v2 and v3.
//
// A DTMI looks like "dtmi:com:example:Room;1". Both DTDL versions build it from
// colon-separated path segments and a version after ';', but they differ:
//   - v2 requires the version and allows only an integer 1..999999999;
//   - v3 makes the version optional and allows a minor part ("3.14": major
//     1..999999999, minor 1..999999, neither with leading zeros).
// Pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace dtwin::core::dtdl {

/// Longest DTMI an Interface may have, in both versions.
inline constexpr std::size_t k_max_interface_id_length = 128;
/// Longest DTMI of any other element or reference, in both versions (the 4096 of the
/// DTMI syntax itself includes system identifiers that models may not use).
inline constexpr std::size_t k_max_dtmi_length = 2048;

/// True if `text` is a syntactically valid DTMI under the rules of DTDL `version`
/// (2 or 3). When `require_version` is true a v3 DTMI must also carry a version.
/// Segments must start with a letter and may not end with '_', so identifiers the
/// parser generates itself (which use '_' prefixes) never collide with user ones.
[[nodiscard]] bool is_valid_dtmi(std::string_view text, int version, bool require_version = false);

/// True for DTMIs under the prefixes DTDL reserves for itself ("dtmi:dtdl:",
/// "dtmi:standard:"): models may refer to them but never define elements there.
[[nodiscard]] bool is_reserved_dtmi(std::string_view text);

/// True if `text` merely looks like a DTMI (starts with "dtmi:"), valid or not.
[[nodiscard]] inline bool looks_like_dtmi(std::string_view text) {
    return text.starts_with("dtmi:");
}

} // namespace dtwin::core::dtdl
