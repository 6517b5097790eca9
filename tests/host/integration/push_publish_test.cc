// The built host's managed streams and publish API, over real sockets:
// POST /api/live/push/:streamId and its WebSocket, the last-frame cache,
// POST /api/live/publish and the publish command (broadcast, the testdata
// plugin's echo path, refusals), and /api/live/list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

using ::runnel::testing::HttpPost;
using ::runnel::testing::SendUntil;
using ::testing::HasSubstr;

struct PushConfig {
  static constexpr char kIni[] =
      "[live]\n"
      "push_max_body_bytes = 4096\n";
};

class PushPublishTest : public HostSuite<PushConfig> {
 protected:
  std::unique_ptr<WsClient> Connected() { return testing::Connected(port()); }

  std::unique_ptr<WsClient> SubscribedTo(const std::string& channel) {
    auto client = Connected();
    JSON reply = client->Subscribe(channel);
    EXPECT_TRUE(reply.contains("subscribe")) << reply.dump();
    return client;
  }

  HttpResult Push(const std::string& stream, const std::string& body,
                  const std::string& query = "") {
    return HttpPost(port(), "/api/live/push/" + stream + query, body);
  }

  HttpResult PublishHttp(const JSON& command) {
    return HttpPost(port(), "/api/live/publish", command.dump(),
                    "application/json");
  }

  // The next publication's data; null (and a failure) if none comes.
  static JSON NextData(WsClient& client) {
    auto push = client.NextPush(Millis(5000));
    EXPECT_TRUE(push.has_value()) << "no publication within 5 s";
    if (!push) return nullptr;
    return (*push)["pub"]["data"];
  }
};

// The names of a frame JSON schema's fields.
std::vector<std::string> FieldNames(const JSON& frame) {
  std::vector<std::string> names;
  for (const JSON& field : frame["schema"]["fields"]) {
    names.push_back(field.value("name", ""));
  }
  return names;
}

TEST_F(PushPublishTest, PushedLinesReachASubscriberSchemaFirstThenDataOnly) {
  auto client = SubscribedTo("1/stream/first/cpu");
  ASSERT_EQ(Push("first",
                 "cpu,host=a usage=1.5 1700000000000000000\n"
                 "cpu,host=b usage=2.5 1700000001000000000\n")
                .status,
            200);
  JSON first = NextData(*client);
  EXPECT_EQ(FieldNames(first),
            (std::vector<std::string>{"labels", "time", "usage"}));
  EXPECT_EQ(first["schema"]["name"], "cpu");
  EXPECT_EQ(first["data"]["values"][0], (JSON::array({"host=a", "host=b"})));
  EXPECT_EQ(first["data"]["values"][1],
            (JSON::array({1700000000000, 1700000001000})));
  EXPECT_EQ(first["data"]["values"][2], (JSON::array({1.5, 2.5})));

  ASSERT_EQ(Push("first", "cpu,host=a usage=3 1700000002000000000").status,
            200);
  JSON same_schema = NextData(*client);
  EXPECT_FALSE(same_schema.contains("schema")) << same_schema.dump();
  EXPECT_EQ(same_schema["data"]["values"][2], (JSON::array({3.0})));

  // A new field changes the schema: it comes again.
  ASSERT_EQ(
      Push("first", "cpu,host=a usage=4,idle=1i 1700000003000000000").status,
      200);
  JSON changed = NextData(*client);
  EXPECT_EQ(FieldNames(changed),
            (std::vector<std::string>{"labels", "time", "idle", "usage"}));
}

TEST_F(PushPublishTest, EachMeasurementGoesToItsOwnChannel) {
  auto cpu = SubscribedTo("1/stream/multi/cpu");
  auto mem = SubscribedTo("1/stream/multi/mem");
  ASSERT_EQ(Push("multi", "cpu v=1\nmem free=2\ncpu v=3\n").status, 200);
  EXPECT_EQ(NextData(*cpu)["data"]["values"][2], (JSON::array({1.0, 3.0})));
  EXPECT_EQ(NextData(*mem)["data"]["values"][2], (JSON::array({2.0})));
}

TEST_F(PushPublishTest, ALateSubscriberGetsTheLastFrameWithItsSchema) {
  ASSERT_EQ(Push("late", "cpu,host=a usage=1 1700000000000000000").status, 200);
  ASSERT_EQ(Push("late", "cpu,host=a usage=2 1700000001000000000").status, 200);
  auto client = Connected();
  JSON reply = client->Subscribe("1/stream/late/cpu");
  ASSERT_TRUE(reply.contains("subscribe")) << reply.dump();
  const JSON& data = reply["subscribe"]["data"];
  EXPECT_EQ(FieldNames(data),
            (std::vector<std::string>{"labels", "time", "usage"}));
  EXPECT_EQ(data["data"]["values"][2], (JSON::array({2.0})));
  // A channel nothing was pushed to has no initial data.
  JSON empty = client->Subscribe("1/stream/late/nothing");
  ASSERT_TRUE(empty.contains("subscribe")) << empty.dump();
  EXPECT_FALSE(empty["subscribe"].contains("data")) << empty.dump();
}

TEST_F(PushPublishTest, ABadBodyIsRefusedWithItsPositionAndPublishesNothing) {
  auto client = SubscribedTo("1/stream/bad/cpu");
  HttpResult refused = Push("bad", "cpu v=1\ncpu v=2\ncpu,host=a v=\n");
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.body, HasSubstr("line 3, column"));
  // The first publication the subscriber sees is the next good body.
  ASSERT_EQ(Push("bad", "cpu v=42").status, 200);
  JSON data = NextData(*client);
  EXPECT_EQ(data["data"]["values"][2], (JSON::array({42.0})));
}

TEST_F(PushPublishTest, OversizedBodiesAndBadParametersAreRefused) {
  HttpResult big = Push("limits", "cpu v=1\n" + std::string(5000, '#'));
  EXPECT_EQ(big.status, 413) << big.body;
  HttpResult format = Push("limits", "cpu v=1", "?gf_live_frame_format=tall");
  EXPECT_EQ(format.status, 400);
  EXPECT_THAT(format.body, HasSubstr("labels_column or wide"));
  EXPECT_EQ(Push("limits", "cpu v=1", "?precision=h").status, 400);
  EXPECT_EQ(Push("bad%20id", "cpu v=1").status, 400);
  EXPECT_EQ(
      Push("ok", "cpu v=1", "?precision=s&gf_live_frame_format=wide").status,
      200);
}

TEST_F(PushPublishTest, TheBodySizeIsCheckedBeforeTheBodyIsSent) {
  // Content-Length over push_max_body_bytes (4096): 413 at once, though no
  // byte of the body was sent.
  const std::string head =
      "POST /api/live/push/expect HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Expect: 100-continue\r\nContent-Length: ";
  EXPECT_THAT(SendUntil(port(), head + "20000\r\n\r\n", "\r\n\r\n"),
              HasSubstr("HTTP/1.1 413"));
  // Under it: 100 Continue, which curl waits for before a large body.
  EXPECT_THAT(SendUntil(port(), head + "1000\r\n\r\n", "\r\n\r\n"),
              HasSubstr("HTTP/1.1 100 Continue"));
}

TEST_F(PushPublishTest, PushOverAWebSocketAnswersOnlyBadMessages) {
  auto subscriber = SubscribedTo("1/stream/wspush/cpu");
  WsClient pusher;
  WsClient::Options options;
  options.path = "/api/live/push/wspush";
  ASSERT_TRUE(pusher.Open(port(), options)) << pusher.error();

  ASSERT_TRUE(pusher.SendText("cpu v=1"));
  EXPECT_EQ(NextData(*subscriber)["data"]["values"][2], (JSON::array({1.0})));

  ASSERT_TRUE(pusher.SendText("cpu v=\"unterminated"));
  std::optional<JSON> error = pusher.ReadReply(Millis(5000));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->value("status", 0), 400);
  EXPECT_THAT(error->value("message", ""), HasSubstr("line 1, column"));

  // The connection stays up and the next message goes through.
  ASSERT_TRUE(pusher.SendText("cpu v=2"));
  EXPECT_EQ(NextData(*subscriber)["data"]["values"][2], (JSON::array({2.0})));
  EXPECT_FALSE(pusher.closed());
}

TEST_F(PushPublishTest, PushWebSocketHasTheLiveOriginCheck) {
  WsClient foreign;
  WsClient::Options options;
  options.path = "/api/live/push/origin";
  options.origin = "https://evil.example";
  EXPECT_FALSE(foreign.Open(port(), options));
  EXPECT_EQ(foreign.http_status(), 403);
  WsClient same_site;
  options.origin = "http://127.0.0.1:3000";  // root_url's origin
  EXPECT_TRUE(same_site.Open(port(), options)) << same_site.error();
}

TEST_F(PushPublishTest, ListShowsPushedChannelsWithTheirLastUpdate) {
  ASSERT_EQ(Push("listed", "temperature v=1").status, 200);
  HttpResult list = HttpGet(port(), "/api/live/list");
  ASSERT_EQ(list.status, 200);
  JSON channels = JSON::parse(list.body)["channels"];
  const JSON* found = nullptr;
  for (const JSON& channel : channels) {
    if (channel.value("channel", "") == "1/stream/listed/temperature") {
      found = &channel;
    }
  }
  ASSERT_NE(found, nullptr) << list.body;
  EXPECT_GT(found->value("last_update_ms", int64_t{0}), 1'600'000'000'000);
  EXPECT_EQ((*found)["data"]["schema"]["name"], "temperature");
}

TEST_F(PushPublishTest, HttpPublishToBroadcastIsKeptForLateSubscribers) {
  auto early = SubscribedTo("1/grafana/broadcast/news");
  HttpResult ok = PublishHttp(
      {{"channel", "grafana/broadcast/news"}, {"data", {{"n", 1}}}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{}");
  EXPECT_EQ(NextData(*early), (JSON{{"n", 1}}));

  auto late = Connected();
  JSON reply = late->Subscribe("1/grafana/broadcast/news");
  EXPECT_EQ(reply["subscribe"]["data"], (JSON{{"n", 1}})) << reply.dump();
}

TEST_F(PushPublishTest, HttpPublishToPluginAndRefusedScopes) {
  auto echo = SubscribedTo("1/ds/testdata/echo");
  HttpResult ok =
      PublishHttp({{"channel", "ds/testdata/echo"}, {"data", {{"hello", 1}}}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(NextData(*echo), (JSON{{"hello", 1}}));

  EXPECT_EQ(PublishHttp({{"channel", "ds/testdata/random-20Hz-stream"},
                         {"data", {{"x", 1}}}})
                .status,
            403);
  EXPECT_EQ(PublishHttp({{"channel", "ds/testdata/no-such-path"}, {"data", 1}})
                .status,
            404);
  EXPECT_EQ(
      PublishHttp({{"channel", "ds/no-such-uid/echo"}, {"data", 1}}).status,
      404);
  EXPECT_EQ(PublishHttp({{"channel", "stream/x/cpu"}, {"data", 1}}).status,
            403);
  EXPECT_EQ(PublishHttp({{"channel", "not a channel"}, {"data", 1}}).status,
            400);
  EXPECT_EQ(HttpPost(port(), "/api/live/publish", "{not json").status, 400);
}

TEST_F(PushPublishTest, WebSocketPublishTakesTheSameRoutes) {
  auto echo = SubscribedTo("1/plugin/testdata/echo");
  auto publisher = Connected();
  JSON ok = publisher->Call(
      "publish", JSON{{"channel", "1/plugin/testdata/echo"}, {"data", {1, 2}}});
  EXPECT_TRUE(ok.contains("publish")) << ok.dump();
  EXPECT_EQ(NextData(*echo), (JSON{1, 2}));

  auto code = [&](const std::string& channel) {
    JSON reply = publisher->Call(
        "publish", JSON{{"channel", channel}, {"data", {{"x", 1}}}});
    return reply.contains("error") ? reply["error"].value("code", 0) : 0;
  };
  EXPECT_EQ(code("1/plugin/testdata/random-2s-stream"), 403);
  EXPECT_EQ(code("1/plugin/testdata/nothing-here"), 404);
  EXPECT_EQ(code("1/stream/x/cpu"), 403);
  EXPECT_EQ(code("1/grafana/broadcast/ws"), 0);
}

}  // namespace
}  // namespace runnel::host::testing
