// Frame JSON: Grafana's data frame JSON encoding (reference §3), byte for byte
// in key order, epoch-ms times with "nanos", NaN/Inf as null + "entities".
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
