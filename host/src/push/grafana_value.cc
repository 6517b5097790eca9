#include "push/grafana_value.h"

#include <charconv>
#include <string_view>

namespace runnel::host {
namespace {

// Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest digits, in
// exponent form when the exponent is < -4 or >= 6 (Go uses 6 as the %g
// precision for that choice when the precision is "shortest").
std::string GoFloat(double v) {
  char buffer[64];
  char* end = std::to_chars(buffer, buffer + sizeof buffer, v,
                            std::chars_format::scientific)
                  .ptr;
  std::string_view scientific(buffer, end - buffer);
  size_t e = scientific.find('e');
  std::string_view digits = scientific.substr(e + 2);
  int exponent = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
  if (scientific[e + 1] == '-') exponent = -exponent;
  // C++ and Go both write at least two exponent digits ("1e+06").
  if (exponent < -4 || exponent >= 6) return std::string(scientific);
  end =
      std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed)
          .ptr;
  return std::string(buffer, end - buffer);
}

}  // namespace

GrafanaValue ToGrafanaValue(const FieldValue& value) {
  switch (value.type) {
    case ValueType::kFloat:
      return {FieldType::kFloat64, value.float_value};
    case ValueType::kInteger:
      return {FieldType::kFloat64, static_cast<double>(value.int_value)};
    case ValueType::kUnsigned:
      return {FieldType::kFloat64, static_cast<double>(value.uint_value)};
    case ValueType::kBoolean:
      return {FieldType::kBool, value.bool_value};
    case ValueType::kString:
      if (value.string_value == "NaN") return {FieldType::kFloat64, {}};
      return {FieldType::kString, std::string(value.string_value)};
  }
  return {FieldType::kFloat64, {}};
}

std::string GoValueString(const FieldValue& value) {
  switch (value.type) {
    case ValueType::kFloat:
      return GoFloat(value.float_value);
    case ValueType::kInteger:
      return std::to_string(value.int_value);
    case ValueType::kUnsigned:
      return std::to_string(value.uint_value);
    case ValueType::kBoolean:
      return value.bool_value ? "true" : "false";
    case ValueType::kString:
      return std::string(value.string_value);
  }
  return "";
}

}  // namespace runnel::host
