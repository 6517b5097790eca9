// StreamManager against the fake plugin (tests/host/plugin/fake_plugin.cc):
// what happens when a RunStream cannot be started, when callbacks throw,
// the start limits, and that streams cost no threads.
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <future>
#include <system_error>

#include "stream/stream_manager.h"
#include "stream_test_util.h"

namespace runnel::host {
namespace {

// Threads of this process, from /proc/self/status.
int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

class StreamStartTest : public FakePluginStreamTest {};

TEST_F(StreamStartTest, StartFailureAnswersTheSubscriberAndShutdownFinishes) {
  auto failing = std::make_shared<std::atomic<bool>>(true);
  options_.before_stream_start = [failing](const std::string&) {
    if (failing->load()) {
      throw std::system_error(EAGAIN, std::generic_category(),
                              "cannot make a thread");
    }
  };
  MakeManager();
  const std::string wire = "1/plugin/fake/ticks";
  hub_.SetSubscribers(wire, 1);
  SubscribeReply r = Subscribe(wire);
  EXPECT_EQ(r.error_code, 100);  // temporary: centrifuge-js retries
  EXPECT_EQ(r.error_message, "internal server error");
  StreamStats stats = manager_->Stats();
  EXPECT_TRUE(stats.channels.empty());
  EXPECT_EQ(stats.runstream_starts, 0u);
  EXPECT_EQ(stats.start_failures, 1u);
  // Once it can be made again, the next subscribe starts the stream.
  failing->store(false);
  ASSERT_EQ(Subscribe(wire).error_code, 0);
  EXPECT_TRUE(
      WaitUntil([&] { return hub_.Count(wire) >= 3; }, milliseconds(10000)));
  EXPECT_EQ(manager_->Stats().runstream_starts, 1u);
  failing->store(true);
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-2").error_code, 100);
  EXPECT_TRUE(ShutsDownWithin(manager_.get(), kShutdownWait));
}

TEST_F(StreamStartTest, ThrowingPublishRestartsTheStreamAndShutdownFinishes) {
  std::atomic<int> packets{0};
  MakeManager([&packets](const std::string&, std::string_view) {
    packets.fetch_add(1);
    throw std::runtime_error("publish failed");
  });
  const std::string wire = "1/plugin/fake/ticks";
  hub_.SetSubscribers(wire, 1);
  ASSERT_EQ(Subscribe(wire).error_code, 0);
  EXPECT_TRUE(
      WaitUntil([&] { return manager_->Stats().runstream_restarts >= 2; },
                milliseconds(10000)));
  EXPECT_GE(packets.load(), 2);
  EXPECT_EQ(manager_->Stats().channels.size(), 1u);
  EXPECT_TRUE(ShutsDownWithin(manager_.get(), kShutdownWait));
}

TEST_F(StreamStartTest, ThrowingReplyCallbackLeavesShutdownAbleToFinish) {
  MakeManager();
  int64_t org = 0;
  const std::string wire = "1/plugin/fake/ticks";
  std::optional<LiveChannel> channel = ParseOrgChannel(wire, &org);
  ASSERT_TRUE(channel.has_value());
  std::atomic<bool> called{false};
  manager_->OnSubscribe(ClientIdentity{}, wire, *channel, "",
                        [&called](SubscribeReply) {
                          called.store(true);
                          throw std::runtime_error("reply failed");
                        });
  EXPECT_TRUE(WaitUntil([&] { return called.load(); }, milliseconds(10000)));
  EXPECT_TRUE(ShutsDownWithin(manager_.get(), kShutdownWait));
}

TEST_F(StreamStartTest, StartRateIsPerConnectionAndAnswered111) {
  options_.limits.starts_per_second = 0.001;  // no refill during the test
  options_.limits.starts_burst = 2;
  MakeManager();
  for (int i = 1; i <= 3; ++i) {
    hub_.SetSubscribers("1/plugin/fake/ticks-" + std::to_string(i), 1);
  }
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-1").error_code, 0);
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-2").error_code, 0);
  SubscribeReply refused = Subscribe("1/plugin/fake/ticks-3");
  EXPECT_EQ(refused.error_code, 111);
  EXPECT_EQ(refused.error_message, "too many requests");
  // Joining a running stream starts nothing and is not limited.
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-1").error_code, 0);
  // Another connection has its own bucket.
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-3", "c2").error_code, 0);
  StreamStats stats = manager_->Stats();
  EXPECT_EQ(stats.refused_rate, 1u);
  EXPECT_EQ(stats.channels.size(), 3u);
}

TEST_F(StreamStartTest, StreamsPerPluginAndPerHostAreAnswered106) {
  options_.limits.starts_per_second = 0;
  options_.limits.max_per_plugin = 2;
  MakeManager();
  hub_.SetSubscribers("1/plugin/fake/ticks-1", 1);
  hub_.SetSubscribers("1/plugin/fake/ticks-2", 1);
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-1").error_code, 0);
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-2").error_code, 0);
  SubscribeReply refused = Subscribe("1/plugin/fake/ticks-3");
  EXPECT_EQ(refused.error_code, 106);
  EXPECT_EQ(refused.error_message, "limit exceeded");
  EXPECT_EQ(manager_->Stats().refused_plugin_limit, 1u);
  // A stream that ends frees its place.
  hub_.SetSubscribers("1/plugin/fake/ticks-1", 0);
  hub_.SetSubscribers("1/plugin/fake/ticks-2", 0);
  EXPECT_TRUE(WaitUntil([&] { return manager_->Stats().channels.empty(); },
                        milliseconds(10000)));
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-3").error_code, 0);
  ASSERT_TRUE(ShutsDownWithin(manager_.get(), kShutdownWait));

  options_.limits.max_per_plugin = 0;
  options_.limits.max_total = 1;
  MakeManager();
  hub_.SetSubscribers("1/plugin/fake/ticks-1", 1);
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-1").error_code, 0);
  EXPECT_EQ(Subscribe("1/plugin/fake/ticks-2").error_code, 106);
  EXPECT_EQ(manager_->Stats().refused_host_limit, 1u);
}

TEST_F(StreamStartTest, StreamsCostNoThreads) {
  options_.limits.starts_per_second = 0;
  MakeManager();
  constexpr int kStreams = 300;
  auto wire = [](int i) { return "1/plugin/fake/ticks-" + std::to_string(i); };
  // One stream first, so that gRPC's own threads exist before counting.
  hub_.SetSubscribers(wire(0), 1);
  ASSERT_EQ(Subscribe(wire(0)).error_code, 0);
  ASSERT_TRUE(
      WaitUntil([&] { return hub_.Count(wire(0)) >= 3; }, milliseconds(10000)));
  const int before = ThreadCount();
  for (int i = 1; i <= kStreams; ++i) {
    hub_.SetSubscribers(wire(i), 1);
    ASSERT_EQ(Subscribe(wire(i)).error_code, 0) << i;
  }
  ASSERT_TRUE(WaitUntil([&] { return hub_.Count(wire(kStreams)) >= 3; },
                        milliseconds(10000)));
  const int after = ThreadCount();
  std::printf("threads: %d with 1 stream, %d with %d streams\n", before, after,
              kStreams + 1);
  // A thread per stream would add 300; gRPC's pools may add a few.
  EXPECT_LT(after - before, 32);
  EXPECT_EQ(manager_->Stats().channels.size(), size_t{kStreams + 1});
}

}  // namespace
}  // namespace runnel::host
