// FrameMeta <-> meta JSON (names and order of grafana-plugin-sdk-go
// data/frame_meta.go), and frame JSON of the field types added for Arrow
// (type names and typeInfo.frame of data/frame_json.go and field_type.go).
#include "runnel/frame_meta.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "runnel/frame_json.h"

namespace runnel::testing {
namespace {

TEST(FrameMetaTest, ToJSONWritesGoOrderAndOmitsEmptyMembers) {
  EXPECT_EQ(FrameMetaToJSON(FrameMeta{}), R"({"typeVersion":[0,0]})");
  FrameMeta meta;
  meta.type = "timeseries-multi";
  meta.type_version = {0, 1};
  meta.path = "p";
  meta.custom_json = R"({ "a" : 1 })";
  meta.notices = {{NoticeSeverity::kError, "bad", "/x", InspectType::kData}};
  meta.channel = "ds/uid/stream";
  meta.preferred_visualisation_type = "graph";
  meta.executed_query_string = "q";
  EXPECT_EQ(FrameMetaToJSON(meta),
            R"({"type":"timeseries-multi","typeVersion":[0,1],"path":"p",)"
            R"("custom":{"a":1},"notices":[{"severity":"error","text":"bad",)"
            R"("link":"/x","inspect":3}],"channel":"ds/uid/stream",)"
            R"("preferredVisualisationType":"graph",)"
            R"("executedQueryString":"q"})");
}

TEST(FrameMetaTest, FromJSONReadsWhatToJSONWrites) {
  FrameMeta meta;
  meta.type = "t";
  meta.type_version = {1, 2};
  meta.custom_json = R"({"a":[1,"x"]})";
  meta.notices = {{NoticeSeverity::kInfo, "i", "", InspectType::kNone},
                  {NoticeSeverity::kWarning, "w", "l", InspectType::kStats}};
  meta.channel = "c";
  meta.path_separator = "/";
  meta.data_topic = "annotations";
  FrameMeta read;
  Status status = FrameMetaFromJSON(FrameMetaToJSON(meta), &read);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(read.type, "t");
  EXPECT_EQ(read.type_version, (std::array<uint32_t, 2>{1, 2}));
  EXPECT_EQ(read.custom_json, meta.custom_json);
  ASSERT_EQ(read.notices.size(), 2u);
  EXPECT_EQ(read.notices[1].severity, NoticeSeverity::kWarning);
  EXPECT_EQ(read.notices[1].link, "l");
  EXPECT_EQ(read.notices[1].inspect, InspectType::kStats);
  EXPECT_EQ(read.channel, "c");
  EXPECT_EQ(read.path_separator, "/");
  EXPECT_EQ(read.data_topic, "annotations");
}

TEST(FrameMetaTest, FromJSONRefusesWrongShapes) {
  FrameMeta meta;
  for (const char* bad :
       {"", "[]", R"({"channel":1})", R"({"typeVersion":[1]})",
        R"({"notices":[{"severity":"loud","text":"x"}]})",
        R"({"notices":{}})"}) {
    EXPECT_EQ(FrameMetaFromJSON(bad, &meta).code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(FrameMetaTest, SetFrameMetaShowsInFrameJSON) {
  Frame frame;
  FrameMeta meta;
  meta.channel = "ds/testdata/random-20Hz-stream";
  SetFrameMeta(frame, meta);
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kSchemaOnly),
            R"({"schema":{"meta":{"typeVersion":[0,0],)"
            R"("channel":"ds/testdata/random-20Hz-stream"},"fields":[]}})");
}

TEST(FrameJSONNewTypesTest, SchemaNamesEveryType) {
  Frame frame;
  const struct {
    FieldType type;
    const char* json;
  } kCases[] = {
      {FieldType::kInt8, R"("type":"number","typeInfo":{"frame":"int8"})"},
      {FieldType::kInt16, R"("type":"number","typeInfo":{"frame":"int16"})"},
      {FieldType::kInt32, R"("type":"number","typeInfo":{"frame":"int32"})"},
      {FieldType::kUint8, R"("type":"number","typeInfo":{"frame":"uint8"})"},
      {FieldType::kUint16, R"("type":"number","typeInfo":{"frame":"uint16"})"},
      {FieldType::kUint32, R"("type":"number","typeInfo":{"frame":"uint32"})"},
      {FieldType::kUint64, R"("type":"number","typeInfo":{"frame":"uint64"})"},
      {FieldType::kFloat32,
       R"("type":"number","typeInfo":{"frame":"float32"})"},
      {FieldType::kJSON,
       R"("type":"other","typeInfo":{"frame":"json.RawMessage"})"},
      {FieldType::kEnum, R"("type":"enum","typeInfo":{"frame":"enum"})"},
  };
  for (const auto& c : kCases) {
    Frame one;
    one.AddField("", c.type, true);
    std::string want = R"({"schema":{"fields":[{)" + std::string(c.json);
    want.insert(want.size() - 1, R"(,"nullable":true)");
    want += "}]}}";
    EXPECT_EQ(FrameToJSON(one, FrameInclude::kSchemaOnly), want);
  }
}

TEST(FrameJSONNewTypesTest, ValuesAsGoWritesThem) {
  Frame frame;
  frame.AddField("", FieldType::kUint64)
      .AppendUint64(std::numeric_limits<uint64_t>::max());
  frame.AddField("", FieldType::kInt8).AppendInt8(-128);
  frame.AddField("", FieldType::kFloat32).AppendFloat32(0.1f);
  frame.AddField("", FieldType::kJSON).AppendJSON(R"({ "a" : [1, 2] })");
  frame.AddField("", FieldType::kEnum).AppendEnum(7);
  frame.AddField("", FieldType::kFloat32, true).AppendFloat32(std::nanf(""));
  EXPECT_EQ(FrameToJSON(frame, FrameInclude::kDataOnly),
            R"({"data":{"values":[[18446744073709551615],[-128],[0.1],)"
            R"([{"a":[1,2]}],[7],[null]],)"
            R"("entities":[null,null,null,null,null,{"NaN":[0]}]}})");
}

TEST(FrameJSONNewTypesTest, Float32UsesItsOwnShortestDigits) {
  const struct {
    float v;
    const char* json;
  } kCases[] = {{1.5e-7f, "1.5e-07"},
                {3.4028235e38f, "3.4028235e+38"},
                {1e20f, "100000000000000000000"},
                {0.000123f, "0.000123"},
                {-0.0f, "-0"},
                {16777216.0f, "16777216"}};
  for (const auto& c : kCases) {
    Frame frame;
    frame.AddField("", FieldType::kFloat32).AppendFloat32(c.v);
    EXPECT_EQ(FrameToJSON(frame, FrameInclude::kDataOnly),
              std::string(R"({"data":{"values":[[)") + c.json + "]]}}");
  }
}

}  // namespace
}  // namespace runnel::testing
