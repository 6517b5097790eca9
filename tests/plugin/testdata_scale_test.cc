// Scale: the BUILT testdata plugin serving thousands of concurrent
// RunStream calls (one per channel, as a host opens them for
// random-20Hz-stream-1 ... -N). Its thread count must stay under a bound
// that does not depend on the number of streams (a thread per stream
// fails this at once), every stream must deliver packets, and after the
// cancels the plugin's running-stream count must return to 0.
// The plugin's threads and RSS are printed and recorded as test properties.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "backend.grpc.pb.h"
#include "gtest/gtest.h"
#include "plugin_launch.h"
#include "plugin_process.h"
#include "proc_status.h"
#include "run_stream_fleet.h"

namespace runnel::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kPlugin = RUNNEL_TESTDATA_PLUGIN;
constexpr size_t kStreams = 10000;
// The plugin's threads with any number of streams: the main thread, the
// signal watcher, gRPC's pollers and callback executor, and the SDK's
// stream executor (2 by default). A thread per stream would be > kStreams.
constexpr int64_t kMaxPluginThreads = 64;

class TestdataScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = GrafanaPluginEnv(dir_.path());
    env["GF_PLUGIN_LOG_LEVEL"] = "warn";  // 10,000 start lines are noise
    ASSERT_TRUE(LaunchPlugin(kPlugin, env, dir_.path(), &plugin_));
    resource_ = pluginv2::Resource::NewStub(plugin_.channel);
  }

  // The plugin's {"running":N} stream count; -1 when the call fails.
  int64_t RunningStreams() {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    pluginv2::CallResourceRequest req;
    req.set_path("streams");
    req.set_method("GET");
    auto reader = resource_->CallResource(&ctx, req);
    pluginv2::CallResourceResponse resp;
    if (!reader->Read(&resp) || !reader->Finish().ok()) return -1;
    return nlohmann::json::parse(resp.body()).at("running").get<int64_t>();
  }

  bool WaitForRunningStreams(int64_t want, milliseconds timeout) {
    return WaitUntil([&] { return RunningStreams() == want; }, timeout,
                     milliseconds(50));
  }

  int64_t Threads() {
    return ProcStatusField(plugin_.process->pid(), "Threads").value_or(-1);
  }

  TempDir dir_;
  LaunchedPlugin plugin_;
  std::unique_ptr<pluginv2::Resource::Stub> resource_;
};

TEST_F(TestdataScaleTest, TenThousandStreamsOnAFixedNumberOfThreads) {
  std::vector<std::string> paths;
  for (size_t i = 1; i <= kStreams; ++i) {
    paths.push_back("random-20Hz-stream-" + std::to_string(i));
  }
  RunStreamFleet fleet(plugin_.channel);
  fleet.Open(paths);

  // Sample the threads while the streams start, so that a plugin with a
  // thread per stream fails early instead of growing to kStreams threads.
  const Clock::time_point deadline = Clock::now() + seconds(120);
  int64_t max_threads = 0;
  while (!fleet.WaitForStreamsWithPackets(kStreams, milliseconds(200))) {
    max_threads = std::max(max_threads, Threads());
    ASSERT_LE(max_threads, kMaxPluginThreads)
        << "while " << fleet.streams_with_packets() << " of " << kStreams
        << " streams had a packet";
    ASSERT_LT(Clock::now(), deadline) << fleet.streams_with_packets() << " of "
                                      << kStreams << " streams had a packet";
  }
  EXPECT_EQ(fleet.ended(), 0u);
  ASSERT_TRUE(WaitForRunningStreams(kStreams, seconds(30)))
      << "running: " << RunningStreams();

  const int64_t threads = Threads();
  const int64_t rss_kb =
      ProcStatusField(plugin_.process->pid(), "VmRSS").value_or(-1);
  std::printf("plugin with %zu streams: %lld threads, VmRSS %lld kB\n",
              kStreams, static_cast<long long>(threads),
              static_cast<long long>(rss_kb));
  RecordProperty("plugin_threads", std::to_string(threads));
  RecordProperty("plugin_rss_kb", std::to_string(rss_kb));
  EXPECT_GT(threads, 0);
  EXPECT_LE(threads, kMaxPluginThreads);

  fleet.CancelAll();
  ASSERT_TRUE(fleet.WaitForEnded(kStreams, seconds(60)))
      << fleet.ended() << " of " << kStreams << " calls ended";
  EXPECT_EQ(fleet.end_codes()[grpc::StatusCode::CANCELLED], kStreams);
  EXPECT_TRUE(WaitForRunningStreams(0, seconds(60)))
      << "running: " << RunningStreams();
  EXPECT_LE(Threads(), kMaxPluginThreads);
}

}  // namespace
}  // namespace runnel::testing
