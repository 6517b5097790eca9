// Frame JSON: Grafana's data frame JSON encoding (grafana-plugin-sdk-go
// data/frame_json.go), byte for byte in key order, epoch-ms times with "nanos",
// NaN/Inf as null + "entities". Numbers and strings are written as the Go SDK
// writes them (shortest round-trip floats; strings escaped as jsoniter's
// WriteString does), except that invalid UTF-8 becomes U+FFFD, so the output is
// always valid JSON without raw control characters. Every field type has the
// Go SDK's "type" and typeInfo.frame ("number"/"int8", "other"/
// "json.RawMessage", "enum"/"enum", ...); float32 values use float32's
// shortest digits; JSON field values are written minified (null, with one
// warning per process, when not JSON). Meta and field config are
// the author's JSON text, written minified; text that is not a valid JSON
// object is left out (one warning per process). Meta always carries
// "typeVersion" ([0,0] unless the author set one). Columns of unequal length
// (possible only by appending to fields directly) are written as they are. Pure
// functions; thread-safe for distinct outputs.
#ifndef RUNNEL_FRAME_JSON_H_
#define RUNNEL_FRAME_JSON_H_

#include <string>

#include "runnel/frame.h"

namespace runnel {

// Values match the Go SDK's data.FrameInclude (iota + 1).
enum class FrameInclude { kAll = 1, kDataOnly = 2, kSchemaOnly = 3 };

std::string FrameToJSON(const Frame& frame, FrameInclude include);
// Appends to out; lets a hot loop reuse one buffer.
void AppendFrameJSON(const Frame& frame, FrameInclude include,
                     std::string& out);

}  // namespace runnel

#endif  // RUNNEL_FRAME_JSON_H_
