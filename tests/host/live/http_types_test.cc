#include "live/http_types.h"

#include <gtest/gtest.h>

namespace runnel::host {
namespace {

HttpRequest WithQuery(std::string query) {
  HttpRequest request;
  request.query = std::move(query);
  return request;
}

TEST(HttpRequestTest, QueryParamDecodesFormEncoding) {
  HttpRequest request = WithQuery("a=1&precision=ms&b=x%2Fy+z&empty=&flag");
  EXPECT_EQ(request.QueryParam("precision"), "ms");
  EXPECT_EQ(request.QueryParam("b"), "x/y z");
  EXPECT_EQ(request.QueryParam("empty"), "");
  EXPECT_EQ(request.QueryParam("flag"), "");
  EXPECT_EQ(request.QueryParam("missing"), std::nullopt);
}

TEST(HttpRequestTest, TheFirstOfARepeatedParamWins) {
  EXPECT_EQ(WithQuery("f=wide&f=labels_column").QueryParam("f"), "wide");
}

TEST(HttpRequestTest, BadPercentEncodingIsReported) {
  for (const char* query : {"p=%", "p=%4", "p=%zz"}) {
    bool bad = false;
    EXPECT_EQ(WithQuery(query).QueryParam("p", &bad), std::nullopt) << query;
    EXPECT_TRUE(bad) << query;
  }
}

TEST(JSONErrorResponseTest, EscapesTheMessage) {
  HttpResponse response = JSONErrorResponse(400, "bad \"x\"");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body, "{\"message\":\"bad \\\"x\\\"\"}");
  EXPECT_EQ(response.content_type, "application/json");
}

}  // namespace
}  // namespace runnel::host
