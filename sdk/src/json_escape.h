// Internal JSON helpers shared by the frame encoder and the logger
// (json_writer.cc, json_minify.cc). Each appends to the caller's buffer and
// allocates nothing else, so a hot loop can reuse one std::string. Pure
// functions; thread-safe.
#ifndef RUNNEL_SDK_SRC_JSON_ESCAPE_H_
#define RUNNEL_SDK_SRC_JSON_ESCAPE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runnel/json_string.h"

namespace runnel::internal {

// The public runnel::AppendJSONString (runnel/json_string.h; checked byte for
// byte against jsoniter 1.1.12, < > & and U+2028 copied as is), under the
// name the encoders use.
using ::runnel::AppendJSONString;

// Appends a finite double as the SDK's jsoniter WriteFloat64 does (checked
// on 200k values against jsoniter 1.1.12): the shortest digits that
// round-trip, in plain notation for 1e-6 <= |v| < 1e21 or v == 0 ("52",
// "52.1", "0.000001", "-0", "100000000000000000000"), otherwise in exponent
// notation with at least two exponent digits ("1e-07", "1.5e+21").
// Precondition: v is finite.
void AppendJSONFloat64(double v, std::string& out);

// Appends a finite float as jsoniter's WriteFloat32 does: the shortest
// digits that round-trip as a float32 ("0.1", not "0.10000000149011612"),
// with AppendJSONFloat64's choice of plain or exponent notation.
// Precondition: v is finite.
void AppendJSONFloat32(float v, std::string& out);

void AppendJSONInt64(int64_t v, std::string& out);

void AppendJSONUint64(uint64_t v, std::string& out);

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 when the
// bytes there are not valid UTF-8 (overlong forms, surrogates and code
// points above U+10FFFF are invalid, as in Go's utf8.DecodeRuneInString).
// Precondition: s[i] >= 0x80.
size_t Utf8SequenceLength(std::string_view s, size_t i);

// Checks that text is one complete JSON value (RFC 8259, valid UTF-8,
// and, as nlohmann requires, \u surrogate escapes in high-low pairs and
// numbers within double's range; nesting at most 256 deep) and appends it
// with insignificant whitespace removed.
// Returns false and leaves out unchanged when it is not.
bool AppendMinifiedJSON(std::string_view text, std::string& out);

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_JSON_ESCAPE_H_
