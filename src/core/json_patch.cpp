#include "core/json_patch.hpp"

#include <boost/json/serialize.hpp>
#include <optional>
#include <utility>

namespace dtwin::core {

namespace json = boost::json;

std::string_view patch_op_name(PatchOp op) noexcept {
    switch (op) {
    case PatchOp::add:
        return "add";
    case PatchOp::remove:
        return "remove";
    case PatchOp::replace:
        return "replace";
    case PatchOp::move:
        return "move";
    case PatchOp::copy:
        return "copy";
    case PatchOp::test:
        return "test";
    }
    return "?";
}

namespace {

// Messages are built with append rather than `"literal" + std::string`: g++ 12 at -O3
// reports a false -Wrestrict on the latter (GCC bug 105329), which -Werror turns fatal.

/// `text` in double quotes.
std::string quoted(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    out += text;
    out += '"';
    return out;
}

std::optional<PatchOp> op_from_name(std::string_view name) {
    for (auto op : {PatchOp::add, PatchOp::remove, PatchOp::replace, PatchOp::move, PatchOp::copy, PatchOp::test}) {
        if (patch_op_name(op) == name) {
            return op;
        }
    }
    return std::nullopt;
}

std::string unescape_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (token[i] == '~' && i + 1 < token.size()) {
            out.push_back(token[i + 1] == '0' ? '~' : '/');
            ++i;
        } else {
            out.push_back(token[i]);
        }
    }
    return out;
}

/// An array index token per RFC 6901: "0" or digits without a leading zero. "-" is
/// handled by the callers because only "add" accepts it.
std::optional<std::size_t> parse_index(std::string_view token) {
    if (token.empty() || token.size() > 18 || (token.size() > 1 && token[0] == '0')) {
        return std::nullopt;
    }
    std::size_t index = 0;
    for (char c : token) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        index = index * 10 + static_cast<std::size_t>(c - '0');
    }
    return index;
}

/// Splits "/a/b/c" into the parent pointer "/a/b" and the unescaped last token "c".
/// '/' never appears escaped inside a token, so the last '/' is the boundary.
std::pair<std::string_view, std::string> split_last(std::string_view pointer) {
    const auto slash = pointer.rfind('/');
    return {pointer.substr(0, slash), unescape_token(pointer.substr(slash + 1))};
}

} // namespace

bool json_equal(const json::value& a, const json::value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_double() || b.is_double()) {
            return a.to_number<double>() == b.to_number<double>();
        }
        return a == b; // int64/uint64 mix is handled by boost::json
    }
    if (a.kind() != b.kind()) {
        return false;
    }
    if (a.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        if (x.size() != y.size()) {
            return false;
        }
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (!json_equal(x[i], y[i])) {
                return false;
            }
        }
        return true;
    }
    if (a.is_object()) {
        const auto& x = a.get_object();
        const auto& y = b.get_object();
        if (x.size() != y.size()) {
            return false;
        }
        for (const auto& member : x) {
            const auto* other = y.if_contains(member.key());
            if (other == nullptr || !json_equal(member.value(), *other)) {
                return false;
            }
        }
        return true;
    }
    return a == b;
}

namespace {

Result<std::string> string_member(const json::object& op, std::string_view name) {
    const auto* member = op.if_contains(name);
    if (member == nullptr) {
        return fail(ErrorCode::invalid_patch, "missing " + quoted(name));
    }
    if (!member->is_string()) {
        return fail(ErrorCode::invalid_patch, quoted(name) + " must be a string");
    }
    std::string text(member->get_string());
    if (!is_valid_pointer(text)) {
        return fail(ErrorCode::invalid_patch, quoted(name) + " is not a JSON pointer: " + quoted(text));
    }
    return text;
}

Result<PatchOperation> parse_operation(const json::value& item) {
    const auto* object = item.if_object();
    if (object == nullptr) {
        return fail(ErrorCode::invalid_patch, "operation must be an object");
    }
    const auto* op_member = object->if_contains("op");
    if (op_member == nullptr || !op_member->is_string()) {
        return fail(ErrorCode::invalid_patch, "missing or non-string \"op\"");
    }
    const auto op = op_from_name(op_member->get_string());
    if (!op) {
        return fail(ErrorCode::invalid_patch, "unknown op \"" + std::string(op_member->get_string()) + "\"");
    }
    PatchOperation parsed;
    parsed.op = *op;
    auto path = string_member(*object, "path");
    if (!path) {
        return std::unexpected(path.error());
    }
    parsed.path = std::move(*path);
    if (*op == PatchOp::move || *op == PatchOp::copy) {
        auto from = string_member(*object, "from");
        if (!from) {
            return std::unexpected(from.error());
        }
        parsed.from = std::move(*from);
    }
    if (*op == PatchOp::add || *op == PatchOp::replace || *op == PatchOp::test) {
        const auto* value = object->if_contains("value");
        if (value == nullptr) {
            return fail(ErrorCode::invalid_patch, "missing \"value\"");
        }
        parsed.value = *value;
    }
    return parsed;
}

Error not_found(std::string_view what = "path") {
    return Error{ErrorCode::invalid_patch, std::string(what) + " not found", {}};
}

} // namespace

// ---- pointers ------------------------------------------------------------------------

bool is_valid_pointer(std::string_view pointer) noexcept {
    if (pointer.empty()) {
        return true;
    }
    if (pointer.front() != '/') {
        return false;
    }
    for (std::size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] == '~' && (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
            return false;
        }
    }
    return true;
}

Result<std::vector<std::string>> split_pointer(std::string_view pointer) {
    if (!is_valid_pointer(pointer)) {
        return fail(ErrorCode::invalid_patch, "not a JSON pointer: \"" + std::string(pointer) + "\"");
    }
    std::vector<std::string> tokens;
    std::size_t start = 1;
    while (start <= pointer.size() && !pointer.empty()) {
        const auto next = pointer.find('/', start);
        const auto end = next == std::string_view::npos ? pointer.size() : next;
        tokens.push_back(unescape_token(pointer.substr(start, end - start)));
        start = end + 1;
    }
    return tokens;
}

std::string child_pointer(std::string_view parent, std::string_view key) {
    std::string out(parent);
    out += '/';
    out += escape_pointer_token(key);
    return out;
}

std::string escape_pointer_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

const json::value* pointer_get(const json::value& document, std::string_view pointer) noexcept {
    boost::json::error_code ec;
    return document.find_pointer(pointer, ec);
}

json::value* pointer_get(json::value& document, std::string_view pointer) noexcept {
    boost::json::error_code ec;
    return document.find_pointer(pointer, ec);
}

Result<void> pointer_add(json::value& document, std::string_view pointer, json::value value) {
    if (pointer.empty()) {
        document = std::move(value);
        return {};
    }
    const auto [parent_pointer, token] = split_last(pointer);
    auto* parent = pointer_get(document, parent_pointer);
    if (parent == nullptr) {
        return std::unexpected(not_found("parent of path"));
    }
    if (auto* object = parent->if_object()) {
        (*object)[token] = std::move(value);
        return {};
    }
    if (auto* array = parent->if_array()) {
        if (token == "-") {
            array->push_back(std::move(value));
            return {};
        }
        const auto index = parse_index(token);
        if (!index) {
            return fail(ErrorCode::invalid_patch, quoted(token) + " is not an array index");
        }
        if (*index > array->size()) {
            return fail(ErrorCode::invalid_patch, "array index " + token + " is out of range");
        }
        array->insert(array->begin() + static_cast<std::ptrdiff_t>(*index), std::move(value));
        return {};
    }
    return fail(ErrorCode::invalid_patch, "parent of path is neither an object nor an array");
}

Result<json::value> pointer_remove(json::value& document, std::string_view pointer) {
    if (pointer.empty()) {
        return std::exchange(document, nullptr);
    }
    const auto [parent_pointer, token] = split_last(pointer);
    auto* parent = pointer_get(document, parent_pointer);
    if (parent == nullptr) {
        return std::unexpected(not_found());
    }
    if (auto* object = parent->if_object()) {
        const auto it = object->find(token);
        if (it == object->end()) {
            return std::unexpected(not_found());
        }
        json::value removed = std::move(it->value());
        object->erase(it);
        return removed;
    }
    if (auto* array = parent->if_array()) {
        const auto index = parse_index(token);
        if (!index || *index >= array->size()) {
            return std::unexpected(not_found());
        }
        const auto position = array->begin() + static_cast<std::ptrdiff_t>(*index);
        json::value removed = std::move(*position);
        array->erase(position);
        return removed;
    }
    return std::unexpected(not_found());
}

Result<void> pointer_replace(json::value& document, std::string_view pointer, json::value value) {
    auto* target = pointer_get(document, pointer);
    if (target == nullptr) {
        return std::unexpected(not_found());
    }
    *target = std::move(value);
    return {};
}

// ---- operations ----------------------------------------------------------------------

Result<std::vector<PatchOperation>> parse_patch(const json::value& patch) {
    const auto* array = patch.if_array();
    if (array == nullptr) {
        return fail(ErrorCode::invalid_patch, "a JSON Patch must be an array of operations");
    }
    std::vector<PatchOperation> operations;
    operations.reserve(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto op = parse_operation((*array)[i]);
        if (!op) {
            return fail(ErrorCode::invalid_patch, op.error().message, std::string("/").append(std::to_string(i)));
        }
        operations.push_back(std::move(*op));
    }
    return operations;
}

Result<void> apply_operation(json::value& document, const PatchOperation& op) {
    switch (op.op) {
    case PatchOp::add:
        return pointer_add(document, op.path, op.value);
    case PatchOp::replace:
        return pointer_replace(document, op.path, op.value);
    case PatchOp::remove: {
        auto removed = pointer_remove(document, op.path);
        if (!removed) {
            return std::unexpected(removed.error());
        }
        return {};
    }
    case PatchOp::test: {
        const auto* current = pointer_get(document, op.path);
        if (current == nullptr) {
            return std::unexpected(not_found());
        }
        if (!json_equal(*current, op.value)) {
            return fail(ErrorCode::test_failed,
                        "value is " + json::serialize(*current) + ", expected " + json::serialize(op.value));
        }
        return {};
    }
    case PatchOp::copy: {
        const auto* source = pointer_get(document, op.from);
        if (source == nullptr) {
            return std::unexpected(not_found("from"));
        }
        json::value copied = *source; // copy first: the target may be inside the source
        return pointer_add(document, op.path, std::move(copied));
    }
    case PatchOp::move: {
        if (op.path.size() > op.from.size() && op.path.starts_with(op.from) && op.path[op.from.size()] == '/') {
            return fail(ErrorCode::invalid_patch, "cannot move a value into one of its own children");
        }
        if (op.from == op.path) {
            return pointer_get(document, op.from) == nullptr ? std::unexpected(not_found("from")) : Result<void>{};
        }
        auto moved = pointer_remove(document, op.from);
        if (!moved) {
            return std::unexpected(not_found("from"));
        }
        return pointer_add(document, op.path, std::move(*moved));
    }
    }
    return fail(ErrorCode::invalid_patch, "unknown operation");
}

Result<void> apply_patch(json::value& document, std::span<const PatchOperation> patch) {
    // Work on a copy so that a failure half-way leaves the caller's document untouched.
    json::value working = document;
    for (std::size_t i = 0; i < patch.size(); ++i) {
        auto applied = apply_operation(working, patch[i]);
        if (!applied) {
            Error error = std::move(applied.error());
            error.where = std::string("/").append(std::to_string(i)).append(" (");
            error.where.append(patch_op_name(patch[i].op)).append(" ").append(patch[i].path).append(")");
            return std::unexpected(std::move(error));
        }
    }
    document = std::move(working);
    return {};
}

Result<void> apply_patch(json::value& document, const json::value& patch) {
    auto operations = parse_patch(patch);
    if (!operations) {
        return std::unexpected(operations.error());
    }
    return apply_patch(document, *operations);
}

// ---- diff ----------------------------------------------------------------------------

json::array patch_to_json(std::span<const PatchOperation> patch) {
    json::array out;
    out.reserve(patch.size());
    for (const auto& op : patch) {
        json::object item;
        item.reserve(3);
        item.emplace("op", patch_op_name(op.op));
        if (op.op == PatchOp::move || op.op == PatchOp::copy) {
            item.emplace("from", op.from);
        }
        item.emplace("path", op.path);
        if (op.op == PatchOp::add || op.op == PatchOp::replace || op.op == PatchOp::test) {
            item.emplace("value", op.value);
        }
        out.push_back(std::move(item));
    }
    return out;
}

std::vector<PatchOperation> diff_members(const json::object& before, const json::object& after,
                                         std::string_view prefix) {
    std::vector<PatchOperation> patch;
    const auto path_of = [&](std::string_view key) { return child_pointer(prefix, key); };
    for (const auto& member : after) {
        const auto* old = before.if_contains(member.key());
        if (old == nullptr) {
            patch.push_back(PatchOperation{PatchOp::add, path_of(member.key()), {}, member.value()});
        } else if (!json_equal(*old, member.value())) {
            patch.push_back(PatchOperation{PatchOp::replace, path_of(member.key()), {}, member.value()});
        }
    }
    for (const auto& member : before) {
        if (!after.contains(member.key())) {
            patch.push_back(PatchOperation{PatchOp::remove, path_of(member.key()), {}, nullptr});
        }
    }
    return patch;
}

} // namespace dtwin::core
