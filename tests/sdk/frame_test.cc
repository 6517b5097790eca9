// Field and Frame: typed appends, nulls, row checks, reuse.
#include "runnel/frame.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace runnel {
namespace {

TEST(TimestampTest, NowIsTheWallClock) {
  const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  EXPECT_NEAR(static_cast<double>(Timestamp::Now().unix_nanos),
              static_cast<double>(wall), 1e9);
}

TEST(FieldTest, TypedAppendsAndReads) {
  Field time("Time", FieldType::kTime);
  Field value("Value", FieldType::kFloat64);
  Field count("Count", FieldType::kInt64);
  Field label("Label", FieldType::kString);
  Field flag("Flag", FieldType::kBool);
  time.AppendTime(Timestamp{1'700'000'000'123'456'789});
  value.AppendFloat64(52.1);
  count.AppendInt64(-7);
  label.AppendString("a");
  flag.AppendBool(true);
  flag.AppendBool(false);

  EXPECT_EQ(time.size(), 1u);
  EXPECT_EQ(time.TimeAt(0).unix_nanos, 1'700'000'000'123'456'789);
  EXPECT_DOUBLE_EQ(value.Float64At(0), 52.1);
  EXPECT_EQ(count.Int64At(0), -7);
  EXPECT_EQ(label.StringAt(0), "a");
  EXPECT_EQ(flag.size(), 2u);
  EXPECT_TRUE(flag.BoolAt(0));
  EXPECT_FALSE(flag.BoolAt(1));
  EXPECT_FALSE(value.IsNull(0));
}

TEST(FieldTest, NullableFieldKeepsValidity) {
  Field f("v", FieldType::kFloat64, /*nullable=*/true);
  f.AppendFloat64(1.5);
  f.AppendNull();
  f.Append(Field::Value{2.5});
  f.Append(Field::Value{});
  ASSERT_EQ(f.size(), 4u);
  EXPECT_FALSE(f.IsNull(0));
  EXPECT_TRUE(f.IsNull(1));
  EXPECT_FALSE(f.IsNull(2));
  EXPECT_TRUE(f.IsNull(3));
  EXPECT_DOUBLE_EQ(f.Float64At(2), 2.5);
}

TEST(FieldTest, GenericAppendDispatchesOnType) {
  Field s("s", FieldType::kString);
  s.Append(Field::Value{std::string("x")});
  Field t("t", FieldType::kTime);
  t.Append(Field::Value{Timestamp{5}});
  Field i("i", FieldType::kInt64);
  i.Append(Field::Value{int64_t{9}});
  Field b("b", FieldType::kBool);
  b.Append(Field::Value{true});
  EXPECT_EQ(s.StringAt(0), "x");
  EXPECT_EQ(t.TimeAt(0).unix_nanos, 5);
  EXPECT_EQ(i.Int64At(0), 9);
  EXPECT_TRUE(b.BoolAt(0));
}

TEST(FieldTest, ConfigAndLabels) {
  Field f("v", FieldType::kFloat64, false, {{"host", "a"}});
  EXPECT_EQ(f.labels().at("host"), "a");
  EXPECT_EQ(f.config_json(), "");
  f.set_config_json(R"({"unit":"ms"})");
  f.set_labels({{"x", "y"}});
  EXPECT_EQ(f.config_json(), R"({"unit":"ms"})");
  EXPECT_EQ(f.labels().size(), 1u);
  EXPECT_EQ(f.labels().at("x"), "y");
}

TEST(FieldTest, ReserveAndClear) {
  Field f("v", FieldType::kInt64, true);
  f.Reserve(100);
  f.AppendInt64(1);
  f.AppendNull();
  f.Clear();
  EXPECT_EQ(f.size(), 0u);
  f.AppendNull();
  EXPECT_TRUE(f.IsNull(0));
}

TEST(FieldDeathTest, TypeMismatchAbortsInDebug) {
  Field f("v", FieldType::kFloat64);
  EXPECT_DEBUG_DEATH(f.AppendInt64(1), "AppendInt64");
#ifdef NDEBUG
  // Release builds keep the columns aligned with a zero value.
  EXPECT_EQ(f.size(), 1u);
#endif
}

TEST(FrameTest, AppendRowAppendsOneValuePerField) {
  Frame frame("testdata");
  frame.AddField("Time", FieldType::kTime);
  frame.AddField("Value", FieldType::kFloat64, /*nullable=*/true);
  frame.AddField("Name", FieldType::kString);
  EXPECT_EQ(frame.rows(), 0u);
  ASSERT_TRUE(frame.AppendRow({Timestamp{1}, 1.5, std::string("a")}).ok());
  ASSERT_TRUE(frame.AppendRow({Timestamp{2}, {}, std::string("b")}).ok());
  EXPECT_EQ(frame.rows(), 2u);
  EXPECT_EQ(frame.fields()[0].TimeAt(1).unix_nanos, 2);
  EXPECT_TRUE(frame.fields()[1].IsNull(1));
  EXPECT_EQ(frame.fields()[2].StringAt(0), "a");
}

TEST(FrameTest, AppendRowChecksArity) {
  Frame frame;
  frame.AddField("a", FieldType::kFloat64);
  frame.AddField("b", FieldType::kFloat64);
  Status too_few = frame.AppendRow({1.0});
  EXPECT_EQ(too_few.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_few.message().find("1 values"), std::string::npos)
      << too_few.message();
  EXPECT_FALSE(frame.AppendRow({1.0, 2.0, 3.0}).ok());
  EXPECT_EQ(frame.rows(), 0u);
  for (const Field& f : frame.fields()) EXPECT_EQ(f.size(), 0u);
}

TEST(FrameTest, AppendRowRejectsWrongTypeWithoutPartialAppend) {
  Frame frame;
  frame.AddField("a", FieldType::kFloat64);
  frame.AddField("b", FieldType::kInt64);
  Status s = frame.AppendRow({1.0, 2.0});  // 2.0 is a double, b is int64
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"b\""), std::string::npos) << s.message();
  EXPECT_EQ(frame.fields()[0].size(), 0u);
  EXPECT_TRUE(frame.AppendRow({1.0, int64_t{2}}).ok());
}

TEST(FrameTest, AppendRowRejectsNullForNonNullableField) {
  Frame frame;
  frame.AddField("a", FieldType::kString);
  EXPECT_FALSE(frame.AppendRow({Field::Value{}}).ok());
  EXPECT_EQ(frame.rows(), 0u);
}

TEST(FrameTest, MetadataAndClearRowsKeepsSchema) {
  Frame frame("f");
  frame.set_ref_id("A");
  frame.set_meta_json(R"({"type":"timeseries-wide"})");
  frame.AddField("v", FieldType::kBool);
  ASSERT_TRUE(frame.AppendRow({true}).ok());
  frame.ClearRows();
  EXPECT_EQ(frame.rows(), 0u);
  ASSERT_EQ(frame.fields().size(), 1u);
  EXPECT_EQ(frame.name(), "f");
  EXPECT_EQ(frame.ref_id(), "A");
  EXPECT_EQ(frame.meta_json(), R"({"type":"timeseries-wide"})");
  ASSERT_TRUE(frame.AppendRow({false}).ok());
  EXPECT_FALSE(frame.fields()[0].BoolAt(0));
}

}  // namespace
}  // namespace runnel
