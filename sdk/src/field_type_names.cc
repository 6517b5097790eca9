// Grafana's names of field types (field_type_names.h).
#include "field_type_names.h"

namespace runnel::internal {

// The "type" of a field (Go's getTypeScriptTypeString).
const char* SimpleTypeName(FieldType type) {
  switch (type) {
    case FieldType::kTime:
      return "time";
    case FieldType::kString:
      return "string";
    case FieldType::kBool:
      return "boolean";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kJSON:
      return "other";
    default:
      return "number";
  }
}

// typeInfo.frame: Go's ItemTypeString of the non-nullable type.
const char* FrameTypeName(FieldType type) {
  switch (type) {
    case FieldType::kTime:
      return "time.Time";
    case FieldType::kFloat64:
      return "float64";
    case FieldType::kInt64:
      return "int64";
    case FieldType::kString:
      return "string";
    case FieldType::kBool:
      return "bool";
    case FieldType::kInt8:
      return "int8";
    case FieldType::kInt16:
      return "int16";
    case FieldType::kInt32:
      return "int32";
    case FieldType::kUint8:
      return "uint8";
    case FieldType::kUint16:
      return "uint16";
    case FieldType::kUint32:
      return "uint32";
    case FieldType::kUint64:
      return "uint64";
    case FieldType::kFloat32:
      return "float32";
    case FieldType::kJSON:
      return "json.RawMessage";
    case FieldType::kEnum:
      return "enum";
  }
  return "";
}

}  // namespace runnel::internal
