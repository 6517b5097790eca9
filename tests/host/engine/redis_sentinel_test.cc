// RedisConnection in Sentinel mode against real processes: a master, a
// replica and three Sentinels. The master is killed; the Sentinels promote
// the replica, and the connection finds it by itself and works again.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/redis_connection.h"
#include "io_thread.h"
#include "state_recorder.h"
#include "support/redis_server.h"
#include "support/wait_until.h"

namespace runnel::host {
namespace {

using runnel::testing::RedisServer;
using runnel::testing::RespValue;
using runnel::testing::WaitUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kMaster = "m";

// A field of one entry of "SENTINEL replicas|sentinels" (name, value, ...).
std::string Field(const RespValue& entry, const std::string& name) {
  for (size_t i = 0; i + 1 < entry.elements.size(); i += 2) {
    if (entry.elements[i].text == name) return entry.elements[i + 1].text;
  }
  return "";
}

// The Sentinel knows the healthy replica and both other Sentinels: it can
// take part in a failover.
bool SentinelReady(const RedisServer& sentinel, int replica_port) {
  std::optional<RespValue> replicas =
      sentinel.Query({"SENTINEL", "replicas", kMaster});
  std::optional<RespValue> others =
      sentinel.Query({"SENTINEL", "sentinels", kMaster});
  if (!replicas || !others || replicas->elements.size() != 1 ||
      others->elements.size() != 2) {
    return false;
  }
  const RespValue& replica = replicas->elements[0];
  return Field(replica, "port") == std::to_string(replica_port) &&
         Field(replica, "flags") == "slave" &&
         Field(replica, "master-link-status") == "ok";
}

bool IsMaster(const RedisServer& server) {
  std::optional<RespValue> role = server.Query({"ROLE"});
  return role && !role->elements.empty() && role->elements[0].text == "master";
}

class Client {
 public:
  Client(IoThread& io, RedisOptions options) : io_(io) {
    io_.Run([&] {
      connection_ = std::make_unique<RedisConnection>(io_.io(), options,
                                                      states_.Callback());
      connection_->Start();
    });
  }
  ~Client() {
    io_.Run([&] { connection_.reset(); });
  }

  const StateRecorder& states() const { return states_; }

  RedisReply Call(std::vector<std::string> args) {
    auto reply = std::make_shared<std::optional<RedisReply>>();
    auto done = std::make_shared<std::atomic<bool>>(false);
    io_.Run([&] {
      connection_->Command(std::move(args), [reply, done](const RedisReply& r) {
        *reply = r;
        done->store(true);
      });
    });
    EXPECT_TRUE(WaitUntil([&] { return done->load(); }, seconds(10)));
    return done->load() ? **reply : RedisReply::Error("no reply");
  }

 private:
  IoThread& io_;
  StateRecorder states_;
  std::unique_ptr<RedisConnection> connection_;
};

TEST(RedisSentinelTest, FollowsTheMasterThroughAFailover) {
  std::unique_ptr<RedisServer> master = RedisServer::Start();
  ASSERT_NE(master, nullptr);
  RedisServer::Options replica_options;
  replica_options.extra_args = {"--replicaof", "127.0.0.1",
                                std::to_string(master->port())};
  std::unique_ptr<RedisServer> replica = RedisServer::Start(replica_options);
  ASSERT_NE(replica, nullptr);
  std::vector<std::unique_ptr<RedisServer>> sentinels;
  for (int i = 0; i < 3; ++i) {
    sentinels.push_back(RedisServer::StartSentinel(kMaster, master->port(), 2));
    ASSERT_NE(sentinels.back(), nullptr);
  }
  for (const auto& sentinel : sentinels) {
    ASSERT_TRUE(WaitUntil(
        [&] { return SentinelReady(*sentinel, replica->port()); }, seconds(20)))
        << sentinel->Log();
  }

  RedisOptions options;
  options.address.sentinel = true;
  options.address.master_name = kMaster;
  for (const auto& sentinel : sentinels) {
    options.address.endpoints.push_back({"127.0.0.1", sentinel->port()});
  }
  options.backoff_min = milliseconds(50);
  options.backoff_max = milliseconds(500);
  options.command_timeout = milliseconds(1000);
  options.ping_interval = milliseconds(200);
  IoThread io;
  Client client(io, options);
  ASSERT_TRUE(
      WaitUntil([&] { return client.states().ups() == 1; }, seconds(10)));
  EXPECT_EQ(client.Call({"SET", "k", "before"}).str, "OK");

  master->Stop();  // kill -9
  ASSERT_TRUE(
      WaitUntil([&] { return client.states().downs() == 1; }, seconds(10)));
  // Up again only against a master: the promoted replica.
  ASSERT_TRUE(
      WaitUntil([&] { return client.states().ups() == 2; }, seconds(30)))
      << sentinels[0]->Log();
  EXPECT_TRUE(IsMaster(*replica));
  EXPECT_EQ(client.Call({"SET", "k", "after"}).str, "OK");
  EXPECT_EQ(client.Call({"GET", "k"}).str, "after");
  EXPECT_EQ(replica->Query({"GET", "k"})->text, "after");
  EXPECT_EQ(client.states().downs(), 1);
}

}  // namespace
}  // namespace runnel::host
