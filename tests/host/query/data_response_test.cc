#include "query/data_response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runnel/frame.h"
#include "runnel/frame_arrow.h"
#include "runnel/frame_json.h"

namespace runnel::host::testing {
namespace {

using JSON = nlohmann::json;

Frame SampleFrame() {
  Frame frame("walk");
  frame.set_ref_id("A");
  frame.AddField("Time", FieldType::kTime);
  frame.AddField("Value", FieldType::kFloat64);
  frame.fields()[0].AppendTime(Timestamp{1'700'000'000'000'000'000});
  frame.fields()[1].AppendFloat64(1.5);
  return frame;
}

TEST(DataResponseTest, ArrowFramesBecomeFrameJSONWithSchemaAndData) {
  std::string arrow;
  ASSERT_TRUE(FrameToArrow(SampleFrame(), &arrow).ok());
  pluginv2::DataResponse response;
  response.add_frames(arrow);
  QueryResult result = ResultFromDataResponse(response);
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(result.error.empty());
  ASSERT_EQ(result.frames_json.size(), 1u);
  JSON frame = JSON::parse(result.frames_json[0]);
  EXPECT_EQ(frame["schema"]["name"], "walk");
  EXPECT_EQ(frame["schema"]["refId"], "A");
  EXPECT_EQ(frame["schema"]["fields"][0]["type"], "time");
  EXPECT_EQ(frame["schema"]["fields"][1]["name"], "Value");
  EXPECT_EQ(frame["data"]["values"][0][0], 1'700'000'000'000);
  EXPECT_EQ(frame["data"]["values"][1][0], 1.5);
}

TEST(DataResponseTest, JSONFramesPassThrough) {
  pluginv2::DataResponse response;
  response.set_format(pluginv2::JSON);
  response.add_frames(FrameToJSON(SampleFrame(), FrameInclude::kAll));
  QueryResult result = ResultFromDataResponse(response);
  ASSERT_EQ(result.frames_json.size(), 1u);
  EXPECT_EQ(JSON::parse(result.frames_json[0])["schema"]["name"], "walk");
}

TEST(DataResponseTest, BadFramesFailTheRefIdSayingWhich) {
  pluginv2::DataResponse response;
  std::string arrow;
  ASSERT_TRUE(FrameToArrow(SampleFrame(), &arrow).ok());
  response.add_frames(arrow);
  response.add_frames("ARROW1 but not really");
  QueryResult result = ResultFromDataResponse(response);
  EXPECT_EQ(result.status, 500);
  EXPECT_NE(result.error.find("frame 1"), std::string::npos) << result.error;
  EXPECT_TRUE(result.frames_json.empty());

  pluginv2::DataResponse json;
  json.set_format(pluginv2::JSON);
  json.add_frames("{not json");
  EXPECT_NE(ResultFromDataResponse(json).error.find("not JSON"),
            std::string::npos);
}

TEST(DataResponseTest, ErrorStatusDefaultsAsTheGoSDKReadsThem) {
  pluginv2::DataResponse failed;
  failed.set_error("boom");
  QueryResult result = ResultFromDataResponse(failed);
  EXPECT_EQ(result.status, 500);
  EXPECT_EQ(result.error, "boom");
  EXPECT_EQ(result.error_source, "plugin");

  failed.set_status(400);
  failed.set_errorsource("downstream");
  result = ResultFromDataResponse(failed);
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.error_source, "downstream");
}

}  // namespace
}  // namespace runnel::host::testing
