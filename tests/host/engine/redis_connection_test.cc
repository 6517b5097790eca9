// RedisConnection against a real redis-server: every reply type, binary
// data, pipelining, AUTH, and what happens when Redis dies, restarts,
// stops answering, or the client is stopped with commands in flight.
#include "engine/redis_connection.h"

#include <absl/synchronization/mutex.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "io_thread.h"
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

// The replies a test's commands got, in the order they came.
class ReplyLog {
 public:
  RedisConnection::ReplyCallback Callback() {
    return [this](const RedisReply& reply) {
      absl::MutexLock lock(&mutex_);
      replies_.push_back(reply);
    };
  }
  size_t size() const {
    absl::MutexLock lock(&mutex_);
    return replies_.size();
  }
  std::vector<RedisReply> replies() const {
    absl::MutexLock lock(&mutex_);
    return replies_;
  }
  bool WaitFor(size_t count, milliseconds timeout = seconds(10)) const {
    return WaitUntil([&] { return size() >= count; }, timeout, milliseconds(2));
  }

 private:
  mutable absl::Mutex mutex_;
  std::vector<RedisReply> replies_ ABSL_GUARDED_BY(mutex_);
};

class RedisConnectionTest : public ::testing::Test {
 protected:
  void StartClient(RedisOptions options) {
    io_.Run([&] {
      client_ = std::make_unique<RedisConnection>(io_.io(), std::move(options),
                                                  states_.Callback());
      client_->Start();
    });
  }
  void StartClient() { StartClient(QuickOptions(server_->port())); }

  void TearDown() override {
    io_.Run([&] { client_.reset(); });
  }

  // Sends one command and waits for its reply.
  RedisReply Call(std::vector<std::string> args) {
    ReplyLog log;
    io_.Run([&] { client_->Command(std::move(args), log.Callback()); });
    EXPECT_TRUE(log.WaitFor(1));
    return log.size() == 1 ? log.replies()[0] : RedisReply::Error("no reply");
  }

  bool WaitUp(int ups) {
    return WaitUntil([&] { return states_.ups() >= ups; }, seconds(10));
  }

  std::unique_ptr<RedisServer> server_ = RedisServer::Start();
  IoThread io_;
  StateRecorder states_;
  std::unique_ptr<RedisConnection> client_;
};

TEST_F(RedisConnectionTest, EveryReplyType) {
  ASSERT_NE(server_, nullptr);
  StartClient();
  ASSERT_TRUE(WaitUp(1));
  EXPECT_TRUE(io_.Run([&] { return client_->up(); }));

  RedisReply ok = Call({"SET", "k", "v"});
  EXPECT_EQ(ok.type, RedisReply::Type::kStatus);
  EXPECT_EQ(ok.str, "OK");
  RedisReply value = Call({"GET", "k"});
  EXPECT_EQ(value.type, RedisReply::Type::kString);
  EXPECT_EQ(value.str, "v");
  EXPECT_EQ(Call({"GET", "missing"}).type, RedisReply::Type::kNil);
  RedisReply count = Call({"INCRBY", "n", "-42"});
  EXPECT_EQ(count.type, RedisReply::Type::kInteger);
  EXPECT_EQ(count.integer, -42);
  Call({"RPUSH", "list", "a", "b"});
  RedisReply list = Call({"LRANGE", "list", "0", "-1"});
  ASSERT_EQ(list.type, RedisReply::Type::kArray);
  ASSERT_EQ(list.elements.size(), 2u);
  EXPECT_EQ(list.elements[1].str, "b");
  RedisReply error = Call({"NOSUCHCOMMAND"});
  EXPECT_TRUE(error.error());
  EXPECT_EQ(error.str.rfind("ERR", 0), 0u) << error.str;
}

TEST_F(RedisConnectionTest, BinarySafeArgumentsAndReplies) {
  ASSERT_NE(server_, nullptr);
  StartClient();
  ASSERT_TRUE(WaitUp(1));
  const std::string key("k\0e\r\ny", 6);
  std::string value("\0\x01\xff\r\n$3\r\n", 10);
  value += std::string(100000, '\0');
  EXPECT_EQ(Call({"SET", key, value}).str, "OK");
  RedisReply got = Call({"GET", key});
  EXPECT_EQ(got.type, RedisReply::Type::kString);
  EXPECT_EQ(got.str, value);
  EXPECT_EQ(Call({"STRLEN", key}).integer, static_cast<int64_t>(value.size()));
}

TEST_F(RedisConnectionTest, PipelinedRepliesComeInOrder) {
  ASSERT_NE(server_, nullptr);
  StartClient();
  ASSERT_TRUE(WaitUp(1));
  constexpr int kCommands = 1000;
  ReplyLog log;
  // All sent in one go on the io thread: none waits for an earlier reply.
  io_.Run([&] {
    for (int i = 0; i < kCommands; ++i) {
      client_->Command({"ECHO", std::to_string(i)}, log.Callback());
    }
  });
  ASSERT_TRUE(log.WaitFor(kCommands));
  std::vector<RedisReply> replies = log.replies();
  for (int i = 0; i < kCommands; ++i) {
    ASSERT_EQ(replies[i].str, std::to_string(i)) << "reply " << i;
  }
}

TEST_F(RedisConnectionTest, CommandsFailAtOnceWhenNotUp) {
  ASSERT_NE(server_, nullptr);
  server_->Stop();  // nothing listens on its port now
  StartClient();
  ReplyLog log;
  size_t inline_replies = io_.Run([&] {
    client_->Command({"PING"}, log.Callback());
    client_->Command({"GET", "k"}, log.Callback());
    return log.size();  // posted, so none yet
  });
  EXPECT_EQ(inline_replies, 0u);
  ASSERT_TRUE(log.WaitFor(2));
  for (const RedisReply& reply : log.replies()) {
    EXPECT_TRUE(reply.error());
    EXPECT_EQ(reply.str, "ERR not connected");
  }
  EXPECT_EQ(states_.ups(), 0);
}

TEST_F(RedisConnectionTest, PubSubCommandsAreRefused) {
  ASSERT_NE(server_, nullptr);
  StartClient();
  ASSERT_TRUE(WaitUp(1));
  EXPECT_EQ(Call({"subscribe", "a"}).str,
            "ERR not a command for RedisConnection");
  EXPECT_EQ(Call({"MONITOR"}).str, "ERR not a command for RedisConnection");
  EXPECT_EQ(Call({}).str, "ERR not a command for RedisConnection");
  EXPECT_EQ(Call({"PING"}).str, "PONG");  // the connection is unharmed
}

// A client with `password` for a server that requires "s3cret"; started
// on `io`, its states in `states`.
struct AuthCase {
  std::unique_ptr<RedisServer> server;
  std::unique_ptr<RedisConnection> client;
};

AuthCase StartAuthCase(IoThread& io, StateRecorder& states,
                       const std::string& password) {
  AuthCase test;
  RedisServer::Options server_options;
  server_options.password = "s3cret";
  test.server = RedisServer::Start(server_options);
  if (test.server == nullptr) return test;
  RedisOptions options = QuickOptions(test.server->port());
  options.password = password;
  io.Run([&] {
    test.client =
        std::make_unique<RedisConnection>(io.io(), options, states.Callback());
    test.client->Start();
  });
  return test;
}

TEST(RedisConnectionAuthTest, GoodPasswordWorks) {
  IoThread io;
  StateRecorder states;
  AuthCase test = StartAuthCase(io, states, "s3cret");
  ASSERT_NE(test.server, nullptr);
  std::unique_ptr<RedisConnection>& client = test.client;
  ASSERT_TRUE(WaitUntil([&] { return states.ups() == 1; }, seconds(10)));
  ReplyLog log;
  io.Run([&] { client->Command({"SET", "a", "1"}, log.Callback()); });
  ASSERT_TRUE(log.WaitFor(1));
  EXPECT_EQ(log.replies()[0].str, "OK");
  io.Run([&] { client.reset(); });
}

TEST(RedisConnectionAuthTest, WrongPasswordIsNeverUp) {
  IoThread io;
  StateRecorder states;
  AuthCase test = StartAuthCase(io, states, "wrong");
  ASSERT_NE(test.server, nullptr);
  RedisServer* server = test.server.get();
  std::unique_ptr<RedisConnection>& client = test.client;
  // Several refused attempts (the server counts the connections), and the
  // client is still not up.
  auto connections = [&] {
    std::optional<testing::RespValue> info = server->Query({"INFO", "stats"});
    if (!info) return 0L;
    const std::string key = "total_connections_received:";
    size_t at = info->text.find(key);
    return at == std::string::npos
               ? 0L
               : std::strtol(info->text.c_str() + at + key.size(), nullptr, 10);
  };
  const long before = connections();
  ASSERT_TRUE(
      WaitUntil([&] { return connections() >= before + 4; }, seconds(10)));
  EXPECT_EQ(states.ups(), 0);
  EXPECT_FALSE(io.Run([&] { return client->up(); }));
  ReplyLog log;
  io.Run([&] { client->Command({"PING"}, log.Callback()); });
  ASSERT_TRUE(log.WaitFor(1));
  EXPECT_EQ(log.replies()[0].str, "ERR not connected");
  io.Run([&] { client.reset(); });
}

TEST_F(RedisConnectionTest, KilledThenRestartedOnTheSamePort) {
  ASSERT_NE(server_, nullptr);
  StartClient();
  ASSERT_TRUE(WaitUp(1));
  EXPECT_EQ(Call({"SET", "k", "1"}).str, "OK");

  server_->Stop();
  ASSERT_TRUE(WaitUntil([&] { return states_.downs() == 1; }, seconds(10)));
  EXPECT_EQ(Call({"GET", "k"}).str, "ERR not connected");

  ASSERT_TRUE(server_->Restart());
  ASSERT_TRUE(WaitUp(2));
  // The restarted server is empty (nothing persisted).
  EXPECT_EQ(Call({"GET", "k"}).type, RedisReply::Type::kNil);
  EXPECT_EQ(Call({"SET", "k", "2"}).str, "OK");
  // Every failed retry while it was down stayed silent.
  EXPECT_EQ(states_.downs(), 1);
  EXPECT_EQ(states_.ups(), 2);
}

TEST_F(RedisConnectionTest, InFlightCommandsFailWhenRedisDies) {
  ASSERT_NE(server_, nullptr);
  StartClient();
  ASSERT_TRUE(WaitUp(1));
  ReplyLog log;
  server_->Pause();  // so the commands stay in flight
  io_.Run([&] {
    for (int i = 0; i < 5; ++i) client_->Command({"PING"}, log.Callback());
  });
  server_->Stop();
  ASSERT_TRUE(log.WaitFor(5));
  for (const RedisReply& reply : log.replies()) EXPECT_TRUE(reply.error());
  ASSERT_TRUE(WaitUntil([&] { return states_.downs() == 1; }, seconds(10)));
}

TEST_F(RedisConnectionTest, StoppedRedisIsDetectedByTheCommandTimeout) {
  ASSERT_NE(server_, nullptr);
  RedisOptions options = QuickOptions(server_->port());
  options.command_timeout = milliseconds(500);
  options.ping_interval = milliseconds(100);
  StartClient(options);
  ASSERT_TRUE(WaitUp(1));

  // Idle: only the PING notices. The TCP connection stays open.
  server_->Pause();
  const auto paused = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitUntil([&] { return states_.downs() == 1; }, seconds(10)));
  const auto detected = std::chrono::steady_clock::now() - paused;
  // command_timeout + ping_interval + a tick, with room for a loaded box.
  EXPECT_LT(detected, milliseconds(2500));
  EXPECT_GE(detected, milliseconds(500));

  server_->Resume();
  ASSERT_TRUE(WaitUp(2));
  EXPECT_EQ(Call({"PING"}).str, "PONG");
}

TEST_F(RedisConnectionTest, StopAnswersEveryCommandInFlight) {
  ASSERT_NE(server_, nullptr);
  StartClient();
  ASSERT_TRUE(WaitUp(1));
  ReplyLog log;
  server_->Pause();  // no replies: everything stays pending
  size_t answered_in_stop = io_.Run([&] {
    for (int i = 0; i < 10; ++i) {
      client_->Command({"SET", "k", std::to_string(i)}, log.Callback());
    }
    client_->Stop();
    // Refused while stopped (posted), then a second Stop answers it too.
    client_->Command({"PING"}, log.Callback());
    client_->Stop();
    return log.size();
  });
  EXPECT_EQ(answered_in_stop, 11u);
  for (const RedisReply& reply : log.replies()) EXPECT_TRUE(reply.error());
  // No callback after Stop: let the io thread run a while, nothing comes.
  io_.Run([] {});
  server_->Resume();
  EXPECT_EQ(log.size(), 11u);
  EXPECT_EQ(states_.downs(), 0);  // Stop() is not reported as a drop
}

}  // namespace
}  // namespace runnel::host
