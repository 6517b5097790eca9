// The built host's connection limits (max_connections 3504, message size
// 1009) and, on a host with short timings, protocol time-outs (garbage 3501,
// no connect 3502, no pong 3012).
#include <gtest/gtest.h>

#include <memory>

#include "host_process.h"
#include "live_client.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

// One host per suite, with the ini text `Config::kIni`.
template <typename Config>
class HostSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new HostProcess(Config::kIni);
    if (!host_->Start(&start_error_)) {
      delete host_;
      host_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(host_, nullptr) << start_error_;
    // Connections of an earlier test may still be closing.
    ASSERT_TRUE(WaitUntil(
        [&] {
          return MetricValue(Metrics(port()), "runnel_live_connections") == 0;
        },
        Millis(10000)))
        << Metrics(port());
  }
  uint16_t port() const { return host_->port(); }

  static HostProcess* host_;
  static std::string start_error_;
};

template <typename Config>
HostProcess* HostSuite<Config>::host_ = nullptr;
template <typename Config>
std::string HostSuite<Config>::start_error_;

// Limits, with Grafana's default (25 s) ping so idle clients stay.
struct LimitsConfig {
  static constexpr char kIni[] =
      "[live]\n"
      "max_connections = 2\n"
      "message_size_limit = 1024\n";
};
using LimitsTest = HostSuite<LimitsConfig>;

// Short protocol timings.
struct TimeoutsConfig {
  static constexpr char kIni[] =
      "[live]\n"
      "stale_close_delay = 1s\n"
      "ping_interval = 1s\n"
      "pong_timeout = 1s\n";
};
using TimeoutsTest = HostSuite<TimeoutsConfig>;

TEST_F(LimitsTest, ThirdConnectionGets3504AfterItsConnectReply) {
  LiveClient a, b, c;
  ASSERT_TRUE(a.Open(port()));
  ASSERT_TRUE(a.Connect().contains("connect"));
  ASSERT_TRUE(b.Open(port()));
  ASSERT_TRUE(b.Connect().contains("connect"));
  ASSERT_TRUE(c.Open(port()));
  Json reply = c.Connect();
  EXPECT_TRUE(reply.contains("connect")) << reply.dump();  // as Grafana
  EXPECT_EQ(c.WaitClosed(Millis(10000)), 3504);
  a.Pump(Millis(300));
  b.Pump(Millis(300));
  EXPECT_FALSE(a.closed());
  EXPECT_FALSE(b.closed());
}

TEST_F(LimitsTest, OversizedMessageGets1009) {
  LiveClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.Connect().contains("connect"));
  std::string big = R"({"id":2,"subscribe":{"channel":"1/ds/testdata/)" +
                    std::string(2000, 'a') + R"("}})";
  ASSERT_TRUE(client.SendText(big));
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 1009);
}

TEST_F(TimeoutsTest, GarbageGets3501) {
  LiveClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.SendText("this is not json"));
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 3501);
}

TEST_F(TimeoutsTest, SilentClientGets3502) {
  LiveClient client;
  ASSERT_TRUE(client.Open(port()));
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 3502);
}

TEST_F(TimeoutsTest, MissingPongGets3012) {
  LiveClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.Connect().contains("connect"));
  client.set_auto_pong(false);
  EXPECT_EQ(client.WaitClosed(Millis(10000)), 3012);
  EXPECT_GE(client.pings_seen(), 1);
}

TEST_F(TimeoutsTest, AnsweredPingsKeepTheConnection) {
  LiveClient client;
  ASSERT_TRUE(client.Open(port()));
  ASSERT_TRUE(client.Connect().contains("connect"));
  client.Pump(Millis(3500));  // several ping intervals, answering each
  EXPECT_FALSE(client.closed()) << "closed with " << client.close_code();
  EXPECT_GE(client.pings_seen(), 2);
}

}  // namespace
}  // namespace runnel::host::testing
