// Several built hosts on one real redis-server (`[live] ha_engine = redis`):
// pushes and broadcasts reach every host, the last frame is shared, one
// RunStream per plugin channel runs in the whole cluster and moves when its
// host is killed, and Redis going away (or never being there) degrades
// cross-host delivery without stopping local delivery.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
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
  EXPECT_TRUE(WaitUntil([&] { return HostsListening(redis, channel) == want; },
                        Millis(10000)))
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
    counts.push_back(host->running()
                         ? MetricValue(Metrics(host->port()), "runnel_streams")
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

// The times of the next `count` frames of the plugin channel (fewer, and
// a failure, if they stop coming).
std::vector<int64_t> FrameTimes(WsClient& client, int count) {
  std::vector<int64_t> times;
  for (int i = 0; i < count; ++i) {
    JSON data = NextData(client, Millis(10000));
    if (!data.is_object()) {
      ADD_FAILURE() << "no frame " << i;
      break;
    }
    times.push_back(data["data"]["values"][0][0].get<int64_t>());
  }
  return times;
}

// The times in [from, to].
std::vector<int64_t> Between(const std::vector<int64_t>& times, int64_t from,
                             int64_t to) {
  std::vector<int64_t> out;
  for (int64_t t : times) {
    if (t >= from && t <= to) out.push_back(t);
  }
  return out;
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
  // One stream, so every client gets the very same frames: over the time
  // all of them were reading, the same times, each once, in order.
  std::vector<std::vector<int64_t>> times;
  int64_t from = 0;
  int64_t to = INT64_MAX;
  for (auto& client : clients) {
    times.push_back(FrameTimes(*client, 40));
    ASSERT_EQ(times.back().size(), 40u);
    from = std::max(from, times.back().front());
    to = std::min(to, times.back().back());
  }
  std::vector<int64_t> common = Between(times[0], from, to);
  EXPECT_GE(common.size(), 20u);
  EXPECT_TRUE(std::is_sorted(common.begin(), common.end()));
  EXPECT_EQ(std::adjacent_find(common.begin(), common.end()), common.end());
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_EQ(Between(times[i], from, to), common) << "client " << i;
  }
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
  int64_t widest_gap = 0;
  for (size_t i = 0; i < clients.size(); ++i) {
    if (i == leader) continue;
    // No frame twice or out of order across the takeover; the widest
    // step between frame times is what the clients missed.
    std::vector<int64_t> times = FrameTimes(*clients[i], 40);
    ASSERT_EQ(times.size(), 40u);
    int64_t previous = last[i];
    for (int64_t t : times) {
      EXPECT_GT(t, previous) << "client " << i;
      widest_gap = std::max(widest_gap, t - previous);
      previous = t;
    }
  }
  const auto took = std::chrono::duration_cast<Millis>(
      std::chrono::steady_clock::now() - killed);
  // The bound: ha_lease_ttl (1 s here) + a third, plus the plugin's start;
  // a wide margin for a loaded machine.
  EXPECT_LT(widest_gap, 10000);
  std::cout << "takeover: the survivors' widest gap between frames was "
            << widest_gap << " ms (40 frames read " << took.count()
            << " ms after the kill)\n";
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
  // Ten seconds down, under load: local delivery goes on. Every broadcast
  // on A reaches A's client, and each host runs the plugin stream for its
  // own clients, whose frames keep rising.
  const auto back_at = std::chrono::steady_clock::now() + Millis(10000);
  std::vector<int64_t> last(streams.size(), 0);
  for (int n = 0; std::chrono::steady_clock::now() < back_at; ++n) {
    ASSERT_EQ(Broadcast(hosts_[0]->port(), "grafana/broadcast/outage",
                        {{"during", n}})
                  .status,
              200);
    ASSERT_EQ(NextData(*clients[0]), (JSON{{"during", n}}));
    for (size_t i = 0; i < streams.size(); ++i) {
      last[i] = ReadRisingFrames(*streams[i], 2, last[i]);
    }
  }

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
  ASSERT_TRUE(
      client->Subscribe("1/grafana/broadcast/start").contains("subscribe"));
  ASSERT_EQ(
      Broadcast(host->port(), "grafana/broadcast/start", {{"n", 1}}).status,
      200);
  EXPECT_EQ(NextData(*client), (JSON{{"n", 1}}));
  // Said once in the log, at the first check after the failed connect.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return host->Log().find("Redis unreachable") != std::string::npos;
      },
      Millis(5000)))
      << host->Log();

  ASSERT_TRUE(redis_->Restart());
  EXPECT_TRUE(WaitUntil([&] { return EngineStatus(host->port()) == "ok"; },
                        Millis(15000)));
  EXPECT_TRUE(WaitUntil(
      [&] { return HostsListening(*redis_, "1/grafana/broadcast/start") == 1; },
      Millis(10000)));
}

TEST_F(HaEngineTest, SubscribersAreCountedAcrossHostsForTheStreamsLife) {
  StartHosts(2);
  // A's client comes first: A takes the lease and runs the stream.
  auto on_a = Connected(hosts_[0]->port());
  ASSERT_TRUE(on_a->Subscribe(kPluginChannel).contains("subscribe"));
  ASSERT_TRUE(WaitUntil(
      [&] {
        return MetricValue(Metrics(hosts_[0]->port()), "runnel_streams") == 1;
      },
      Millis(10000)));
  std::vector<std::unique_ptr<WsClient>> on_b;
  for (int i = 0; i < 2; ++i) {
    on_b.push_back(Connected(hosts_[1]->port()));
    ASSERT_TRUE(on_b.back()->Subscribe(kPluginChannel).contains("subscribe"));
  }
  // Both hosts list the three subscribers of the cluster.
  for (const auto& host : hosts_) {
    EXPECT_TRUE(WaitUntil(
        [&] {
          JSON list = JSON::parse(HttpGet(host->port(), "/api/live/list").body);
          for (const JSON& channel : list["channels"]) {
            if (channel["channel"] == kPluginChannel) {
              return channel["subscribers"] == 3;
            }
          }
          return false;
        },
        Millis(10000)))
        << HttpGet(host->port(), "/api/live/list").body;
  }
  const double starts =
      MetricValue(Metrics(hosts_[0]->port()), "runnel_stream_starts_total") +
      MetricValue(Metrics(hosts_[1]->port()), "runnel_stream_starts_total");
  // A's own client leaves. B's still watch, so A keeps the stream for them
  // past the grace period (1 s): B's clients keep getting rising frames
  // for 3 s, and no stream was started again anywhere.
  on_a.reset();
  int64_t last = 0;
  for (int i = 0; i < 60; ++i) last = ReadRisingFrames(*on_b[0], 1, last);
  EXPECT_EQ(MetricValue(Metrics(hosts_[0]->port()), "runnel_streams"), 1);
  EXPECT_EQ(
      MetricValue(Metrics(hosts_[0]->port()), "runnel_stream_starts_total") +
          MetricValue(Metrics(hosts_[1]->port()), "runnel_stream_starts_total"),
      starts);
  // Nobody watches on any host: the stream stops after the grace period.
  on_b.clear();
  EXPECT_TRUE(WaitUntil(
      [&] {
        std::vector<double> counts = RunningStreams(hosts_);
        return counts[0] + counts[1] == 0 && PluginStreamsRunning(hosts_) == 0;
      },
      Millis(15000)));
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
        return info &&
               info->text.find("master_link_status:up") != std::string::npos;
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
  ASSERT_EQ(
      Broadcast(hosts[0]->port(), "grafana/broadcast/failover", {{"before", 1}})
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
