// JSONScan: finds the parts of JSON text without building a document, so a
// client's payloads can be kept as the raw bytes it sent (the Go server's
// Raw type does the same) instead of being parsed and re-serialised.
//
// Every walk here is a loop with an explicit position: no recursion, so a
// value nested a million levels deep costs no stack. The text must already
// be valid JSON (nlohmann::json::accept, itself non-recursive): the scanner
// checks only what it needs to find its way and stops at the end of the
// text on anything else.
// Thread-safety: pure functions.
#ifndef RUNNEL_HOST_LIVE_JSON_SCAN_H_
#define RUNNEL_HOST_LIVE_JSON_SCAN_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace runnel::host::json_scan {

// The position of the first non-whitespace byte at or after `pos`.
size_t SkipSpace(std::string_view text, size_t pos);

// The position just past the value that starts at `pos` (which must be at
// the value's first byte): a string, number, literal, or a whole object or
// array however deeply nested.
size_t SkipValue(std::string_view text, size_t pos);

// Calls `member(key, value)` for each member of the object that starts at
// `pos`, in document order; `key` is the raw string literal with its
// quotes, `value` the raw value text. Returns false if `pos` is not at an
// object.
using MemberFn = std::function<void(std::string_view key, std::string_view)>;
bool ForEachMember(std::string_view text, size_t pos, const MemberFn& member);

// The text of a raw JSON string literal (quotes included), unescaped;
// nullopt if `literal` is not a string.
std::optional<std::string> StringValue(std::string_view literal);

}  // namespace runnel::host::json_scan

#endif  // RUNNEL_HOST_LIVE_JSON_SCAN_H_
