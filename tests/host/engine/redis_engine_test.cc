// RedisEngine in-process, two "hosts" (two hubs, two engines) on one real
// redis-server: delivery between hubs, the shared last messages, leases
// (one holder, handed over on drop, every wanter holds while Redis is
// down, one again after), presence counts and health.
#include "engine/redis_engine.h"

#include <absl/synchronization/mutex.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/redis_address.h"
#include "live/hub.h"
#include "support/redis_server.h"
#include "support/wait_until.h"

namespace runnel::host {
namespace {

using ::runnel::testing::RedisServer;
using ::runnel::testing::WaitUntil;
using Millis = std::chrono::milliseconds;

class RecordingSubscriber : public Subscriber {
 public:
  void Deliver(const SharedBuffer& message) override {
    absl::MutexLock lock(&mu_);
    messages_.emplace_back(*message);
  }
  std::vector<std::string> messages() const {
    absl::MutexLock lock(&mu_);
    return messages_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> messages_ ABSL_GUARDED_BY(mu_);
};

// A lease's state as its callbacks told it.
class LeaseWatch {
 public:
  Engine::LeaseFn Callback() {
    return [this](bool held) {
      absl::MutexLock lock(&mu_);
      held_ = held;
      ++changes_;
    };
  }
  std::optional<bool> held() const {
    absl::MutexLock lock(&mu_);
    return held_;
  }
  int changes() const {
    absl::MutexLock lock(&mu_);
    return changes_;
  }

 private:
  mutable absl::Mutex mu_;
  std::optional<bool> held_ ABSL_GUARDED_BY(mu_);
  int changes_ ABSL_GUARDED_BY(mu_) = 0;
};

struct TestHost {
  TestHost(const std::string& address, const std::string& prefix) {
    RedisEngineOptions options;
    EXPECT_TRUE(ParseRedisAddress(address, &options.redis.address).ok());
    options.redis.backoff_max = Millis(500);
    options.ha_prefix = prefix;
    options.lease_ttl = Millis(600);
    engine = std::make_unique<RedisEngine>(hub, std::move(options));
    hub.SetLink(engine->link());
  }
  ~TestHost() { engine->Shutdown(); }
  bool ok() const { return !engine->Health().degraded; }

  Hub hub;
  std::unique_ptr<RedisEngine> engine;
};

class RedisEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisServer::Start();
    ASSERT_NE(redis_, nullptr);
    a_ = std::make_unique<TestHost>(redis_->address(), "t");
    b_ = std::make_unique<TestHost>(redis_->address(), "t");
    ASSERT_TRUE(WaitUntil([&] { return a_->ok() && b_->ok(); }, Millis(5000)));
  }
  // Hosts listening to the wire channel's PUB/SUB channel.
  int Listening(const std::string& channel) {
    auto reply =
        redis_->Query({"PUBSUB", "NUMSUB", "t.gf_live.pub." + channel});
    if (!reply || reply->elements.size() != 2) return -1;
    return std::stoi(reply->elements[1].text);
  }

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<TestHost> a_;
  std::unique_ptr<TestHost> b_;
};

TEST_F(RedisEngineTest, PublicationsReachTheOtherHubOnceAndNotTheirOwnTwice) {
  const std::string channel = "1/grafana/broadcast/x";
  RecordingSubscriber on_a, on_b;
  a_->hub.Subscribe(channel, &on_a);
  b_->hub.Subscribe(channel, &on_b);
  ASSERT_TRUE(WaitUntil([&] { return Listening(channel) == 2; }, Millis(5000)));
  for (int n = 0; n < 100; ++n) {
    ASSERT_TRUE(a_->hub.Publish(channel, std::to_string(n)).ok());
  }
  ASSERT_TRUE(
      WaitUntil([&] { return on_b.messages().size() == 100; }, Millis(5000)));
  // In order on B; A's subscriber got each once (delivered locally, its
  // echo from Redis dropped).
  EXPECT_NE(on_b.messages()[0].find("\"data\":0}"), std::string::npos);
  EXPECT_NE(on_b.messages()[99].find("\"data\":99}"), std::string::npos);
  EXPECT_EQ(on_b.messages(), on_a.messages());
  b_->hub.Unsubscribe(channel, &on_b);
  EXPECT_TRUE(WaitUntil([&] { return Listening(channel) == 1; }, Millis(5000)));
  a_->hub.Unsubscribe(channel, &on_a);
}

TEST_F(RedisEngineTest, TheLastMessageIsSharedAndTheSchemaChangeDecidedOnce) {
  LastMessageStore& store_a = a_->engine->last_messages();
  LastMessageStore& store_b = b_->engine->last_messages();
  std::vector<bool> changed;
  absl::Mutex mu;
  auto record = [&](bool schema_changed, const StoredMessage&) {
    absl::MutexLock lock(&mu);
    changed.push_back(schema_changed);
  };
  const std::string channel = "1/stream/s/cpu";
  ASSERT_TRUE(store_a.Put(channel, {"S1", "F1", 10}, record).ok());
  // B's puts go on another connection: they follow A's only once it is done.
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return changed.size() == 1;
      },
      Millis(5000)));
  ASSERT_TRUE(store_b.Put(channel, {"S1", "F2", 20}, record).ok());
  ASSERT_TRUE(store_b.Put(channel, {"S2", "F3", 30}, record).ok());
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return changed.size() == 3;
      },
      Millis(5000)));
  // A's first put is new; B's same-schema put is not a change even though
  // B never saw the channel; then a new schema is.
  EXPECT_EQ(changed, (std::vector<bool>{true, false, true}));
  std::optional<StoredMessage> got;
  bool answered = false;
  store_a.Get(channel, [&](std::optional<StoredMessage> message) {
    absl::MutexLock lock(&mu);
    got = std::move(message);
    answered = true;
  });
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return answered;
      },
      Millis(5000)));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->message, "F3");
  EXPECT_EQ(got->schema, "S2");
  auto ttl = redis_->Query({"TTL", "t.gf_live.managed_stream." + channel});
  ASSERT_TRUE(ttl.has_value());
  EXPECT_GT(std::stoll(ttl->text), 600000);
}

TEST_F(RedisEngineTest, OneHolderAtATimeAndADroppedLeaseIsTakenOver) {
  const std::string channel = "1/plugin/testdata/random-20Hz-stream";
  LeaseWatch on_a, on_b;
  a_->engine->WantLease(channel, on_a.Callback());
  ASSERT_TRUE(WaitUntil([&] { return on_a.held() == true; }, Millis(5000)));
  b_->engine->WantLease(channel, on_b.Callback());
  // B claims and is refused (no callback: it never held it); A keeps it
  // through several renewals.
  auto holder = [&] {
    auto reply = redis_->Query({"GET", "t.gf_live.lease." + channel});
    return reply ? reply->text : "";
  };
  ASSERT_TRUE(WaitUntil([&] { return !holder().empty(); }, Millis(5000)));
  EXPECT_EQ(holder(), a_->engine->node_id());
  EXPECT_EQ(on_b.held(), std::nullopt);
  // A lets go: B takes it at its next claim (a third of the 600 ms TTL).
  a_->engine->DropLease(channel);
  ASSERT_TRUE(WaitUntil([&] { return on_b.held() == true; }, Millis(5000)));
  EXPECT_EQ(holder(), b_->engine->node_id());
  EXPECT_EQ(on_a.changes(), 1);  // no call after the drop
  b_->engine->DropLease(channel);
}

TEST_F(RedisEngineTest, AChannelWantedAgainRightAfterItsDropIsHeldAgain) {
  // The stream manager drops a lease when a channel's stream stops and
  // wants it again for the next subscriber, maybe before the drop ran.
  const std::string channel = "1/plugin/testdata/again";
  LeaseWatch first, second;
  a_->engine->WantLease(channel, first.Callback());
  ASSERT_TRUE(WaitUntil([&] { return first.held() == true; }, Millis(5000)));
  a_->engine->DropLease(channel);
  a_->engine->WantLease(channel, second.Callback());
  EXPECT_TRUE(WaitUntil([&] { return second.held() == true; }, Millis(5000)));
  EXPECT_EQ(first.changes(), 1);
  a_->engine->DropLease(channel);
}

TEST_F(RedisEngineTest, WithoutRedisEveryWanterHoldsThenOneAgainAfter) {
  const std::string channel = "1/ds/testdata/x";
  LeaseWatch on_a, on_b;
  a_->engine->WantLease(channel, on_a.Callback());
  ASSERT_TRUE(WaitUntil([&] { return on_a.held() == true; }, Millis(5000)));
  b_->engine->WantLease(channel, on_b.Callback());
  redis_->Stop();
  ASSERT_TRUE(WaitUntil([&] { return !a_->ok() && !b_->ok(); }, Millis(10000)));
  EXPECT_EQ(a_->engine->Health().name, "redis");
  EXPECT_NE(a_->engine->Health().message.find("unreachable"),
            std::string::npos);
  // Both serve their own subscribers now.
  ASSERT_TRUE(WaitUntil([&] { return on_b.held() == true; }, Millis(5000)));
  EXPECT_EQ(on_a.held(), true);
  ASSERT_TRUE(redis_->Restart());
  ASSERT_TRUE(WaitUntil([&] { return a_->ok() && b_->ok(); }, Millis(10000)));
  // One of them wins the claim; the other is told it lost.
  ASSERT_TRUE(WaitUntil(
      [&] {
        return on_a.held().value_or(false) != on_b.held().value_or(false);
      },
      Millis(5000)));
  a_->engine->DropLease(channel);
  b_->engine->DropLease(channel);
}

TEST_F(RedisEngineTest, SubscribersAreCountedOverBothHubs) {
  const std::string channel = "1/plugin/testdata/random-20Hz-stream";
  RecordingSubscriber s1, s2, s3;
  a_->hub.Subscribe(channel, &s1);
  b_->hub.Subscribe(channel, &s2);
  b_->hub.Subscribe(channel, &s3);
  ASSERT_TRUE(WaitUntil(
      [&] {
        return a_->engine->ClusterSubscribers(channel) == 3 &&
               b_->engine->ClusterSubscribers(channel) == 3;
      },
      Millis(5000)));
  std::vector<HubChannelInfo> listed = a_->engine->ClusterChannels();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].subscribers, 3u);
  // A host that leaves drops out of the count at once.
  b_->hub.Unsubscribe(channel, &s2);
  b_->hub.Unsubscribe(channel, &s3);
  b_.reset();
  EXPECT_TRUE(
      WaitUntil([&] { return a_->engine->ClusterSubscribers(channel) == 1; },
                Millis(5000)));
  a_->hub.Unsubscribe(channel, &s1);
}

}  // namespace
}  // namespace runnel::host
