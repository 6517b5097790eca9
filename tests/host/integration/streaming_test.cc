// The built host with the real testdata plugin: routing, schema and data,
// one shared RunStream, the grace period, plugin crash recovery, channel
// errors, the origin check, health and metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <memory>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

using ::testing::HasSubstr;

struct StreamingConfig {
  static constexpr char kIni[] =
      "[stream]\n"
      "grace_period = 1s\n"
      "[live]\n"
      "allowed_origins = https://*.allowed.example\n";
};

class StreamingTest : public HostSuite<StreamingConfig> {
 protected:
  std::unique_ptr<WsClient> Connected() { return testing::Connected(port()); }
};

// Checks a subscribe reply carries the schema, then that the channel brings
// data-only publications at about 20 per second.
void ExpectSchemaThenDataAt20Hz(WsClient& client, const std::string& channel) {
  JSON reply = client.Subscribe(channel);
  ASSERT_TRUE(reply.contains("subscribe")) << reply.dump();
  const JSON& data = reply["subscribe"]["data"];
  ASSERT_TRUE(data.contains("schema")) << reply.dump();
  EXPECT_EQ(data["schema"]["fields"].size(), 4u) << data.dump();
  EXPECT_EQ(data["schema"]["fields"][0]["type"], "time") << data.dump();

  auto first = client.NextPush(Millis(5000));
  ASSERT_TRUE(first.has_value()) << "no publication within 5 s";
  EXPECT_EQ(first->value("channel", ""), channel);
  const JSON& pub = (*first)["pub"]["data"];
  EXPECT_FALSE(pub.contains("schema")) << pub.dump();
  ASSERT_TRUE(pub.contains("data")) << pub.dump();
  EXPECT_EQ(pub["data"]["values"].size(), 4u) << pub.dump();

  // 20 Hz for 2 s is 40; a wide band still catches "none" and "doubled".
  int count = client.CountPublications(channel, Millis(2000));
  EXPECT_GE(count, 20);
  EXPECT_LE(count, 60);
}

TEST_F(StreamingTest, ConnectReplyHasClientPingAndPong) {
  WsClient client;
  ASSERT_TRUE(client.Open(port()));
  JSON reply = client.Connect();
  ASSERT_TRUE(reply.contains("connect")) << reply.dump();
  EXPECT_FALSE(reply["connect"].value("client", "").empty());
  EXPECT_EQ(reply["connect"].value("ping", 0), 25);
  EXPECT_EQ(reply["connect"].value("pong", false), true);
}

TEST_F(StreamingTest, DataSourceChannelGetsSchemaAndData) {
  auto client = Connected();
  ExpectSchemaThenDataAt20Hz(*client, "1/ds/testdata/random-20Hz-stream");
}

TEST_F(StreamingTest, PluginChannelGetsSchemaAndData) {
  auto client = Connected();
  ExpectSchemaThenDataAt20Hz(*client, "1/plugin/testdata/random-20Hz-stream");
}

TEST_F(StreamingTest, TwoClientsShareOneRunStream) {
  const std::string path = "random-20Hz-stream-201";
  const std::string channel = "1/ds/testdata/" + path;
  auto a = Connected();
  auto b = Connected();
  ASSERT_TRUE(a->Subscribe(channel).contains("subscribe"));
  ASSERT_TRUE(b->Subscribe(channel).contains("subscribe"));
  EXPECT_GE(a->CountPublications(channel, Millis(1000)), 5);
  EXPECT_GE(b->CountPublications(channel, Millis(1000)), 5);
  // The plugin logs each RunStream it starts with its running count.
  std::string log = host_->Log();
  EXPECT_EQ(CountLogLines(log, {"stream started", path}), 1) << log;

  HttpResult response = HttpGet(port(), "/api/live/list");
  ASSERT_EQ(response.status, 200) << response.body;
  const std::string& list = response.body;
  JSON channels = JSON::parse(list, nullptr, false);
  bool found = false;
  for (const JSON& item : channels["channels"]) {
    if (item.value("channel", "") == channel) {
      found = true;
      EXPECT_EQ(item.value("subscribers", 0), 2) << list;
    }
  }
  EXPECT_TRUE(found) << list;
}

TEST_F(StreamingTest, StreamIsCancelledAfterTheGracePeriod) {
  const std::string path = "random-20Hz-stream-202";
  const std::string channel = "1/ds/testdata/" + path;
  auto client = Connected();
  ASSERT_TRUE(client->Subscribe(channel).contains("subscribe"));
  ASSERT_TRUE(client->NextPush(Millis(5000)).has_value());
  JSON reply = client->Call("unsubscribe", JSON{{"channel", channel}});
  ASSERT_TRUE(reply.contains("unsubscribe")) << reply.dump();
  auto unsubscribed = std::chrono::system_clock::now();
  // grace_period = 1s: the plugin's RunStream ends after it, not before.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return CountLogLines(host_->Log(), {"stream stopped", path}) == 1;
      },
      Millis(10000)))
      << host_->Log();
  auto stopped = LogLineTime(host_->Log(), {"stream stopped", path});
  ASSERT_TRUE(stopped.has_value()) << host_->Log();
  EXPECT_GE(*stopped - unsubscribed, Millis(900))
      << "the stream stopped before the grace period was over";
  std::string list = HttpGet(port(), "/api/live/list").body;
  EXPECT_THAT(list, ::testing::Not(HasSubstr(path)));
}

TEST_F(StreamingTest, KilledPluginIsRestartedAndDataComesBackWithin3s) {
  const std::string channel = "1/ds/testdata/random-20Hz-stream-203";
  auto client = Connected();
  ASSERT_TRUE(client->Subscribe(channel).contains("subscribe"));
  ASSERT_TRUE(client->NextPush(Millis(5000)).has_value());
  int pid = PluginPid(port(), kTestdataId);
  ASSERT_GT(pid, 0);

  auto killed_at = std::chrono::steady_clock::now();
  int64_t killed_ms = std::chrono::duration_cast<Millis>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  // Wait for a publication stamped after the kill: new data from the
  // restarted plugin (the stream restarts by itself, no resubscribe).
  bool fresh = false;
  while (!fresh &&
         std::chrono::steady_clock::now() - killed_at < Millis(3000)) {
    auto push = client->NextPush(Millis(200));
    if (!push || !push->contains("pub")) continue;
    const JSON& values = (*push)["pub"]["data"]["data"]["values"];
    if (values.is_array() && !values.empty() && !values[0].empty() &&
        values[0][0].get<int64_t>() > killed_ms) {
      fresh = true;
    }
  }
  auto took = std::chrono::duration_cast<Millis>(
      std::chrono::steady_clock::now() - killed_at);
  EXPECT_TRUE(fresh) << "no data within 3 s of kill -9; log:\n" << host_->Log();
  EXPECT_FALSE(client->closed());
  int new_pid = PluginPid(port(), kTestdataId);
  EXPECT_GT(new_pid, 0);
  EXPECT_NE(new_pid, pid);
  std::string metrics = Metrics(port());
  EXPECT_GE(MetricValue(metrics, "runnel_plugin_restarts_total{plugin=\"" +
                                     std::string(kTestdataId) + "\"}"),
            1)
      << metrics;
  std::cout << "data back " << took.count() << " ms after kill -9\n";
}

TEST_F(StreamingTest, ChannelErrorsKeepTheConnection) {
  auto client = Connected();
  struct Case {
    std::string channel;
    int code;
  };
  const Case cases[] = {
      {"1/ds/testdata", 400},                        // no path: invalid
      {"1/ds//random-20Hz-stream", 400},             // empty namespace
      {"1/ds/no-such-uid/random-20Hz-stream", 404},  // unknown data source
      {"1/plugin/no-such-plugin/x", 404},            // unknown plugin
      {"1/ds/testdata/no-such-path", 404},           // plugin: NotFound
  };
  for (const Case& c : cases) {
    JSON reply = client->Subscribe(c.channel);
    ASSERT_TRUE(reply.contains("error")) << c.channel << ": " << reply.dump();
    EXPECT_EQ(reply["error"].value("code", 0), c.code)
        << c.channel << ": " << reply.dump();
    EXPECT_FALSE(client->closed()) << c.channel;
  }
  // testdata refuses publishing: PermissionDenied is 403.
  JSON reply = client->Call(
      "publish", JSON{{"channel", "1/ds/testdata/random-20Hz-stream"},
                      {"data", JSON{{"x", 1}}}});
  ASSERT_TRUE(reply.contains("error")) << reply.dump();
  EXPECT_EQ(reply["error"].value("code", 0), 403) << reply.dump();
  // Still usable.
  reply = client->Subscribe("1/plugin/testdata/random-20Hz-stream");
  EXPECT_TRUE(reply.contains("subscribe")) << reply.dump();
  EXPECT_TRUE(client->NextPush(Millis(5000)).has_value());
}

TEST_F(StreamingTest, OriginCheck) {
  struct Case {
    std::string origin;
    int status;
  };
  const Case cases[] = {
      {"https://evil.example", 403},
      {"", 101},                             // no Origin passes
      {"https://app.allowed.example", 101},  // allowed_origins glob
      {"http://127.0.0.1:" + std::to_string(port()), 101},  // same host
  };
  for (const Case& c : cases) {
    EXPECT_EQ(UpgradeStatus(port(), c.origin), c.status)
        << "origin '" << c.origin << "'";
  }
  // An accepted origin gives a working connection.
  WsClient client;
  WsClient::Options options;
  options.origin = "https://app.allowed.example";
  ASSERT_TRUE(client.Open(port(), options)) << client.error();
  EXPECT_TRUE(client.Connect().contains("connect"));
}

TEST_F(StreamingTest, HealthListsThePlugin) {
  JSON health = Health(port());
  ASSERT_TRUE(health.is_object());
  EXPECT_EQ(health.value("status", ""), "ok");
  ASSERT_EQ(health["plugins"].size(), 1u) << health.dump();
  EXPECT_EQ(health["plugins"][0].value("id", ""), kTestdataId);
  EXPECT_EQ(health["plugins"][0].value("state", ""), "running");
}

TEST_F(StreamingTest, DataSourcesListsTheProvisionedOnesWithoutSecrets) {
  HttpResult response = HttpGet(port(), "/api/datasources");
  ASSERT_EQ(response.status, 200) << response.body;
  const std::string& body = response.body;
  JSON list = JSON::parse(body, nullptr, false);
  ASSERT_TRUE(list.is_array()) << body;
  ASSERT_EQ(list.size(), 1u) << body;
  EXPECT_EQ(list[0].value("uid", ""), "testdata");
  EXPECT_EQ(list[0].value("type", ""), "testdata");
  EXPECT_EQ(list[0].value("orgId", 0), 1);
  EXPECT_FALSE(list[0].contains("secureJsonData")) << body;
}

TEST_F(StreamingTest, MetricsHasEveryFamily) {
  auto client = Connected();
  ASSERT_TRUE(client->Subscribe("1/ds/testdata/random-20Hz-stream")
                  .contains("subscribe"));
  ASSERT_TRUE(client->NextPush(Millis(5000)).has_value());
  std::string metrics = Metrics(port());
  for (const char* name :
       {"runnel_live_connections", "runnel_live_subscriptions",
        "runnel_live_channels", "runnel_live_publications_in_total",
        "runnel_live_publications_out_total",
        "runnel_live_slow_disconnects_total", "runnel_stream_restarts_total",
        "runnel_streams"}) {
    EXPECT_GE(MetricValue(metrics, name), 0) << name << "\n" << metrics;
  }
  EXPECT_GE(MetricValue(metrics, "runnel_live_connections"), 1);
  EXPECT_GE(MetricValue(metrics, "runnel_live_subscriptions"), 1);
  EXPECT_GE(MetricValue(metrics, "runnel_live_publications_out_total"), 1);
  EXPECT_GE(MetricValue(metrics, "runnel_plugin_restarts_total{plugin=\"" +
                                     std::string(kTestdataId) + "\"}"),
            0)
      << metrics;
}

}  // namespace
}  // namespace runnel::host::testing
