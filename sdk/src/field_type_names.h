// Internal: the names Grafana gives field types, shared by frame JSON and
// Arrow. Pure functions; thread-safe.
#ifndef RUNNEL_SDK_SRC_FIELD_TYPE_NAMES_H_
#define RUNNEL_SDK_SRC_FIELD_TYPE_NAMES_H_

#include "runnel/frame.h"

namespace runnel::internal {

// The TypeScript type the frontend sees: frame JSON's field "type" and
// Arrow's field metadata "tstype" (grafana-plugin-sdk-go data/frame_json.go
// getTypeScriptTypeString): "time", "number", "string", "boolean", "enum",
// "other" (JSON).
const char* SimpleTypeName(FieldType type);

// Frame JSON's typeInfo.frame: the Go SDK's ItemTypeString of the
// non-nullable type ("time.Time", "int8", "json.RawMessage", "enum", ...).
const char* FrameTypeName(FieldType type);

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_FIELD_TYPE_NAMES_H_
