// The HTTP shapes of CheckHealth and CallResource replies, and the request
// headers a resource call carries.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "query/health_check.h"
#include "query/resource_call.h"

namespace runnel::host::testing {
namespace {

using JSON = nlohmann::json;

TEST(HealthResponseTest, OkIs200WithStatusAndMessage) {
  pluginv2::CheckHealthResponse reply;
  reply.set_status(pluginv2::CheckHealthResponse::OK);
  reply.set_message("fine");
  HttpResponse response = HealthResponse(reply);
  EXPECT_EQ(response.status, 200);
  JSON body = JSON::parse(response.body);
  EXPECT_EQ(body, (JSON{{"status", "OK"}, {"message", "fine"}}));
}

TEST(HealthResponseTest, ErrorAndUnknownAre400WithDetails) {
  pluginv2::CheckHealthResponse reply;
  reply.set_status(pluginv2::CheckHealthResponse::ERROR);
  reply.set_message("down");
  reply.set_jsondetails(R"({"verboseMessage":"x"})");
  HttpResponse response = HealthResponse(reply);
  EXPECT_EQ(response.status, 400);
  JSON body = JSON::parse(response.body);
  EXPECT_EQ(body["status"], "ERROR");
  EXPECT_EQ(body["details"]["verboseMessage"], "x");

  reply.set_status(pluginv2::CheckHealthResponse::UNKNOWN);
  reply.clear_jsondetails();
  EXPECT_EQ(JSON::parse(HealthResponse(reply).body)["status"], "UNKNOWN");
}

TEST(HealthResponseTest, DetailsThatAreNotAnObjectAre500) {
  pluginv2::CheckHealthResponse reply;
  reply.set_status(pluginv2::CheckHealthResponse::OK);
  reply.set_jsondetails("[1,");
  HttpResponse response = HealthResponse(reply);
  EXPECT_EQ(response.status, 500);
  EXPECT_NE(
      JSON::parse(response.body)["message"].get<std::string>().find("details"),
      std::string::npos);
}

TEST(ResourceTest, RequestHeadersAreCanonicalListsWithoutHopByHop) {
  HttpRequest request;
  request.headers = {{"x-custom", "1"},       {"X-CUSTOM", "2"},
                     {"content-type", "a/b"}, {"Connection", "keep-alive"},
                     {"Host", "h"},           {"Transfer-Encoding", "chunked"}};
  pluginv2::CallResourceRequest out;
  CopyRequestHeaders(request, &out);
  ASSERT_EQ(out.headers().size(), 2u);
  EXPECT_EQ(out.headers().at("X-Custom").values_size(), 2);
  EXPECT_EQ(out.headers().at("Content-Type").values(0), "a/b");
}

TEST(ResourceTest, ReplyHeadKeepsHeadersButSetCookieAndFraming) {
  pluginv2::CallResourceResponse first;
  first.set_code(201);
  (*first.mutable_headers())["content-type"].add_values("text/csv");
  (*first.mutable_headers())["X-Two"].add_values("a");
  (*first.mutable_headers())["X-Two"].add_values("b");
  (*first.mutable_headers())["Set-Cookie"].add_values("s=1");
  (*first.mutable_headers())["Content-Length"].add_values("99");
  HttpResponse head = ResponseHead(first);
  EXPECT_EQ(head.status, 201);
  EXPECT_EQ(head.content_type, "text/csv");
  EXPECT_EQ(head.headers, (std::vector<std::pair<std::string, std::string>>{
                              {"X-Two", "a"}, {"X-Two", "b"}}));
}

TEST(ResourceTest, ReplyWithoutContentTypeIsJSONUnless204) {
  pluginv2::CallResourceResponse first;
  EXPECT_EQ(ResponseHead(first).status, 200);  // code 0: unset
  EXPECT_EQ(ResponseHead(first).content_type, "application/json");
  first.set_code(204);
  EXPECT_EQ(ResponseHead(first).content_type, "");
}

}  // namespace
}  // namespace runnel::host::testing
