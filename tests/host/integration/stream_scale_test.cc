// The built host with the real testdata plugin: RunStreams cost no host
// thread (one connection churning through 2,000 streams), each start limit
// answers with its Centrifuge code and bumps its metric, and a publication
// bigger than a client queue is refused without cutting any subscriber.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

// A field ("Threads", "VmRSS") of /proc/<pid>/status as a number; -1 if
// absent.
long ProcStatus(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return -1;
}

std::string Channel20Hz(int n) {
  return "1/plugin/testdata/random-20Hz-stream-" + std::to_string(n);
}

int ErrorCode(const JSON& reply) {
  return reply.contains("error") ? reply["error"].value("code", -1) : 0;
}

std::string ErrorMessage(const JSON& reply) {
  return reply.contains("error") ? reply["error"].value("message", "") : "";
}

double Refused(uint16_t port, const std::string& reason) {
  return MetricValue(Metrics(port),
                     "runnel_stream_refused_total{reason=\"" + reason + "\"}");
}

TEST(StreamScaleTest, HostThreadsStayBoundedWhileOneConnectionChurns2000) {
  // A grace period long enough that a thousand or so streams run at once.
  HostProcess host(
      "[stream]\n"
      "grace_period = 3s\n"
      "max_starts_per_second = 0\n");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  auto client = Connected(host.port());
  // Warm up: one stream, so gRPC's own threads exist before the baseline.
  ASSERT_TRUE(client->Subscribe(Channel20Hz(0)).contains("subscribe"));
  ASSERT_TRUE(client->NextPush(Millis(5000)).has_value());
  // A control subscriber on another connection, read on its own thread.
  const std::string control_channel = "1/plugin/testdata/random-20Hz-stream";
  auto control = Connected(host.port());
  ASSERT_TRUE(control->Subscribe(control_channel).contains("subscribe"));
  std::atomic<bool> churning{true};
  int control_received = 0;
  const auto churn_started = std::chrono::steady_clock::now();
  std::thread control_reader([&] {
    while (churning && !control->closed()) {
      control_received +=
          control->CountPublications(control_channel, Millis(100));
    }
  });
  const long baseline = ProcStatus(host.pid(), "Threads");
  long max_threads = baseline;
  long max_rss_kb = 0;
  double max_streams = 0;
  for (int n = 1; n <= 2000; ++n) {
    JSON reply = client->Subscribe(Channel20Hz(n));
    ASSERT_TRUE(reply.contains("subscribe")) << n << ": " << reply.dump();
    reply = client->Call("unsubscribe", JSON{{"channel", Channel20Hz(n)}});
    ASSERT_TRUE(reply.contains("unsubscribe")) << n << ": " << reply.dump();
    if (n % 50 == 0) {
      max_threads = std::max(max_threads, ProcStatus(host.pid(), "Threads"));
      max_rss_kb = std::max(max_rss_kb, ProcStatus(host.pid(), "VmRSS"));
      max_streams = std::max(
          max_streams, MetricValue(Metrics(host.port()), "runnel_streams"));
    }
  }
  churning = false;
  control_reader.join();
  const double seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - churn_started)
                             .count();
  std::printf(
      "host threads: %ld at start, at most %ld during the churn; "
      "at most %.0f streams at once; VmRSS at most %ld kB; control client "
      "%d publications in %.1f s (%.1f/s)\n",
      baseline, max_threads, max_streams, max_rss_kb, control_received, seconds,
      control_received / seconds);
  EXPECT_FALSE(control->closed());
  EXPECT_GT(control_received, 0);
  // Many streams ran at once, and they cost no thread each.
  EXPECT_GE(max_streams, 200);
  EXPECT_LE(max_threads - baseline, 32);
  // The connection still works, and so does the host.
  EXPECT_TRUE(client->Subscribe(Channel20Hz(1)).contains("subscribe"));
  EXPECT_TRUE(client->NextPush(Millis(5000)).has_value());
  EXPECT_EQ(host.Signal(SIGTERM, Millis(20000)), 0) << host.Log();
}

TEST(StreamScaleTest, StartRatePerConnectionGives111AndIsCounted) {
  HostProcess host(
      "[stream]\n"
      "max_starts_per_second = 1\n"
      "max_starts_burst = 2\n");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  auto client = Connected(host.port());
  int refused = 0;
  for (int n = 1; n <= 4; ++n) {
    JSON reply = client->Subscribe(Channel20Hz(n));
    int code = ErrorCode(reply);
    EXPECT_TRUE(code == 0 || code == 111) << reply.dump();
    if (code == 111) {
      EXPECT_EQ(ErrorMessage(reply), "too many requests");
      ++refused;
    }
  }
  // Two at once, then one a second: at least one of the four is refused
  // even if the host were slow enough to refill once.
  EXPECT_GE(refused, 1);
  EXPECT_EQ(Refused(host.port(), "rate"), refused);
  // The connection is kept, and another connection has its own budget.
  auto other = Connected(host.port());
  EXPECT_EQ(ErrorCode(other->Subscribe(Channel20Hz(10))), 0);
  EXPECT_FALSE(client->closed());
}

TEST(StreamScaleTest, StreamsPerPluginGive106AndAreCounted) {
  HostProcess host(
      "[stream]\n"
      "max_starts_per_second = 0\n"
      "max_streams_per_plugin = 2\n");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  auto client = Connected(host.port());
  EXPECT_EQ(ErrorCode(client->Subscribe(Channel20Hz(1))), 0);
  EXPECT_EQ(ErrorCode(client->Subscribe(Channel20Hz(2))), 0);
  JSON reply = client->Subscribe(Channel20Hz(3));
  EXPECT_EQ(ErrorCode(reply), 106) << reply.dump();
  EXPECT_EQ(ErrorMessage(reply), "limit exceeded");
  EXPECT_EQ(Refused(host.port(), "plugin_limit"), 1);
  // A second subscriber of a running stream is not a new stream.
  auto other = Connected(host.port());
  EXPECT_EQ(ErrorCode(other->Subscribe(Channel20Hz(1))), 0);
}

TEST(StreamScaleTest, StreamsPerHostGive106AndAreCounted) {
  HostProcess host(
      "[stream]\n"
      "max_starts_per_second = 0\n"
      "max_streams = 1\n");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  auto client = Connected(host.port());
  EXPECT_EQ(ErrorCode(client->Subscribe(Channel20Hz(1))), 0);
  JSON reply = client->Subscribe(Channel20Hz(2));
  EXPECT_EQ(ErrorCode(reply), 106) << reply.dump();
  EXPECT_EQ(Refused(host.port(), "host_limit"), 1);
}

TEST(StreamScaleTest, OversizedPublicationIsRefusedAndSubscribersStay) {
  HostProcess host(
      "[live]\n"
      "message_size_limit = 16777216\n"
      "client_queue_max_size = 1048576\n");
  std::string error;
  ASSERT_TRUE(host.Start(&error)) << error;
  const std::string channel = "1/grafana/broadcast/big";
  auto control = Connected(host.port());
  auto other = Connected(host.port());
  auto publisher = Connected(host.port());
  ASSERT_TRUE(control->Subscribe(channel).contains("subscribe"));
  ASSERT_TRUE(other->Subscribe(channel).contains("subscribe"));

  const JSON big = {{"blob", std::string(10 * 1024 * 1024, 'x')}};
  for (int round = 0; round < 2; ++round) {
    // The publisher is told why: 106, like other limits.
    JSON refused = publisher->Call(
        "publish", JSON{{"channel", channel}, {"data", big}}, Millis(30000));
    EXPECT_EQ(ErrorCode(refused), 106) << refused.dump().substr(0, 200);
    for (int i = 0; i < 5; ++i) {
      JSON small = {{"round", round}, {"n", i}};
      ASSERT_FALSE(
          publisher
              ->Call("publish", JSON{{"channel", channel}, {"data", small}})
              .is_null());
    }
    // The control subscriber gets exactly the small ones, in order.
    for (int i = 0; i < 5; ++i) {
      auto push = control->NextPush(Millis(10000));
      ASSERT_TRUE(push.has_value()) << "round " << round << " #" << i;
      const JSON& data = (*push)["pub"]["data"];
      EXPECT_FALSE(data.contains("blob"));
      EXPECT_EQ(data.value("round", -1), round);
      EXPECT_EQ(data.value("n", -1), i);
    }
  }
  EXPECT_EQ(other->CountPublications(channel, Millis(1000)), 10);
  EXPECT_FALSE(control->closed());
  EXPECT_FALSE(other->closed());
  const std::string metrics = Metrics(host.port());
  EXPECT_EQ(MetricValue(metrics, "runnel_live_publications_refused_total"), 2);
  EXPECT_EQ(MetricValue(metrics, "runnel_live_slow_disconnects_total"), 0);
  // Logged once for the channel, not once per publication.
  EXPECT_EQ(CountLogLines(host.Log(), {"publication refused", channel}), 1);
}

}  // namespace
}  // namespace runnel::host::testing
