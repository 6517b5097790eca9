#include "query/query_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace runnel::host::testing {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

Status Parse(std::string_view body, QueryRequest* out) {
  return ParseQueryRequest(body, kNow, out);
}

TEST(QueryRequestTest, ReadsEveryFieldAndKeepsTheQueryObject) {
  QueryRequest request;
  ASSERT_TRUE(Parse(R"({"from":"now-5m","to":"now","queries":[
      {"refId":"B","datasource":{"uid":"ds1","type":"testdata"},
       "queryType":"random_walk","maxDataPoints":50,"intervalMs":200,
       "extra":{"x":1}}]})",
                    &request)
                  .ok());
  EXPECT_EQ(request.from_ms, kNow - 300'000);
  EXPECT_EQ(request.to_ms, kNow);
  ASSERT_EQ(request.queries.size(), 1u);
  const ParsedQuery& q = request.queries[0];
  EXPECT_EQ(q.ref_id, "B");
  EXPECT_EQ(q.datasource_uid, "ds1");
  EXPECT_EQ(q.query_type, "random_walk");
  EXPECT_EQ(q.max_data_points, 50);
  EXPECT_EQ(q.interval_ms, 200);
  nlohmann::json json = nlohmann::json::parse(q.json);
  EXPECT_EQ(json["extra"]["x"], 1);
  EXPECT_EQ(json["refId"], "B");
}

TEST(QueryRequestTest, GrafanaDefaultsAndEpochTimes) {
  QueryRequest request;
  ASSERT_TRUE(Parse(R"({"from":"1000","to":2000,
      "queries":[{"datasource":"legacy-uid"}]})",
                    &request)
                  .ok());
  EXPECT_EQ(request.from_ms, 1000);
  EXPECT_EQ(request.to_ms, 2000);
  const ParsedQuery& q = request.queries[0];
  EXPECT_EQ(q.ref_id, "A");
  EXPECT_EQ(q.datasource_uid, "legacy-uid");  // pre-8.3 string form
  EXPECT_EQ(q.max_data_points, 100);
  EXPECT_EQ(q.interval_ms, 1000);
  EXPECT_EQ(q.query_type, "");
}

TEST(QueryRequestTest, MissingTimesAreTheLastSixHours) {
  QueryRequest request;
  ASSERT_TRUE(
      Parse(R"({"queries":[{"datasource":{"uid":"a"}}]})", &request).ok());
  EXPECT_EQ(request.from_ms, kNow - 6 * 3'600'000);
  EXPECT_EQ(request.to_ms, kNow);
}

TEST(QueryRequestTest, RefusesBadBodiesWithMessages) {
  struct Case {
    const char* body;
    const char* message;
  };
  for (const Case& c : {
           Case{"not json", "not JSON"},
           Case{"[]", "expected an object"},
           Case{"{}", "no queries found"},
           Case{R"({"queries":[]})", "no queries found"},
           Case{R"({"queries":{}})", "no queries found"},
           Case{R"({"queries":[1]})", "query 0: must be an object"},
           Case{R"({"queries":[{"refId":"A"}]})", "has no data source uid"},
           Case{R"({"queries":[{"refId":5,"datasource":"a"}]})",
                "\"refId\" must be a string"},
           Case{R"({"queries":[{"maxDataPoints":"x","datasource":"a"}]})",
                "\"maxDataPoints\" must be a number"},
           Case{R"({"from":"later","queries":[{"datasource":"a"}]})",
                "from: unsupported time"},
           Case{R"({"to":true,"queries":[{"datasource":"a"}]})",
                "\"to\" must be a string or a number"},
       }) {
    QueryRequest request;
    Status s = Parse(c.body, &request);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_NE(s.message().find(c.message), std::string::npos)
        << c.body << " -> " << s.message();
  }
}

TEST(QueryRequestTest, GroupsByDataSourceInOrder) {
  QueryRequest request;
  ASSERT_TRUE(Parse(R"({"queries":[
      {"refId":"A","datasource":{"uid":"x"}},
      {"refId":"B","datasource":{"uid":"y"}},
      {"refId":"C","datasource":{"uid":"x"}}]})",
                    &request)
                  .ok());
  auto groups = GroupByDataSource(request);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups["x"], (std::vector<size_t>{0, 2}));
  EXPECT_EQ(groups["y"], (std::vector<size_t>{1}));
}

}  // namespace
}  // namespace runnel::host::testing
