// FrameText: a data frame as one line per column, so converter tests can
// state whole frames as text: name:type?{labels}=[values], '?' marking a
// nullable column, times in Unix nanoseconds.
#ifndef RUNNEL_TESTS_HOST_PUSH_FRAME_TEXT_H_
#define RUNNEL_TESTS_HOST_PUSH_FRAME_TEXT_H_

#include <charconv>
#include <string>
#include <string_view>

#include "runnel/frame.h"

namespace runnel::push_test {

inline std::string CellText(const Field& field, size_t row) {
  if (field.nullable() && field.IsNull(row)) return "null";
  switch (field.type()) {
    case FieldType::kTime:
      return std::to_string(field.TimeAt(row).unix_nanos);
    case FieldType::kFloat64: {
      char buffer[32];
      char* end =
          std::to_chars(buffer, buffer + sizeof buffer, field.Float64At(row))
              .ptr;
      return std::string(buffer, end);
    }
    case FieldType::kInt64:
      return std::to_string(field.Int64At(row));
    case FieldType::kString:
      return "\"" + field.StringAt(row) + "\"";
    case FieldType::kBool:
      return field.BoolAt(row) ? "true" : "false";
    default:  // types the push converters never produce
      break;
  }
  return "?";
}

inline std::string TypeText(FieldType type) {
  switch (type) {
    case FieldType::kTime:
      return "time";
    case FieldType::kFloat64:
      return "float64";
    case FieldType::kInt64:
      return "int64";
    case FieldType::kString:
      return "string";
    case FieldType::kBool:
      return "bool";
    default:  // types the push converters never produce
      break;
  }
  return "?";
}

inline std::string FieldText(const Field& field) {
  std::string text = field.name() + ":" + TypeText(field.type());
  if (field.nullable()) text += "?";
  if (!field.labels().empty()) {
    std::string_view separator = "{";
    for (const auto& [key, value] : field.labels()) {
      text.append(separator).append(key).append("=").append(value);
      separator = ",";
    }
    text += "}";
  }
  std::string_view separator = "=[";
  for (size_t row = 0; row < field.size(); ++row) {
    text.append(separator).append(CellText(field, row));
    separator = ",";
  }
  return text + (field.size() == 0 ? "=[]" : "]");
}

inline std::string FrameText(const Frame& frame) {
  std::string text = frame.name();
  for (const Field& field : frame.fields()) {
    text.append("\n  ").append(FieldText(field));
  }
  return text;
}

}  // namespace runnel::push_test

#endif  // RUNNEL_TESTS_HOST_PUSH_FRAME_TEXT_H_
