// Internal: the frame meta JSON both frame encoders write (frame JSON's
// "meta" and Arrow's "meta" schema metadata), as the Go SDK's json.Marshal of
// its FrameMeta writes it. Pure functions; thread-safe.
#ifndef RUNNEL_SDK_SRC_FRAME_META_JSON_H_
#define RUNNEL_SDK_SRC_FRAME_META_JSON_H_

#include <string>
#include <string_view>

namespace runnel::internal {

// Appends the author's meta object, minified, with "typeVersion":[0,0]
// added when absent (Go's FrameMeta.TypeVersion has no omitempty): after a
// top-level "type" member if there is one (where Go's struct puts it), else
// first. Returns false (out unchanged) when meta is not a valid JSON object.
bool AppendMetaJSON(std::string_view meta, std::string& out);

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_FRAME_META_JSON_H_
