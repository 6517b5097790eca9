// The converter against the shapes of Grafana's telegraf converter
// (grafana pkg/services/live/telemetry/telegraf/convert.go and the golden
// files in its testdata/), written as our own bodies and expectations.
#include "push/telegraf_frames.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "frame_text.h"
#include "runnel/frame_json.h"

namespace runnel::host {
namespace {

using push_test::FrameText;

constexpr Timestamp kNow{999};

std::vector<MeasurementFrame> Convert(std::string_view body,
                                      FrameFormat format) {
  ConvertOptions options;
  options.format = format;
  std::vector<MeasurementFrame> frames;
  Status status = ConvertLineProtocol(body, options, kNow, frames);
  EXPECT_TRUE(status.ok()) << status.message();
  return frames;
}

std::string Texts(const std::vector<MeasurementFrame>& frames) {
  std::string text;
  for (const MeasurementFrame& frame : frames) {
    text.append("[").append(frame.key).append("] ");
    text.append(FrameText(frame.frame)).append("\n");
  }
  return text;
}

TEST(LabelsColumn, OneFrameSortedFieldsTagsInAnyOrder) {
  // The shape of Grafana's golden_labels_column.json: labels, time, then
  // the fields sorted by key; a line's tag order does not matter.
  auto frames = Convert(
      "cpu,cpu=cpu0,host=h1 usage_user=12.5,usage_idle=80,usage_system=7.5 "
      "1616403090000000000\n"
      "cpu,host=h1,cpu=cpu1 usage_system=0,usage_user=0,usage_idle=100 "
      "1616403090000000000\n"
      "cpu,cpu=cpu-total,host=h1 usage_idle=90i,usage_system=4u,usage_user=6 "
      "1616403091000000000\n",
      FrameFormat::kLabelsColumn);
  EXPECT_EQ(Texts(frames),
            "[cpu] cpu\n"
            "  labels:string=[\"cpu=cpu0, host=h1\",\"cpu=cpu1, host=h1\","
            "\"cpu=cpu-total, host=h1\"]\n"
            "  time:time=[1616403090000000000,1616403090000000000,"
            "1616403091000000000]\n"
            "  usage_idle:float64?=[80,100,90]\n"
            "  usage_system:float64?=[7.5,0,4]\n"
            "  usage_user:float64?=[12.5,0,6]\n");
}

TEST(LabelsColumn, SchemaChangeNullsAndTypeConflicts) {
  // As Grafana's changing_types_NaN golden file: a column's type is its
  // first value's; "NaN" is a null number; a number met by a string
  // column is kept as Go prints it; any other conflict is null; a key
  // missing from a line, or new in a later line, leaves nulls.
  auto frames = Convert(
      "power,site=A watts=5,mode=\"eco\",backup=\"NaN\" 1000\n"
      "power,site=B watts=\"NaN\",mode=\"max\" 2000\n"
      "power,site=A watts=true,mode=2.5,extra=1i 3000\n"
      "power,site=B mode=1e6,ok=t,watts=7 4000\n",
      FrameFormat::kLabelsColumn);
  EXPECT_EQ(Texts(frames),
            "[power] power\n"
            "  labels:string=[\"site=A\",\"site=B\",\"site=A\",\"site=B\"]\n"
            "  time:time=[1000,2000,3000,4000]\n"
            "  backup:float64?=[null,null,null,null]\n"
            "  mode:string?=[\"eco\",\"max\",\"2.5\",\"1e+06\"]\n"
            "  watts:float64?=[5,null,null,7]\n"
            "  extra:float64?=[null,null,1,null]\n"
            "  ok:bool?=[null,null,null,true]\n");
}

TEST(LabelsColumn, FramePerMeasurementInFirstAppearanceOrder) {
  auto frames = Convert(
      "mem,host=a used=1 10\n"
      "cpu,host=a idle=2 10\n"
      "mem,host=b used=3,free=4 20\n"
      "disk free=5\n",
      FrameFormat::kLabelsColumn);
  EXPECT_EQ(Texts(frames),
            "[mem] mem\n"
            "  labels:string=[\"host=a\",\"host=b\"]\n"
            "  time:time=[10,20]\n"
            "  used:float64?=[1,3]\n"
            "  free:float64?=[null,4]\n"
            "[cpu] cpu\n"
            "  labels:string=[\"host=a\"]\n"
            "  time:time=[10]\n"
            "  idle:float64?=[2]\n"
            "[disk] disk\n"
            "  labels:string=[\"\"]\n"
            "  time:time=[999]\n"
            "  free:float64?=[5]\n");
}

TEST(LabelsColumn, RepeatedKeysLastWins) {
  auto frames = Convert("m,t=1,t=2 f=1,g=3,f=2 5", FrameFormat::kLabelsColumn);
  EXPECT_EQ(Texts(frames),
            "[m] m\n"
            "  labels:string=[\"t=2\"]\n"
            "  time:time=[5]\n"
            "  f:float64?=[2]\n"
            "  g:float64?=[3]\n");
}

TEST(Wide, FramePerMeasurementAndTimeTagsAsLabels) {
  // The shape of Grafana's golden_wide.json: time, then each line's fields
  // sorted by key, labelled with its tags, in line order.
  auto frames = Convert(
      "cpu,host=x,cpu=cpu0 b=1,a=2 100\n"
      "cpu,cpu=cpu1,host=x a=3,b=4 100\n"
      "mem free=6i 100\n"
      "cpu,cpu=cpu0,host=x a=5 200\n",
      FrameFormat::kWide);
  EXPECT_EQ(Texts(frames),
            "[cpu] cpu\n"
            "  time:time=[100]\n"
            "  a:float64?{cpu=cpu0,host=x}=[2]\n"
            "  b:float64?{cpu=cpu0,host=x}=[1]\n"
            "  a:float64?{cpu=cpu1,host=x}=[3]\n"
            "  b:float64?{cpu=cpu1,host=x}=[4]\n"
            "[mem] mem\n"
            "  time:time=[100]\n"
            "  free:float64?=[6]\n"
            "[cpu] cpu\n"
            "  time:time=[200]\n"
            "  a:float64?{cpu=cpu0,host=x}=[5]\n");
}

TEST(Wide, StringsBooleansAndNaN) {
  auto frames = Convert("s,t=1 str=\"x\",b=F,n=\"NaN\"", FrameFormat::kWide);
  EXPECT_EQ(Texts(frames),
            "[s] s\n"
            "  time:time=[999]\n"
            "  b:bool?{t=1}=[false]\n"
            "  n:float64?{t=1}=[null]\n"
            "  str:string?{t=1}=[\"x\"]\n");
}

TEST(JSON, LabelsColumnEncodesAsGrafanaDoes) {
  auto frames = Convert("cpu,host=h idle=80 1616403090000000000\ncpu b=t",
                        FrameFormat::kLabelsColumn);
  ASSERT_EQ(frames.size(), 1u);
  auto json =
      nlohmann::json::parse(FrameToJSON(frames[0].frame, FrameInclude::kAll));
  const auto& fields = json["schema"]["fields"];
  EXPECT_EQ(json["schema"]["name"], "cpu");
  EXPECT_EQ(fields[0], nlohmann::json::parse(
                           R"({"name":"labels","type":"string",
                               "typeInfo":{"frame":"string"}})"));
  EXPECT_EQ(fields[1], nlohmann::json::parse(
                           R"({"name":"time","type":"time",
                               "typeInfo":{"frame":"time.Time"}})"));
  EXPECT_EQ(fields[2], nlohmann::json::parse(
                           R"({"name":"idle","type":"number",
                               "typeInfo":{"frame":"float64","nullable":true}})"));
  EXPECT_EQ(fields[3], nlohmann::json::parse(
                           R"({"name":"b","type":"boolean",
                               "typeInfo":{"frame":"bool","nullable":true}})"));
  EXPECT_EQ(json["data"]["values"],
            nlohmann::json::parse(R"([["host=h",""],[1616403090000,0],
                                      [80,null],[null,true]])"));
}

TEST(JSON, WideFieldsCarryLabels) {
  auto frames = Convert("cpu,host=h idle=80 1000000", FrameFormat::kWide);
  ASSERT_EQ(frames.size(), 1u);
  auto json =
      nlohmann::json::parse(FrameToJSON(frames[0].frame, FrameInclude::kAll));
  EXPECT_EQ(json["schema"]["fields"][1]["labels"],
            nlohmann::json::parse(R"({"host":"h"})"));
  EXPECT_EQ(json["data"]["values"], nlohmann::json::parse("[[1],[80]]"));
}

TEST(ConvertLimits, CellsCountNullsAndRefuseTheWholeBody) {
  // Every line brings a new key: 3 + 5 + 7 cells.
  std::string_view body = "m a=1 1\nm b=1 2\nm c=1 3\n";
  ConvertOptions options;
  std::vector<MeasurementFrame> frames;
  options.limits.max_cells = 15;
  EXPECT_TRUE(ConvertLineProtocol(body, options, kNow, frames).ok());
  EXPECT_EQ(frames.size(), 1u);
  options.limits.max_cells = 14;
  Status status = ConvertLineProtocol(body, options, kNow, frames);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "the frames would hold more than 14 values");
  EXPECT_TRUE(frames.empty());

  options.format = FrameFormat::kWide;  // time + fields per point: 2 + 2 + 2
  options.limits.max_cells = 5;
  EXPECT_FALSE(ConvertLineProtocol(body, options, kNow, frames).ok());
  options.limits.max_cells = 6;
  EXPECT_TRUE(ConvertLineProtocol(body, options, kNow, frames).ok());
}

TEST(Errors, ParseErrorsSayWhere) {
  std::vector<MeasurementFrame> frames;
  Status status = ConvertLineProtocol("m f=1\nm", {}, kNow, frames);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "error parsing metrics: line 2, column 2: missing fields");
  EXPECT_TRUE(frames.empty());
}

}  // namespace
}  // namespace runnel::host
