// Errors of the domain core: values, not exceptions (STYLE.md rule 4).
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace dtwin::core {

/// What kind of failure an Error is; callers map it to exit codes and HTTP statuses.
enum class ErrorCode {
    invalid_json,         ///< text is not JSON, or JSON of the wrong shape
    invalid_model,        ///< a DTDL document breaks a rule of the language
    unknown_model,        ///< a model id that is not loaded
    unknown_twin,         ///< a twin id that does not exist
    unknown_relationship, ///< a relationship id that does not exist
    unknown_alert,        ///< an alert id (or silence id) that does not exist
    already_exists,       ///< create of something whose id is taken
    invalid_value,        ///< a value that does not fit its schema
    invalid_patch,        ///< a JSON Patch that is malformed or cannot be applied
    test_failed,          ///< a JSON Patch "test" operation did not match
    precondition_failed,  ///< If-Match did not match the current ETag
    in_use,               ///< delete of something still referenced (e.g. twin with relationships)
    storage,              ///< the store failed (I/O, corruption, foreign file)
    io,                   ///< a file or directory could not be read or written
};

/// A failure a user can see: what was wrong (`message`) and where (`where`: a file,
/// a twin id, a JSON pointer, a line:column; empty when there is no better place).
struct Error {
    ErrorCode code;
    std::string message;
    std::string where;

    /// "where: message", or just the message when `where` is empty.
    [[nodiscard]] std::string to_string() const { return where.empty() ? message : where + ": " + message; }
};

template <typename T> using Result = std::expected<T, Error>;

/// Shorthand for `std::unexpected(Error{...})`.
inline std::unexpected<Error> fail(ErrorCode code, std::string message, std::string where = {}) {
    return std::unexpected(Error{code, std::move(message), std::move(where)});
}

/// Short stable name of an error code ("unknown_twin"), used in JSON output.
std::string_view error_code_name(ErrorCode code);

} // namespace dtwin::core
