// PointsText: parsed points as text, one point a line, each element in
// angle brackets so the test shows exactly where an unescaped element ends:
//   <measurement>,<key>=<value> <key>=type:value @unix_nanos
// with types f (float), i (integer), u (unsigned), b (boolean), s (string).
#ifndef RUNNEL_TESTS_HOST_PUSH_POINT_TEXT_H_
#define RUNNEL_TESTS_HOST_PUSH_POINT_TEXT_H_

#include <charconv>
#include <string>
#include <string_view>

#include "push/line_protocol.h"

namespace runnel::push_test {

using host::FieldValue;
using host::Point;
using host::PointBatch;
using host::PointField;
using host::Tag;
using host::ValueType;

inline std::string ValueText(const FieldValue& value) {
  switch (value.type) {
    case ValueType::kFloat: {
      char buffer[32];
      char* end =
          std::to_chars(buffer, buffer + sizeof buffer, value.float_value).ptr;
      return "f:" + std::string(buffer, end);
    }
    case ValueType::kInteger:
      return "i:" + std::to_string(value.int_value);
    case ValueType::kUnsigned:
      return "u:" + std::to_string(value.uint_value);
    case ValueType::kBoolean:
      return value.bool_value ? "b:true" : "b:false";
    case ValueType::kString:
      return "s:<" + std::string(value.string_value) + ">";
  }
  return "?";
}

inline std::string PointsText(const PointBatch& batch) {
  std::string out;
  auto element = [&out](std::string_view text) {
    out.append("<").append(text).append(">");
  };
  for (const Point& point : batch.points()) {
    if (!out.empty()) out += "\n";
    element(point.measurement);
    for (const Tag& tag : batch.tags(point)) {
      out += ",";
      element(tag.key);
      out += "=";
      element(tag.value);
    }
    char separator = ' ';
    for (const PointField& field : batch.fields(point)) {
      out += separator;
      element(field.key);
      out.append("=").append(ValueText(field.value));
      separator = ',';
    }
    if (point.unix_nanos) {
      out.append(" @").append(std::to_string(*point.unix_nanos));
    }
  }
  return out;
}

}  // namespace runnel::push_test

#endif  // RUNNEL_TESTS_HOST_PUSH_POINT_TEXT_H_
