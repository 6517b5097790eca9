// StreamManager against the real testdata plugin run by a real Supervisor,
// with a fake hub (functions recording publications).
#include "stream/stream_manager.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <future>
#include <mutex>
#include <nlohmann/json.hpp>

#include "backend.grpc.pb.h"
#include "stream_test_util.h"

namespace runnel::host {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class StreamManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef TESTDATA_PLUGIN_DIR
    GTEST_SKIP() << "the testdata plugin is not part of this build";
#else
    DiscoveryResult found = DiscoverPlugins({TESTDATA_PLUGIN_DIR});
    if (found.plugins.empty()) {
      GTEST_SKIP() << "testdata plugin not built at " << TESTDATA_PLUGIN_DIR;
    }
    // Supervisor defaults, as the host runs it.
    ASSERT_TRUE(
        registry_.Add(std::make_unique<Supervisor>(found.plugins[0])).ok());
    registry_.StartAll();
    plugin_ = registry_.Find("testdata");
    ASSERT_NE(plugin_, nullptr);
    Status s = plugin_->WaitUntilRunning(milliseconds(10000));
    ASSERT_TRUE(s.ok()) << s.message();
    DataSource ds;
    ds.id = 1;
    ds.name = "TestData";
    ds.type = "testdata";
    ds.uid = "testdata";
    StreamManagerOptions options;
    options.grace_period = milliseconds(500);
    options.check_interval = milliseconds(100);
    manager_ = std::make_unique<StreamManager>(
        &registry_, std::vector<DataSource>{ds}, hub_.Publish(),
        hub_.NumSubscribers(), options);
#endif
  }
  void TearDown() override {
    if (manager_) manager_->Shutdown();
    registry_.StopAll();
  }

  SubscribeReply Subscribe(const std::string& wire,
                           const std::string& data = "") {
    return SubscribeAndWait(manager_.get(), wire, data);
  }
  PublishReply Publish(const std::string& wire, const std::string& data) {
    return PublishAndWait(manager_.get(), wire, data);
  }

  // The plugin's own count of running RunStreams (its "streams" resource).
  int PluginRunningStreams() {
    PluginConnection c = plugin_->connection();
    if (!c.channel) return -1;
    auto stub = pluginv2::Resource::NewStub(c.channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    pluginv2::CallResourceRequest request;
    request.mutable_plugincontext()->set_pluginid(plugin_->id());
    request.set_path("streams");
    request.set_method("GET");
    auto reader = stub->CallResource(&context, request);
    pluginv2::CallResourceResponse response;
    std::string body;
    while (reader->Read(&response)) body += response.body();
    if (!reader->Finish().ok()) return -1;
    nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
    if (!json.is_object() || !json.contains("running")) return -1;
    return json["running"].get<int>();
  }

  FakeHub hub_;
  PluginRegistry registry_;
  Supervisor* plugin_ = nullptr;
  std::unique_ptr<StreamManager> manager_;
};

const std::string kDs20Hz = "1/ds/testdata/random-20Hz-stream";

TEST_F(StreamManagerTest, SubscribeGetsSchemaThenPublications) {
  hub_.SetSubscribers(kDs20Hz, 1);
  SubscribeReply reply = Subscribe(kDs20Hz);
  ASSERT_EQ(reply.error_code, 0) << reply.error_message;
  nlohmann::json schema = nlohmann::json::parse(reply.data, nullptr, false);
  ASSERT_TRUE(schema.is_object()) << reply.data;
  EXPECT_TRUE(schema.contains("schema")) << reply.data;
  EXPECT_FALSE(schema.contains("data")) << reply.data;
  EXPECT_NE(reply.data.find("\"Time\""), std::string::npos);

  auto started = Clock::now();
  ASSERT_TRUE(
      WaitUntil([&] { return hub_.Count(kDs20Hz) >= 40; }, milliseconds(15000)))
      << "publications: " << hub_.Count(kDs20Hz);
  double seconds =
      std::chrono::duration<double>(Clock::now() - started).count();
  std::printf("40 publications in %.2f s (%.1f/s)\n", seconds, 40 / seconds);
  EXPECT_EQ(hub_.Invalid(kDs20Hz), 0u);
  nlohmann::json packet = nlohmann::json::parse(hub_.Last(kDs20Hz));
  EXPECT_TRUE(packet.contains("data"));
  EXPECT_FALSE(packet.contains("schema"));  // data-only packets
  StreamStats stats = manager_->Stats();
  EXPECT_EQ(stats.channels, std::vector<std::string>{kDs20Hz});
  EXPECT_EQ(stats.runstream_starts, 1u);
}

TEST_F(StreamManagerTest, PluginScopeWithAliasAndId) {
  const std::string alias = "1/plugin/testdata/random-20Hz-stream";
  const std::string by_id =
      "1/plugin/runnel-testdata-datasource/random-20Hz-stream";
  hub_.SetSubscribers(alias, 1);
  hub_.SetSubscribers(by_id, 1);
  SubscribeReply a = Subscribe(alias);
  ASSERT_EQ(a.error_code, 0) << a.error_message;
  EXPECT_NE(a.data.find("\"schema\""), std::string::npos);
  SubscribeReply b = Subscribe(by_id);
  ASSERT_EQ(b.error_code, 0) << b.error_message;
  EXPECT_TRUE(WaitUntil(
      [&] { return hub_.Count(alias) >= 5 && hub_.Count(by_id) >= 5; },
      milliseconds(10000)));
  // Two different wire channels: two RunStreams.
  EXPECT_EQ(manager_->Stats().runstream_starts, 2u);
  EXPECT_TRUE(WaitUntil([&] { return PluginRunningStreams() == 2; },
                        milliseconds(5000)));
}

TEST_F(StreamManagerTest, TwoSubscribersShareOneRunStream) {
  hub_.SetSubscribers(kDs20Hz, 2);
  ASSERT_EQ(Subscribe(kDs20Hz).error_code, 0);
  ASSERT_EQ(Subscribe(kDs20Hz).error_code, 0);
  ASSERT_TRUE(
      WaitUntil([&] { return hub_.Count(kDs20Hz) >= 5; }, milliseconds(10000)));
  StreamStats stats = manager_->Stats();
  EXPECT_EQ(stats.runstream_starts, 1u);
  EXPECT_EQ(stats.channels.size(), 1u);
  EXPECT_EQ(PluginRunningStreams(), 1);
}

TEST_F(StreamManagerTest, CancelledAfterGracePeriodWithoutSubscribers) {
  hub_.SetSubscribers(kDs20Hz, 1);
  ASSERT_EQ(Subscribe(kDs20Hz).error_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PluginRunningStreams() == 1; },
                        milliseconds(5000)));
  // With a subscriber the stream outlives several grace periods.
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(manager_->Stats().channels.size(), 1u);
  hub_.SetSubscribers(kDs20Hz, 0);
  EXPECT_TRUE(WaitUntil([&] { return manager_->Stats().channels.empty(); },
                        milliseconds(10000)));
  EXPECT_TRUE(WaitUntil([&] { return PluginRunningStreams() == 0; },
                        milliseconds(5000)));
  size_t after = hub_.Count(kDs20Hz);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_LE(hub_.Count(kDs20Hz), after + 1);
  // A new subscription starts a new RunStream.
  hub_.SetSubscribers(kDs20Hz, 1);
  ASSERT_EQ(Subscribe(kDs20Hz).error_code, 0);
  EXPECT_EQ(manager_->Stats().runstream_starts, 2u);
  EXPECT_TRUE(WaitUntil([&] { return hub_.Count(kDs20Hz) > after + 3; },
                        milliseconds(10000)));
}

TEST_F(StreamManagerTest, PluginKilledStreamsResumeWithoutResubscribe) {
  hub_.SetSubscribers(kDs20Hz, 1);
  ASSERT_EQ(Subscribe(kDs20Hz).error_code, 0);
  ASSERT_TRUE(
      WaitUntil([&] { return hub_.Count(kDs20Hz) >= 5; }, milliseconds(10000)));
  pid_t pid = plugin_->pid();
  ASSERT_GT(pid, 0);
  const auto killed_at = Clock::now();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(
      WaitUntil([&] { return plugin_->restarts() >= 1; }, milliseconds(10000)));
  size_t at_restart = hub_.Count(kDs20Hz);
  bool resumed =
      WaitUntil([&] { return hub_.Count(kDs20Hz) >= at_restart + 3; },
                milliseconds(10000));
  double took = std::chrono::duration<double>(Clock::now() - killed_at).count();
  ASSERT_TRUE(resumed);
  std::printf("publications resumed %.2f s after kill -9\n", took);
  EXPECT_LT(took, 3.0);
  EXPECT_GE(manager_->Stats().runstream_restarts, 1u);
  EXPECT_EQ(manager_->Stats().runstream_starts, 1u);
  EXPECT_EQ(PluginRunningStreams(), 1);
}

TEST_F(StreamManagerTest, UnknownDataSourcePluginOrPathIs404) {
  for (const std::string& wire :
       {std::string("1/ds/nope/random-20Hz-stream"),
        std::string("1/plugin/nope/random-20Hz-stream"),
        std::string("1/ds/testdata/no-such-stream"),
        std::string("1/plugin/testdata/no-such-stream")}) {
    SubscribeReply r = Subscribe(wire);
    EXPECT_EQ(r.error_code, 404) << wire;
    EXPECT_EQ(r.error_message, "Not Found") << wire;
    EXPECT_EQ(r.data, "");
  }
  EXPECT_TRUE(manager_->Stats().channels.empty());
}

TEST_F(StreamManagerTest, PublishMapsPermissionDeniedTo403) {
  PublishReply r = Publish(kDs20Hz, R"({"x":1})");
  EXPECT_EQ(r.error_code, 403);
  EXPECT_EQ(r.error_message, "Forbidden");
  EXPECT_EQ(Publish("1/ds/nope/x", "{}").error_code, 404);
}

TEST_F(StreamManagerTest, ShutdownStopsEveryStream) {
  hub_.SetSubscribers(kDs20Hz, 1);
  ASSERT_EQ(Subscribe(kDs20Hz).error_code, 0);
  ASSERT_EQ(Subscribe("1/ds/testdata/random-2s-stream").error_code, 0);
  ASSERT_TRUE(WaitUntil([&] { return PluginRunningStreams() == 2; },
                        milliseconds(5000)));
  manager_->Shutdown();
  EXPECT_TRUE(manager_->Stats().channels.empty());
  EXPECT_TRUE(WaitUntil([&] { return PluginRunningStreams() == 0; },
                        milliseconds(5000)));
  EXPECT_EQ(Subscribe(kDs20Hz).error_code, 500);
}

}  // namespace
}  // namespace runnel::host
