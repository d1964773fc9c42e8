// JSON Patch (RFC 6902) and the JSON Pointer (RFC 6901) pieces it needs, on boost::json.
//
// Two levels:
//   - apply_patch(): the whole RFC 6902 contract. Atomic: when any operation fails the
//     document is left exactly as it was. Errors name the operation index and its path:
//     "/2 (replace /temperature): path not found".
//   - pointer_get / pointer_add / pointer_remove / pointer_replace: the single-location
//     primitives the operations are made of. The twin graph uses them to patch one
//     property value at a time without materialising a whole twin document.
//
// Lookup of existing locations goes through boost::json::value::find_pointer (Boost 1.81
// has lookup but no insertion), so only the "parent + last token" step is our own.
//
// Pure functions, no shared state: callable from any thread on distinct documents.
#pragma once

#include "core/error.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin::core {

/// The six operations of RFC 6902.
enum class PatchOp { add, remove, replace, move, copy, test };

/// "add", "remove", ...
[[nodiscard]] std::string_view patch_op_name(PatchOp op) noexcept;

/// One parsed operation. `from` is only meaningful for move and copy, `value` only for
/// add, replace and test. Also the compact form in which the graph reports the patches it
/// applied (cheaper to build and copy than a boost::json::array; see patch_to_json()).
struct PatchOperation {
    PatchOp op = PatchOp::add;
    std::string path;
    std::string from;
    boost::json::value value;

    bool operator==(const PatchOperation& other) const {
        return op == other.op && path == other.path && from == other.from && value == other.value;
    }
};

/// Parses a JSON Patch document (an array of operation objects) and checks its shape:
/// known "op", "path"/"from" present and strings that are syntactically valid pointers,
/// "value" present where required. Members other than op/path/from/value are ignored,
/// as RFC 6902 section 4 asks.
///
/// Errors (ErrorCode::invalid_patch) name the operation index: "/1: missing \"value\"".
[[nodiscard]] Result<std::vector<PatchOperation>> parse_patch(const boost::json::value& patch);

/// Applies a parsed patch to `document`, all or nothing.
///
/// Returns an Error with code invalid_patch (bad location, missing member, ...) or
/// test_failed (a "test" did not match); `where` is "/<index> (<op> <path>)".
/// On error `document` is unchanged.
[[nodiscard]] Result<void> apply_patch(boost::json::value& document, std::span<const PatchOperation> patch);

/// parse_patch + apply_patch in one call.
[[nodiscard]] Result<void> apply_patch(boost::json::value& document, const boost::json::value& patch);

/// Applies one operation in place. NOT atomic on its own: an operation that fails after a
/// partial move may leave `document` modified; apply_patch() guards against that.
/// Errors have an empty `where`; the caller adds the operation index.
[[nodiscard]] Result<void> apply_operation(boost::json::value& document, const PatchOperation& op);

// ---- JSON Pointer primitives (RFC 6901) ----------------------------------------------

/// True when `pointer` is "" or a sequence of "/token" with only ~0 and ~1 escapes.
[[nodiscard]] bool is_valid_pointer(std::string_view pointer) noexcept;

/// Splits a pointer into unescaped reference tokens ("/a~1b/c" -> {"a/b", "c"}).
/// Error invalid_patch when the pointer is not valid.
[[nodiscard]] Result<std::vector<std::string>> split_pointer(std::string_view pointer);

/// Escapes one reference token ("a/b" -> "a~1b", "m~n" -> "m~0n").
[[nodiscard]] std::string escape_pointer_token(std::string_view token);

/// `parent` + "/" + the escaped `key`: the pointer of a member ("" + "a/b" -> "/a~1b").
[[nodiscard]] std::string child_pointer(std::string_view parent, std::string_view key);

/// The value at `pointer`, or nullptr when there is none (including "-" and leading zeros).
[[nodiscard]] const boost::json::value* pointer_get(const boost::json::value& document,
                                                    std::string_view pointer) noexcept;
[[nodiscard]] boost::json::value* pointer_get(boost::json::value& document, std::string_view pointer) noexcept;

/// RFC 6902 "add" at `pointer`: sets an object member (replacing it if present), inserts
/// into an array before the index (or appends for "-" or index == size), or replaces the
/// whole document for "". The parent must exist.
[[nodiscard]] Result<void> pointer_add(boost::json::value& document, std::string_view pointer,
                                       boost::json::value value);

/// RFC 6902 "remove": removes the value at `pointer` (which must exist) and returns it.
/// Removing the root ("") leaves null.
[[nodiscard]] Result<boost::json::value> pointer_remove(boost::json::value& document, std::string_view pointer);

/// RFC 6902 "replace": the location must exist.
[[nodiscard]] Result<void> pointer_replace(boost::json::value& document, std::string_view pointer,
                                           boost::json::value value);

/// JSON equality as RFC 6902 "test" defines it: numbers by value (1 == 1.0), objects
/// regardless of member order, arrays element by element.
[[nodiscard]] bool json_equal(const boost::json::value& a, const boost::json::value& b);

// ---- Diff ------------------------------------------------------------------------------

/// A patch that turns the members of `before` into those of `after`, one operation per
/// differing member, in the order of `after` then removed members: "add" for new members,
/// "replace" for changed ones, "remove" for gone ones. Paths are `prefix` + "/" + the
/// escaped key (prefix "" for a top-level document). Does not recurse.
[[nodiscard]] std::vector<PatchOperation> diff_members(const boost::json::object& before,
                                                       const boost::json::object& after, std::string_view prefix = {});

/// A patch as a JSON Patch document: [{"op":..., "path":..., "from"?:..., "value"?:...}].
/// "from" is written for move/copy, "value" for add/replace/test.
[[nodiscard]] boost::json::array patch_to_json(std::span<const PatchOperation> patch);

} // namespace dtwin::core
