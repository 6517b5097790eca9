// RedisSubscriber against a real redis-server: messages (binary-safe)
// arrive, unsubscribing stops them, and after Redis restarts the
// subscriber resubscribes on its own.
#include "engine/redis_subscriber.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/redis_connection.h"
#include "io_thread.h"
#include "message_log.h"
#include "quick_options.h"
#include "state_recorder.h"
#include "support/redis_server.h"
#include "support/wait_until.h"

namespace runnel::host {
namespace {

using runnel::testing::RedisServer;
using runnel::testing::WaitUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

class RedisSubscriberTest : public ::testing::Test {
 protected:
  void TearDown() override {
    io_.Run([&] { subscriber_.reset(); });
  }

  void StartSubscriber(const std::vector<std::string>& channels) {
    io_.Run([&] {
      subscriber_ = std::make_unique<RedisSubscriber>(
          io_.io(), QuickOptions(server_->port()), messages_.Callback(),
          states_.Callback());
      for (const std::string& channel : channels) {
        subscriber_->Subscribe(channel);
      }
      subscriber_->Start();
    });
  }

  // PUBLISH from outside; the number of receivers.
  int64_t Publish(const std::string& channel, const std::string& payload) {
    std::optional<testing::RespValue> reply =
        server_->Query({"PUBLISH", channel, payload});
    return reply ? std::strtoll(reply->text.c_str(), nullptr, 10) : -1;
  }

  int64_t Subscribers(const std::string& channel) {
    std::optional<testing::RespValue> reply =
        server_->Query({"PUBSUB", "NUMSUB", channel});
    if (!reply || reply->elements.size() != 2) return -1;
    return std::strtoll(reply->elements[1].text.c_str(), nullptr, 10);
  }

  std::unique_ptr<RedisServer> server_ = RedisServer::Start();
  IoThread io_;
  StateRecorder states_;
  MessageLog messages_;
  std::unique_ptr<RedisSubscriber> subscriber_;
};

TEST_F(RedisSubscriberTest, MessagesArrive) {
  ASSERT_NE(server_, nullptr);
  const std::string binary_channel("bin\0ch", 6);
  StartSubscriber({"a", binary_channel});
  // Up means subscribed: a publish now reaches us.
  ASSERT_TRUE(WaitUntil([&] { return states_.ups() == 1; }, seconds(10)));
  const std::string payload("\0{\"x\":1}\r\n\xff", 12);
  EXPECT_EQ(Publish("a", "first"), 1);
  EXPECT_EQ(Publish(binary_channel, payload), 1);
  ASSERT_TRUE(messages_.WaitFor(2));
  auto got = messages_.messages();
  EXPECT_EQ(got[0], (MessageLog::Message{"a", "first"}));
  EXPECT_EQ(got[1], (MessageLog::Message{binary_channel, payload}));

  // A channel added while up is subscribed at once.
  io_.Run([&] { subscriber_->Subscribe("later"); });
  ASSERT_TRUE(
      WaitUntil([&] { return Subscribers("later") == 1; }, seconds(10)));
  EXPECT_EQ(Publish("later", "third"), 1);
  ASSERT_TRUE(messages_.WaitFor(3));
  EXPECT_EQ(messages_.messages()[2], (MessageLog::Message{"later", "third"}));
}

TEST_F(RedisSubscriberTest, UnsubscribeStopsMessages) {
  ASSERT_NE(server_, nullptr);
  StartSubscriber({"gone", "kept"});
  ASSERT_TRUE(WaitUntil([&] { return states_.ups() == 1; }, seconds(10)));
  io_.Run([&] { subscriber_->Unsubscribe("gone"); });
  ASSERT_TRUE(WaitUntil([&] { return Subscribers("gone") == 0; }, seconds(10)));
  EXPECT_EQ(Publish("gone", "lost"), 0);
  EXPECT_EQ(Publish("kept", "here"), 1);
  // Messages come in order on the one connection: once "here" is in,
  // "lost" would have been before it.
  ASSERT_TRUE(messages_.WaitFor(1));
  auto got = messages_.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (MessageLog::Message{"kept", "here"}));
  EXPECT_EQ(io_.Run([&] { return subscriber_->channels().size(); }), 1u);
}

TEST_F(RedisSubscriberTest, ResubscribesAfterRedisRestarts) {
  ASSERT_NE(server_, nullptr);
  std::vector<std::string> channels;
  for (int i = 0; i < 1200; ++i) channels.push_back("ch" + std::to_string(i));
  StartSubscriber(channels);
  ASSERT_TRUE(WaitUntil([&] { return states_.ups() == 1; }, seconds(10)));

  server_->Stop();
  ASSERT_TRUE(WaitUntil([&] { return states_.downs() == 1; }, seconds(10)));
  // Changed while down: the reconnect subscribes the set as it is then.
  io_.Run([&] {
    subscriber_->Unsubscribe("ch0");
    subscriber_->Subscribe("new");
  });
  ASSERT_TRUE(server_->Restart());
  ASSERT_TRUE(WaitUntil([&] { return states_.ups() == 2; }, seconds(10)));
  EXPECT_EQ(Subscribers("ch0"), 0);
  EXPECT_EQ(Subscribers("ch1199"), 1);

  // A publish through a RedisConnection of our own reaches the subscriber.
  StateRecorder publisher_states;
  std::unique_ptr<RedisConnection> publisher;
  io_.Run([&] {
    publisher = std::make_unique<RedisConnection>(
        io_.io(), QuickOptions(server_->port()), publisher_states.Callback());
    publisher->Start();
  });
  ASSERT_TRUE(
      WaitUntil([&] { return publisher_states.ups() == 1; }, seconds(10)));
  io_.Run([&] {
    publisher->Command({"PUBLISH", "new", "after restart"},
                       [](const RedisReply&) {});
    publisher->Command({"PUBLISH", "ch600", "old channel"},
                       [](const RedisReply&) {});
  });
  ASSERT_TRUE(messages_.WaitFor(2));
  auto got = messages_.messages();
  EXPECT_EQ(got[0], (MessageLog::Message{"new", "after restart"}));
  EXPECT_EQ(got[1], (MessageLog::Message{"ch600", "old channel"}));
  EXPECT_EQ(states_.downs(), 1);
  io_.Run([&] { publisher.reset(); });
}

TEST_F(RedisSubscriberTest, StoppedRedisIsDetected) {
  ASSERT_NE(server_, nullptr);
  StartSubscriber({"a"});
  ASSERT_TRUE(WaitUntil([&] { return states_.ups() == 1; }, seconds(10)));
  server_->Pause();
  // The liveness probe goes unanswered: down within about command_timeout.
  ASSERT_TRUE(WaitUntil([&] { return states_.downs() == 1; }, seconds(10)));
  server_->Resume();
  ASSERT_TRUE(WaitUntil([&] { return states_.ups() == 2; }, seconds(10)));
  EXPECT_EQ(Publish("a", "again"), 1);
  ASSERT_TRUE(messages_.WaitFor(1));
}

}  // namespace
}  // namespace runnel::host
