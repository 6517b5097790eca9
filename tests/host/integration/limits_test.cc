// The built host's connection limits (max_connections 3504, message size
// 1009) and, on a host with short timings, protocol time-outs (garbage 3501,
// no connect 3502, no pong 3012).
#include <gtest/gtest.h>

#include <memory>

#include "host_process.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

// HostSuite, and each test waits until the connections of an earlier test
// are closed.
template <typename Config>
class DrainedHostSuite : public HostSuite<Config> {
 protected:
  void SetUp() override {
    HostSuite<Config>::SetUp();
    if (this->HasFatalFailure()) return;
    ASSERT_TRUE(WaitUntil(
        [&] {
          return MetricValue(Metrics(this->port()),
                             "runnel_live_connections") == 0;
        },
        Millis(10000)))
        << Metrics(this->port());
  }
};

// Limits, with Grafana's default (25 s) ping so idle clients stay.
struct LimitsConfig {
  static constexpr char kIni[] =
      "[live]\n"
      "max_connections = 2\n"
      "message_size_limit = 1024\n";
};
using LimitsTest = DrainedHostSuite<LimitsConfig>;

// Short protocol timings.
struct TimeoutsConfig {
  static constexpr char kIni[] =
      "[live]\n"
      "stale_close_delay = 1s\n"
      "ping_interval = 1s\n"
      "pong_timeout = 1s\n";
};
using TimeoutsTest = DrainedHostSuite<TimeoutsConfig>;

TEST_F(LimitsTest, ThirdConnectionGets3504AfterItsConnectReply) {
  WsClient a, b, c;
  ASSERT_TRUE(a.Open(port()));
  ASSERT_TRUE(a.Connect().contains("connect"));
  ASSERT_TRUE(b.Open(port()));
  ASSERT_TRUE(b.Connect().contains("connect"));
  ASSERT_TRUE(c.Open(port()));
  JSON reply = c.Connect();
  EXPECT_TRUE(reply.contains("connect")) << reply.dump();  // as Grafana
  EXPECT_EQ(c.WaitClosed(Millis(10000)), 3504);
  a.Pump(Millis(300));
  b.Pump(Millis(300));
  EXPECT_FALSE(a.closed());
  EXPECT_FALSE(b.closed());
}

TEST_F(LimitsTest, OversizedMessageGets1009) {
  WsClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.Connect().contains("connect"));
  std::string big = R"({"id":2,"subscribe":{"channel":"1/ds/testdata/)" +
                    std::string(2000, 'a') + R"("}})";
  ASSERT_TRUE(client.SendText(big));
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 1009);
}

TEST_F(TimeoutsTest, GarbageGets3501) {
  WsClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.SendText("this is not json"));
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 3501);
}

TEST_F(TimeoutsTest, SilentClientGets3502) {
  WsClient client;
  ASSERT_TRUE(client.Open(port()));
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 3502);
}

TEST_F(TimeoutsTest, MissingPongGets3012) {
  WsClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.Connect().contains("connect"));
  client.set_auto_pong(false);
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 3012);
  EXPECT_GE(client.pings_seen(), 1);
}

TEST_F(TimeoutsTest, AnsweredPingsKeepTheConnection) {
  WsClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.Connect().contains("connect"));
  client.Pump(Millis(3500));  // several ping intervals, answering each
  EXPECT_FALSE(client.closed()) << "closed with " << client.close_code();
  EXPECT_GE(client.pings_seen(), 2);
}

}  // namespace
}  // namespace runnel::host::testing
