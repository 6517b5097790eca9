#include "query/query_results.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace runnel::host::testing {
namespace {

using JSON = nlohmann::json;

QueryResult Ok(std::string frame) {
  QueryResult result;
  result.frames_json.push_back(std::move(frame));
  return result;
}

TEST(QueryResultsTest, WritesGrafanasShapeSortedByRefId) {
  QueryResults results;
  results["B"] = FailedResult(400, "unknown queryType: x");
  results["A"] = Ok(R"({"schema":{"fields":[]},"data":{"values":[]}})");
  const std::string text = QueryResultsJSON(results);
  EXPECT_LT(text.find("\"A\""), text.find("\"B\""));
  JSON json = JSON::parse(text);
  EXPECT_EQ(json["results"]["A"]["status"], 200);
  EXPECT_FALSE(json["results"]["A"].contains("error"));
  EXPECT_TRUE(json["results"]["A"]["frames"][0].contains("schema"));
  EXPECT_EQ(json["results"]["B"]["status"], 400);
  EXPECT_EQ(json["results"]["B"]["error"], "unknown queryType: x");
  EXPECT_EQ(json["results"]["B"]["errorSource"], "plugin");
  EXPECT_FALSE(json["results"]["B"].contains("frames"));
}

TEST(QueryResultsTest, EscapesRefIdsAndErrors) {
  QueryResults results;
  results["a\"b"] = FailedResult(500, "line\nbreak");
  JSON json = JSON::parse(QueryResultsJSON(results));
  EXPECT_EQ(json["results"]["a\"b"]["error"], "line\nbreak");
}

TEST(QueryResultsTest, HttpStatusIs200207Or400) {
  QueryResults results;
  results["A"] = Ok("{}");
  EXPECT_EQ(QueryHttpStatus(results), 200);
  results["B"] = FailedResult(500, "boom");
  EXPECT_EQ(QueryHttpStatus(results), 207);
  results.erase("A");
  EXPECT_EQ(QueryHttpStatus(results), 400);
}

}  // namespace
}  // namespace runnel::host::testing
