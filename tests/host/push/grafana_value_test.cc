// Grafana's value rules (telegraf/convert.go getFieldTypeAndValue with
// float64 numbers) and Go's "%v" text for values that meet a string column.
#include "push/grafana_value.h"

#include <gtest/gtest.h>

#include <variant>

#include "push/frame_format.h"

namespace runnel::host {
namespace {

FieldValue Float(double v) {
  FieldValue value;
  value.float_value = v;
  return value;
}

TEST(GoValueString, FloatsAsGoPrintsThem) {
  // Checked against `fmt.Printf("%v", v)` in Go.
  EXPECT_EQ(GoValueString(Float(1)), "1");
  EXPECT_EQ(GoValueString(Float(2.5)), "2.5");
  EXPECT_EQ(GoValueString(Float(123456)), "123456");
  EXPECT_EQ(GoValueString(Float(1e6)), "1e+06");
  EXPECT_EQ(GoValueString(Float(1234567)), "1.234567e+06");
  EXPECT_EQ(GoValueString(Float(12345678.9)), "1.23456789e+07");
  EXPECT_EQ(GoValueString(Float(1e21)), "1e+21");
  EXPECT_EQ(GoValueString(Float(0.0001)), "0.0001");
  EXPECT_EQ(GoValueString(Float(0.00001)), "1e-05");
  EXPECT_EQ(GoValueString(Float(1.5e-7)), "1.5e-07");
  EXPECT_EQ(GoValueString(Float(-0.5)), "-0.5");
  EXPECT_EQ(GoValueString(Float(1e100)), "1e+100");
}

TEST(GoValueString, OtherTypes) {
  FieldValue value;
  value.type = ValueType::kInteger;
  value.int_value = -5;
  EXPECT_EQ(GoValueString(value), "-5");
  value.type = ValueType::kUnsigned;
  value.uint_value = 18446744073709551615u;
  EXPECT_EQ(GoValueString(value), "18446744073709551615");
  value.type = ValueType::kBoolean;
  value.bool_value = true;
  EXPECT_EQ(GoValueString(value), "true");
}

TEST(ToGrafanaValue, NumbersAreFloat64) {
  FieldValue value;
  value.type = ValueType::kInteger;
  value.int_value = 9007199254740993;  // 2^53 + 1: rounds, as in Grafana
  GrafanaValue converted = ToGrafanaValue(value);
  EXPECT_EQ(converted.type, FieldType::kFloat64);
  EXPECT_EQ(std::get<double>(converted.value), 9007199254740992.0);
  value.type = ValueType::kUnsigned;
  value.uint_value = 7;
  EXPECT_EQ(std::get<double>(ToGrafanaValue(value).value), 7.0);
}

TEST(ToGrafanaValue, StringsBooleansAndNaN) {
  FieldValue value;
  value.type = ValueType::kString;
  value.string_value = "NaN";
  GrafanaValue nan = ToGrafanaValue(value);
  EXPECT_EQ(nan.type, FieldType::kFloat64);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(nan.value));
  value.string_value = "nan";  // only the exact spelling
  EXPECT_EQ(ToGrafanaValue(value).type, FieldType::kString);
  value.type = ValueType::kBoolean;
  EXPECT_EQ(ToGrafanaValue(value).type, FieldType::kBool);
}

TEST(FrameFormatFromQuery, GrafanaSpellings) {
  EXPECT_EQ(FrameFormatFromQuery(""), FrameFormat::kLabelsColumn);
  EXPECT_EQ(FrameFormatFromQuery("labels_column"), FrameFormat::kLabelsColumn);
  EXPECT_EQ(FrameFormatFromQuery("Labels_Column"), FrameFormat::kLabelsColumn);
  EXPECT_EQ(FrameFormatFromQuery("wide"), FrameFormat::kWide);
  EXPECT_EQ(FrameFormatFromQuery("WIDE"), FrameFormat::kWide);
  EXPECT_EQ(FrameFormatFromQuery("prometheus"), std::nullopt);
  EXPECT_EQ(FrameFormatFromQuery("wide "), std::nullopt);
}

}  // namespace
}  // namespace runnel::host
