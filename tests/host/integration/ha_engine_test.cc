// Several built hosts on one real redis-server (`[live] ha_engine = redis`):
// pushes and broadcasts reach every host, the last frame is shared, one
// RunStream per plugin channel runs in the whole cluster and moves when its
// host is killed, and Redis going away (or never being there) degrades
// cross-host delivery without stopping local delivery.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "host_process.h"
#include "support/redis_query.h"
#include "support/redis_server.h"
#include "test_support.h"

namespace runnel::host::testing {
namespace {

using ::runnel::testing::HttpPost;
using ::runnel::testing::QueryRedis;
using ::runnel::testing::RedisServer;
using ::runnel::testing::RespValue;
using ::testing::HasSubstr;

constexpr char kPluginChannel[] = "1/plugin/testdata/random-20Hz-stream";

// The ini of a host on the Redis at `address`: short leases and grace, so
// takeovers and stops happen within a test's patience.
std::string HaIni(const std::string& address) {
  return "[live]\n"
         "ha_engine = redis\n"
         "ha_engine_address = " +
         address +
         "\n"
         "ha_lease_ttl = 1s\n"
         "[stream]\n"
         "grace_period = 1s\n";
}

std::unique_ptr<HostProcess> StartHost(const std::string& redis_address) {
  auto host = std::make_unique<HostProcess>(HaIni(redis_address));
  std::string error;
  EXPECT_TRUE(host->Start(&error)) << error;
  return host;
}

std::string EngineStatus(uint16_t port) {
  JSON health = Health(port);
  if (!health.is_object()) return "";
  return health["engine"].value("status", "");
}

// Redis PUBSUB NUMSUB for a wire channel: how many hosts listen to it.
int HostsListening(const RedisServer& redis, const std::string& channel) {
  std::optional<RespValue> reply =
      redis.Query({"PUBSUB", "NUMSUB", "gf_live.pub." + channel});
  if (!reply || reply->elements.size() != 2) return -1;
  return std::stoi(reply->elements[1].text);
}

HttpResult Broadcast(uint16_t port, const std::string& channel,
                     const JSON& data) {
  JSON command = {{"channel", channel}, {"data", data}};
  return HttpPost(port, "/api/live/publish", command.dump(),
                  "application/json");
}

// The next publication's data on `client`, or null.
JSON NextData(WsClient& client, Millis timeout = Millis(5000)) {
  auto push = client.NextPush(timeout);
  if (!push) return nullptr;
  return (*push)["pub"]["data"];
}

// Subscribes one client per host to `channel` and waits until every host
// listens to it in Redis (so a publication from any of them reaches all).
std::vector<std::unique_ptr<WsClient>> SubscribeOnEach(
    const std::vector<std::unique_ptr<HostProcess>>& hosts,
    const RedisServer& redis, const std::string& channel) {
  std::vector<std::unique_ptr<WsClient>> clients;
  for (const auto& host : hosts) {
    clients.push_back(Connected(host->port()));
    JSON reply = clients.back()->Subscribe(channel);
    EXPECT_TRUE(reply.contains("subscribe")) << reply.dump();
  }
  const int want = static_cast<int>(hosts.size());
  EXPECT_TRUE(WaitUntil(
      [&] { return HostsListening(redis, channel) == want; }, Millis(10000)))
      << HostsListening(redis, channel) << " hosts listen to " << channel;
  return clients;
}

class HaEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisServer::Start();
    ASSERT_NE(redis_, nullptr);
  }

  void StartHosts(size_t count) {
    for (size_t i = 0; i < count; ++i) {
      hosts_.push_back(StartHost(redis_->address()));
      ASSERT_TRUE(hosts_.back()->running());
    }
    for (const auto& host : hosts_) {
      ASSERT_TRUE(WaitUntil([&] { return EngineStatus(host->port()) == "ok"; },
                            Millis(10000)))
          << Health(host->port()).dump();
    }
  }

  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<HostProcess>> hosts_;
};

TEST_F(HaEngineTest, APushToOneHostReachesClientsOnEveryHost) {
  StartHosts(3);
  auto clients = SubscribeOnEach(hosts_, *redis_, "1/stream/ha/cpu");
  ASSERT_EQ(HttpPost(hosts_[0]->port(), "/api/live/push/ha",
                     "cpu,host=a usage=1.5 1700000000000000000\n")
                .status,
            200);
  for (size_t i = 0; i < clients.size(); ++i) {
    JSON data = NextData(*clients[i]);
    ASSERT_TRUE(data.is_object()) << "nothing reached host " << i;
    // The first frame of the channel carries its schema on every host.
    EXPECT_EQ(data["schema"]["name"], "cpu") << data.dump();
    EXPECT_EQ(data["data"]["values"][2], JSON::array({1.5})) << data.dump();
    // Once: nothing else follows.
    EXPECT_FALSE(clients[i]->NextPush(Millis(300)).has_value());
  }
}

TEST_F(HaEngineTest, BroadcastsReachEveryHostInOrder) {
  StartHosts(3);
  const std::string channel = "1/grafana/broadcast/ha";
  auto clients = SubscribeOnEach(hosts_, *redis_, channel);
  for (int n = 0; n < 20; ++n) {
    uint16_t from = hosts_[1]->port();
    ASSERT_EQ(Broadcast(from, "grafana/broadcast/ha", {{"n", n}}).status, 200);
  }
  for (size_t i = 0; i < clients.size(); ++i) {
    for (int n = 0; n < 20; ++n) {
      JSON data = NextData(*clients[i]);
      ASSERT_EQ(data, (JSON{{"n", n}})) << "host " << i;
    }
  }
}

TEST_F(HaEngineTest, ALateSubscriberOnAnotherHostGetsTheCachedFrame) {
  StartHosts(2);
  ASSERT_EQ(HttpPost(hosts_[0]->port(), "/api/live/push/late",
                     "cpu,host=a usage=7 1700000000000000000\n")
                .status,
            200);
  // Grafana's layout: a hash with schema and frame under gf_live.
  const std::string key = "gf_live.managed_stream.1/stream/late/cpu";
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto frame = redis_->Query({"HGET", key, "frame"});
        return frame && !frame->nil;
      },
      Millis(5000)));
  auto ttl = redis_->Query({"TTL", key});
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GT(std::stoll(ttl->text), 6 * 24 * 3600);

  auto client = Connected(hosts_[1]->port());
  JSON reply = client->Subscribe("1/stream/late/cpu");
  ASSERT_TRUE(reply.contains("subscribe")) << reply.dump();
  const JSON& data = reply["subscribe"]["data"];
  EXPECT_EQ(data["schema"]["name"], "cpu") << reply.dump();
  EXPECT_EQ(data["data"]["values"][2], JSON::array({7.0})) << reply.dump();

  // The list of host B shows the channel A pushed to.
  HttpResult list = HttpGet(hosts_[1]->port(), "/api/live/list");
  EXPECT_THAT(list.body, HasSubstr("\"1/stream/late/cpu\""));
}

// Per host: runnel_streams (RunStreams running there).
std::vector<double> RunningStreams(
    const std::vector<std::unique_ptr<HostProcess>>& hosts) {
  std::vector<double> counts;
  for (const auto& host : hosts) {
    counts.push_back(
        host->running() ? MetricValue(Metrics(host->port()), "runnel_streams")
                        : 0);
  }
  return counts;
}

// The testdata plugins' own count of running streams, over the hosts.
double PluginStreamsRunning(
    const std::vector<std::unique_ptr<HostProcess>>& hosts) {
  double total = 0;
  for (const auto& host : hosts) {
    if (!host->running()) continue;
    HttpResult metrics = HttpGet(host->port(), "/metrics/plugins/testdata");
    total += MetricValue(metrics.body, "testdata_streams_running");
  }
  return total;
}

// Reads `count` frames of the plugin channel; their times must rise
// (no duplicate, no step back). Returns the last time, or -1.
int64_t ReadRisingFrames(WsClient& client, int count, int64_t after) {
  int64_t last = after;
  for (int i = 0; i < count; ++i) {
    JSON data = NextData(client, Millis(10000));
    if (!data.is_object()) {
      ADD_FAILURE() << "no frame " << i;
      return -1;
    }
    int64_t time = data["data"]["values"][0][0].get<int64_t>();
    EXPECT_GT(time, last) << "frame " << i << " repeats or goes back";
    last = time;
  }
  return last;
}

TEST_F(HaEngineTest, OneRunStreamPerChannelInTheWholeCluster) {
  StartHosts(3);
  auto clients = SubscribeOnEach(hosts_, *redis_, kPluginChannel);
  // Exactly one host runs it, and its plugin is the only one streaming.
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::vector<double> counts = RunningStreams(hosts_);
        return counts[0] + counts[1] + counts[2] == 1;
      },
      Millis(10000)));
  EXPECT_TRUE(WaitUntil([&] { return PluginStreamsRunning(hosts_) == 1; },
                        Millis(5000)))
      << PluginStreamsRunning(hosts_);
  for (auto& client : clients) ReadRisingFrames(*client, 20, 0);
  // Still one after a few lease renewals.
  std::vector<double> counts = RunningStreams(hosts_);
  EXPECT_EQ(counts[0] + counts[1] + counts[2], 1);
  EXPECT_EQ(PluginStreamsRunning(hosts_), 1);
}

TEST_F(HaEngineTest, AKilledLeaderIsTakenOverAndClientsKeepReceiving) {
  StartHosts(3);
  auto clients = SubscribeOnEach(hosts_, *redis_, kPluginChannel);
  size_t leader = hosts_.size();
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::vector<double> counts = RunningStreams(hosts_);
        for (size_t i = 0; i < counts.size(); ++i) {
          if (counts[i] == 1) leader = i;
        }
        return leader < hosts_.size();
      },
      Millis(10000)));
  std::vector<int64_t> last(clients.size(), 0);
  for (size_t i = 0; i < clients.size(); ++i) {
    last[i] = ReadRisingFrames(*clients[i], 5, 0);
  }
  hosts_[leader]->SendSignal(SIGKILL);
  ASSERT_GE(hosts_[leader]->WaitExit(Millis(5000)), 0);
  const auto killed = std::chrono::steady_clock::now();
  // Another host takes the stream over; its clients keep getting frames.
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::vector<double> counts = RunningStreams(hosts_);
        return counts[0] + counts[1] + counts[2] == 1;
      },
      Millis(15000)));
  for (size_t i = 0; i < clients.size(); ++i) {
    if (i == leader) continue;
    // Frames published before the kill may still be queued: skip to the
    // first one sent after it, then they rise again.
    int64_t resumed = ReadRisingFrames(*clients[i], 10, last[i]);
    EXPECT_GT(resumed, 0);
  }
  const auto took = std::chrono::duration_cast<Millis>(
      std::chrono::steady_clock::now() - killed);
  // ha_lease_ttl (1 s) + a third, plus the plugin's start: well within 10 s.
  EXPECT_LT(took.count(), 10000);
  std::cout << "takeover and 10 frames on each survivor took " << took.count()
            << " ms\n";
}

TEST_F(HaEngineTest, RedisDownDegradesAndRecoversWithoutARestart) {
  StartHosts(2);
  const std::string channel = "1/grafana/broadcast/outage";
  auto clients = SubscribeOnEach(hosts_, *redis_, channel);
  auto streams = SubscribeOnEach(hosts_, *redis_, kPluginChannel);
  redis_->Stop();
  for (const auto& host : hosts_) {
    ASSERT_TRUE(
        WaitUntil([&] { return EngineStatus(host->port()) == "degraded"; },
                  Millis(10000)));
    EXPECT_EQ(MetricValue(Metrics(host->port()),
                          "runnel_engine_degraded{engine=\"redis\"}"),
              1);
  }
  // Local delivery goes on: a broadcast on A reaches A's client, and each
  // host's plugin stream keeps its own clients fed.
  ASSERT_EQ(Broadcast(hosts_[0]->port(), "grafana/broadcast/outage",
                      {{"during", 1}})
                .status,
            200);
  EXPECT_EQ(NextData(*clients[0]), (JSON{{"during", 1}}));
  for (auto& stream : streams) ReadRisingFrames(*stream, 20, 0);

  ASSERT_TRUE(redis_->Restart());
  for (const auto& host : hosts_) {
    ASSERT_TRUE(WaitUntil([&] { return EngineStatus(host->port()) == "ok"; },
                          Millis(15000)));
  }
  // Cross-host delivery resumes once B listens again.
  ASSERT_TRUE(WaitUntil([&] { return HostsListening(*redis_, channel) == 2; },
                        Millis(10000)));
  ASSERT_EQ(
      Broadcast(hosts_[0]->port(), "grafana/broadcast/outage", {{"after", 1}})
          .status,
      200);
  // B's client skipped A's outage broadcast; its next one is this.
  EXPECT_EQ(NextData(*clients[1]), (JSON{{"after", 1}}));
  // And the cluster is back to one RunStream for the plugin channel.
  EXPECT_TRUE(WaitUntil(
      [&] {
        std::vector<double> counts = RunningStreams(hosts_);
        return counts[0] + counts[1] == 1;
      },
      Millis(10000)));
}

TEST_F(HaEngineTest, AHostStartsWhileRedisIsDownAndJoinsWhenItComesUp) {
  const std::string address = redis_->address();
  redis_->Stop();
  auto host = StartHost(address);
  ASSERT_TRUE(host->running());
  EXPECT_EQ(EngineStatus(host->port()), "degraded");
  // It serves its own clients meanwhile.
  auto client = Connected(host->port());
  ASSERT_TRUE(client->Subscribe("1/grafana/broadcast/start")
                  .contains("subscribe"));
  ASSERT_EQ(
      Broadcast(host->port(), "grafana/broadcast/start", {{"n", 1}}).status,
      200);
  EXPECT_EQ(NextData(*client), (JSON{{"n", 1}}));
  EXPECT_THAT(host->Log(), HasSubstr("Redis unreachable"));

  ASSERT_TRUE(redis_->Restart());
  EXPECT_TRUE(WaitUntil([&] { return EngineStatus(host->port()) == "ok"; },
                        Millis(15000)));
  EXPECT_TRUE(WaitUntil(
      [&] {
        return HostsListening(*redis_, "1/grafana/broadcast/start") == 1;
      },
      Millis(10000)));
}

TEST(HaSentinelTest, DeliveryResumesAfterTheMasterFailsOver) {
  auto master = RedisServer::Start();
  ASSERT_NE(master, nullptr);
  RedisServer::Options replica_options;
  replica_options.extra_args = {"--replicaof", "127.0.0.1",
                                std::to_string(master->port())};
  auto replica = RedisServer::Start(replica_options);
  ASSERT_NE(replica, nullptr);
  std::vector<std::unique_ptr<RedisServer>> sentinels;
  std::string address = "sentinel://";
  for (int i = 0; i < 3; ++i) {
    sentinels.push_back(RedisServer::StartSentinel("ha", master->port(), 2));
    ASSERT_NE(sentinels.back(), nullptr);
    address += (i == 0 ? "" : ",") + sentinels.back()->address();
  }
  address += "/ha";
  // A failover needs a replica in sync that the Sentinels know of.
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto info = replica->Query({"INFO", "replication"});
        return info && info->text.find("master_link_status:up") !=
                           std::string::npos;
      },
      Millis(20000)));
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (const auto& sentinel : sentinels) {
          auto replicas = sentinel->Query({"SENTINEL", "replicas", "ha"});
          if (!replicas || replicas->elements.empty()) return false;
        }
        return true;
      },
      Millis(30000)));

  std::vector<std::unique_ptr<HostProcess>> hosts;
  for (int i = 0; i < 2; ++i) hosts.push_back(StartHost(address));
  for (const auto& host : hosts) {
    ASSERT_TRUE(WaitUntil([&] { return EngineStatus(host->port()) == "ok"; },
                          Millis(10000)));
  }
  const std::string channel = "1/grafana/broadcast/failover";
  auto clients = SubscribeOnEach(hosts, *master, channel);
  ASSERT_EQ(Broadcast(hosts[0]->port(), "grafana/broadcast/failover",
                      {{"before", 1}})
                .status,
            200);
  EXPECT_EQ(NextData(*clients[1]), (JSON{{"before", 1}}));

  master->Stop();
  // Publications made during the failover may be lost; keep publishing
  // until one made after it reaches the other host.
  int sent = 0;
  EXPECT_TRUE(WaitUntil(
      [&] {
        Broadcast(hosts[0]->port(), "grafana/broadcast/failover",
                  {{"after", ++sent}});
        JSON data = NextData(*clients[1], Millis(500));
        return data.is_object() && data.contains("after");
      },
      Millis(45000)))
      << "no cross-host delivery after the failover; sent " << sent;
  for (const auto& host : hosts) {
    EXPECT_TRUE(WaitUntil([&] { return EngineStatus(host->port()) == "ok"; },
                          Millis(10000)));
  }
}

}  // namespace
}  // namespace runnel::host::testing
