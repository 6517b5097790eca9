// The Live server over real sockets, with the host's scope routing and a
// fake handler for plugin channels.
#include "live/server.h"

#include <absl/synchronization/mutex.h>
#include <absl/time/time.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "live_server_fixture.h"
#include "support/http_get.h"
#include "support/temp_dir.h"
#include "support/wait_until.h"
#include "support/ws_client.h"

namespace runnel::host {
namespace {

using nlohmann::json;
using ::runnel::testing::HttpGet;
using ::runnel::testing::HttpResult;
using ::runnel::testing::WaitUntil;
using ::runnel::testing::WsClient;
using namespace std::chrono_literals;

// Answers from its own threads, as the stream manager may.
class FakeChannelHandler : public ChannelHandler {
 public:
  ~FakeChannelHandler() override {
    std::lock_guard lock(mutex_);
    for (std::thread& t : threads_) t.join();
  }

  void OnSubscribe(const ClientIdentity& who, const std::string& wire_channel,
                   const LiveChannel& channel, const std::string& data,
                   std::function<void(SubscribeReply)> done) override {
    SubscribeReply reply;
    if (channel.path == "not-found") {
      reply.error_code = 404;
      reply.error_message = "Not Found";
    } else if (channel.path == "forbidden") {
      reply.error_code = 403;
      reply.error_message = "Forbidden";
    } else {
      reply.data =
          "{\"schema\":{\"fields\":[{\"name\":\"time\"}]},\n\"echo\":" +
          (data.empty() ? std::string("null") : data) + "}";
    }
    subscribes_++;
    last_client_ = who.client_id;
    (void)wire_channel;
    Later([done, reply] { done(reply); });
  }

  void OnPublish(const ClientIdentity&, const std::string&,
                 const LiveChannel& channel, const std::string& data,
                 std::function<void(PublishReply)> done) override {
    PublishReply reply;
    if (channel.path == "forbidden") {
      reply.error_code = 403;
      reply.error_message = "Forbidden";
    } else {
      reply.data = data;
    }
    Later([done, reply] { done(reply); });
  }

  std::atomic<int> subscribes_{0};
  std::string last_client_;

 private:
  void Later(std::function<void()> work) {
    std::lock_guard lock(mutex_);
    threads_.emplace_back(std::move(work));
  }
  std::mutex mutex_;  // guards threads_
  std::vector<std::thread> threads_;
};

class ServerTest : public ::runnel::host::testing::LiveServerTest {
 protected:
  void StartServer(const LiveConfig& config = TestConfig()) {
    LiveServerTest::StartServer(config, &handler_);
  }
  // Opens and connects a client; fails the test if that does not work.
  std::unique_ptr<WsClient> Connected(const WsClient::Options& options = {}) {
    auto client = std::make_unique<WsClient>();
    EXPECT_TRUE(client->Open(port_, options));
    EXPECT_TRUE(client->Connect({{"name", "js"}})["connect"].is_object());
    return client;
  }
  json Call(WsClient& client, const json& command) {
    EXPECT_TRUE(client.SendText(command.dump()));
    std::optional<json> reply = client.ReadReply();
    return reply ? *reply : json();
  }

  FakeChannelHandler handler_;  // ds/ and plugin/ channels
};

TEST_F(ServerTest, ConnectReplyFields) {
  StartServer();
  WsClient client;
  ASSERT_TRUE(client.Open(port_));
  EXPECT_EQ(client.accepted_subprotocol(), "");
  ASSERT_TRUE(client.SendText(R"({"connect":{"name":"js"},"id":41})"));
  std::optional<json> reply = client.ReadReply();
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["id"], 41);
  json connect = (*reply)["connect"];
  EXPECT_TRUE(connect["client"].is_string());
  EXPECT_GE(connect["client"].get<std::string>().size(), 32u);
  EXPECT_EQ(connect["ping"], 25);
  EXPECT_EQ(connect["pong"], true);
  EXPECT_EQ(server_->Stats().connections, 1u);
}

TEST_F(ServerTest, EchoesCentrifugeJSONSubprotocolOnlyWhenOffered) {
  StartServer();
  WsClient client;
  WsClient::Options options;
  options.subprotocol = "centrifuge-json";
  ASSERT_TRUE(client.Open(port_, options));
  EXPECT_EQ(client.accepted_subprotocol(), "centrifuge-json");
}

TEST_F(ServerTest, SeveralCommandsInOneFrameInOrder) {
  StartServer();
  WsClient client;
  ASSERT_TRUE(client.Open(port_));
  ASSERT_TRUE(client.SendText(
      "{\"connect\":{\"name\":\"js\"},\"id\":7}\n"
      "{\"subscribe\":{\"channel\":\"1/grafana/broadcast/x\"},\"id\":8}\n"
      "{\"subscribe\":{\"channel\":\"1/ds/testdata/random-20Hz-stream\"},"
      "\"id\":9}"));
  std::map<int, json> replies;
  for (int i = 0; i < 3; ++i) {
    std::optional<json> reply = client.ReadReply();
    ASSERT_TRUE(reply);
    replies[(*reply)["id"].get<int>()] = *reply;
  }
  EXPECT_TRUE(replies[7].contains("connect"));
  EXPECT_EQ(replies[8]["subscribe"], json::object());
  EXPECT_EQ(replies[9]["subscribe"]["data"]["schema"]["fields"][0]["name"],
            "time");
}

TEST_F(ServerTest, UnknownMethodIs104AndConnectionStays) {
  StartServer();
  auto client = Connected();
  json reply = Call(*client, {{"id", 2}, {"frobnicate", json::object()}});
  EXPECT_EQ(reply["error"]["code"], 104);
  reply = Call(*client, {{"id", 3}, {"rpc", {{"method", "grafana.query"}}}});
  EXPECT_EQ(reply["error"]["code"], 104);
  reply = Call(*client, {{"id", 4}, {"presence", {{"channel", "1/ds/a/b"}}}});
  EXPECT_EQ(reply["presence"]["presence"], json::object());
  reply =
      Call(*client, {{"id", 5}, {"presence_stats", {{"channel", "1/ds/a/b"}}}});
  EXPECT_EQ(reply["presence_stats"]["num_clients"], 0);
  EXPECT_EQ(reply["presence_stats"]["num_users"], 0);
}

TEST_F(ServerTest, InvalidChannelIs400AndConnectionStays) {
  StartServer();
  auto client = Connected();
  json reply = Call(
      *client, {{"id", 2}, {"subscribe", {{"channel", "1/ds/bad chan/x"}}}});
  EXPECT_EQ(reply["error"]["code"], 400);
  EXPECT_NE(
      reply["error"]["message"].get<std::string>().find("invalid channel ID"),
      std::string::npos);
  reply = Call(*client, {{"id", 3}, {"subscribe", {{"channel", "nonsense"}}}});
  EXPECT_EQ(reply["error"]["code"], 400);
  reply = Call(*client, {{"id", 4}, {"subscribe", {{"channel", "2/ds/a/b"}}}});
  EXPECT_EQ(reply["error"]["code"], 103);
  reply =
      Call(*client,
           {{"id", 5}, {"subscribe", {{"channel", "1/grafana/broadcast/x"}}}});
  EXPECT_TRUE(reply.contains("subscribe"));
  reply =
      Call(*client,
           {{"id", 6}, {"subscribe", {{"channel", "1/grafana/broadcast/x"}}}});
  EXPECT_EQ(reply["error"]["code"], 105);
}

TEST_F(ServerTest, ChannelLimitIs106AndLongChannelIs107) {
  LiveConfig config = TestConfig();
  config.client_channel_limit = 2;
  StartServer(config);
  auto client = Connected();
  for (int i = 0; i < 2; ++i) {
    json reply = Call(
        *client, {{"id", 10 + i},
                  {"subscribe",
                   {{"channel", "1/grafana/broadcast/" + std::to_string(i)}}}});
    ASSERT_TRUE(reply.contains("subscribe")) << reply.dump();
  }
  json reply =
      Call(*client,
           {{"id", 20}, {"subscribe", {{"channel", "1/grafana/broadcast/x"}}}});
  EXPECT_EQ(reply["error"]["code"], 106);
  reply = Call(
      *client,
      {{"id", 21},
       {"subscribe", {{"channel", "1/stream/a/" + std::string(300, 'p')}}}});
  EXPECT_EQ(reply["error"]["code"], 107);
  // An empty channel is a protocol error.
  ASSERT_TRUE(client->SendText(R"({"id":22,"subscribe":{"channel":""}})"));
  EXPECT_EQ(client->WaitClosed(), 3501);
}

TEST_F(ServerTest, HandlerErrorsMapToReplyCodes) {
  StartServer();
  auto client = Connected();
  json reply = Call(
      *client, {{"id", 2}, {"subscribe", {{"channel", "1/ds/uid/not-found"}}}});
  EXPECT_EQ(reply["error"]["code"], 404);
  reply = Call(*client, {{"id", 3},
                         {"subscribe", {{"channel", "1/plugin/x/forbidden"}}}});
  EXPECT_EQ(reply["error"]["code"], 403);
  EXPECT_EQ(reply["error"]["message"], "Forbidden");
  reply = Call(
      *client,
      {{"id", 4},
       {"publish", {{"channel", "1/ds/uid/forbidden"}, {"data", {{"a", 1}}}}}});
  EXPECT_EQ(reply["error"]["code"], 403);
  EXPECT_EQ(hub_.NumChannels(), 0u);
}

TEST_F(ServerTest, SubscribeReplyThenPublications) {
  StartServer();
  auto client = Connected();
  const std::string channel = "1/ds/testdata/random-20Hz-stream";
  json reply =
      Call(*client,
           {{"id", 2},
            {"subscribe", {{"channel", channel}, {"data", {{"buffer", 5}}}}}});
  ASSERT_TRUE(reply.contains("subscribe")) << reply.dump();
  EXPECT_EQ(reply["subscribe"]["data"]["echo"]["buffer"], 5);
  // The reply is queued just before the client joins the hub.
  ASSERT_TRUE(WaitUntil([&] { return hub_.NumSubscribers(channel) == 1; }, 5s));
  for (int i = 0; i < 3; ++i) {
    hub_.Publish(channel,
                 "{\"data\":{\"values\":[[" + std::to_string(i) + "]]}}");
  }
  for (int i = 0; i < 3; ++i) {
    std::optional<json> push = client->ReadReply();
    ASSERT_TRUE(push);
    EXPECT_FALSE(push->contains("id"));
    EXPECT_EQ((*push)["push"]["channel"], channel);
    EXPECT_EQ((*push)["push"]["pub"]["data"]["data"]["values"][0][0], i);
  }
  HttpResult list = HttpGet(port_, "/api/live/list");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body),
            json::parse(R"({"channels":[{"channel":")" + channel +
                        R"(","subscribers":1}]})"));
  LiveStats stats = server_->Stats();
  EXPECT_EQ(stats.subscriptions, 1u);
  EXPECT_EQ(stats.channels, 1u);
  EXPECT_EQ(stats.publications_in, 3u);
  EXPECT_EQ(stats.messages_out, 3u);

  // A publish through the handler comes back as a publication.
  reply = Call(*client,
               {{"id", 3},
                {"publish", {{"channel", channel}, {"data", {{"hello", 1}}}}}});
  std::optional<json> second = client->ReadReply();
  ASSERT_TRUE(second);
  json publish_reply = reply.contains("id") ? reply : *second;
  json push = reply.contains("id") ? *second : reply;
  EXPECT_EQ(publish_reply["publish"], json::object());
  EXPECT_EQ(push["push"]["pub"]["data"]["hello"], 1);

  reply = Call(*client, {{"id", 4}, {"unsubscribe", {{"channel", channel}}}});
  EXPECT_EQ(reply, json::parse(R"({"id":4,"unsubscribe":{}})"));
  EXPECT_EQ(hub_.NumSubscribers(channel), 0u);
}

// A hub link that holds the loop of a channel's first subscriber inside
// Hub::Subscribe (ChannelOccupied) until the test releases it or `limit`
// passes, and records which came first.
class JoinHolder : public HubLink {
 public:
  explicit JoinHolder(absl::Duration limit) : limit_(limit) {}
  void Forward(const std::string&, std::string_view) override {}
  void ChannelVacated(const std::string&) override {}
  void ChannelOccupied(const std::string&) override {
    absl::MutexLock lock(&mutex_);
    holding_ = true;
    mutex_.AwaitWithTimeout(absl::Condition(&released_), limit_);
    released_in_time_ = released_;
    holding_ = false;
    done_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mutex_);
    released_ = true;
  }
  bool holding() const {
    absl::MutexLock lock(&mutex_);
    return holding_;
  }
  bool done() const {
    absl::MutexLock lock(&mutex_);
    return done_;
  }
  bool released_in_time() const {
    absl::MutexLock lock(&mutex_);
    return released_in_time_;
  }

 private:
  const absl::Duration limit_;
  mutable absl::Mutex mutex_;
  bool holding_ ABSL_GUARDED_BY(mutex_) = false;
  bool released_ ABSL_GUARDED_BY(mutex_) = false;
  bool done_ ABSL_GUARDED_BY(mutex_) = false;
  bool released_in_time_ ABSL_GUARDED_BY(mutex_) = false;
};

class ServerOrderTest : public ServerTest {
 protected:
  // Held up to 1 s: long enough for the client to read a reply sent early.
  JoinHolder holder_{absl::Seconds(1)};  // outlives TearDown's shutdown
};

TEST_F(ServerOrderTest, SubscribeReplyComesOnlyOnceTheHubHasTheClient) {
  // A client may publish the moment it has the reply, and that publication
  // may be handled on another loop: the hub must already count the client.
  hub_.SetLink(&holder_);
  StartServer();
  auto client = Connected();
  const std::string channel = "1/grafana/broadcast/order";
  ASSERT_TRUE(client->SendText(
      json({{"id", 2}, {"subscribe", {{"channel", channel}}}}).dump()));
  std::optional<json> reply = client->ReadReply();
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->contains("subscribe")) << reply->dump();
  // The join is held until this release: if it ends the hold, the client
  // had the reply while the hub did not have the client yet.
  holder_.Release();
  ASSERT_TRUE(WaitUntil([&] { return holder_.done(); }, 5s));
  EXPECT_FALSE(holder_.released_in_time())
      << "the subscribe reply reached the client before the hub had it";
  EXPECT_EQ(hub_.NumSubscribers(channel), 1u);
}

class ServerLoopsTest : public ServerTest {
 protected:
  JoinHolder holder_{absl::Seconds(10)};  // outlives TearDown's shutdown
};

TEST_F(ServerLoopsTest, ConnectionsArrivingOneByOneTakeTurnsOverTheLoops) {
  // Two loops, connections one at a time: the first goes to loop 0 (which
  // also accepts), the second to loop 1, the third to loop 0 again. With
  // the second's loop held, the third still connects.
  hub_.SetLink(&holder_);
  LiveConfig config = TestConfig();
  config.io_threads = 2;
  StartServer(config);
  auto first = Connected();
  auto second = Connected();
  ASSERT_TRUE(second->SendText(
      json(
          {{"id", 2}, {"subscribe", {{"channel", "1/grafana/broadcast/hold"}}}})
          .dump()));
  ASSERT_TRUE(WaitUntil([&] { return holder_.holding(); }, 5s));
  auto third = Connected();
  holder_.Release();
  ASSERT_TRUE(WaitUntil([&] { return holder_.done(); }, 15s));
  EXPECT_TRUE(holder_.released_in_time())
      << "the third connection waited for the second one's loop";
}

TEST_F(ServerTest, BroadcastChannelRebroadcastsPublishes) {
  StartServer();
  auto a = Connected();
  auto b = Connected();
  const std::string channel = "1/grafana/broadcast/chat";
  ASSERT_TRUE(Call(*a, {{"id", 2}, {"subscribe", {{"channel", channel}}}})
                  .contains("subscribe"));
  ASSERT_TRUE(Call(*b, {{"id", 2}, {"subscribe", {{"channel", channel}}}})
                  .contains("subscribe"));
  ASSERT_TRUE(WaitUntil([&] { return hub_.NumSubscribers(channel) == 2; }, 5s));
  // The publisher is subscribed too: it gets the push and the reply.
  ASSERT_TRUE(a->SendText(
      json({{"id", 3},
            {"publish", {{"channel", channel}, {"data", {{"m", 1}}}}}})
          .dump()));
  bool got_reply = false, got_push = false;
  for (int i = 0; i < 2; ++i) {
    std::optional<json> reply = a->ReadReply();
    ASSERT_TRUE(reply);
    if (reply->contains("id")) {
      got_reply = (*reply)["publish"] == json::object();
    } else {
      got_push = (*reply)["push"]["pub"]["data"]["m"] == 1;
    }
  }
  EXPECT_TRUE(got_reply);
  EXPECT_TRUE(got_push);
  std::optional<json> push = b->ReadReply();
  ASSERT_TRUE(push);
  EXPECT_EQ((*push)["push"]["pub"]["data"]["m"], 1);
}

TEST_F(ServerTest, LargePublicationsArriveWholeInEveryHeaderSize) {
  // Payloads around the 126 and 65,536 byte header boundaries and well past
  // the socket buffer, so a write is taken in parts.
  LiveConfig config = TestConfig();
  config.message_size_limit = 4 * 1024 * 1024;
  StartServer(config);
  auto reader = Connected();
  auto publisher = Connected();
  const std::string channel = "1/grafana/broadcast/big";
  ASSERT_TRUE(Call(*reader, {{"id", 2}, {"subscribe", {{"channel", channel}}}})
                  .contains("subscribe"));
  ASSERT_TRUE(WaitUntil([&] { return hub_.NumSubscribers(channel) == 1; }, 5s));
  const std::vector<size_t> sizes = {
      100, 125, 126, 65000, 65535, 65536, 3 * 1024 * 1024};
  for (size_t i = 0; i < sizes.size(); ++i) {
    ASSERT_TRUE(publisher->SendText(
        json({{"id", 3 + i},
              {"publish",
               {{"channel", channel},
                {"data",
                 {{"i", i}, {"text", std::string(sizes[i], 'a' + i)}}}}}})
            .dump()));
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::optional<json> push = reader->ReadReply(10s);
    ASSERT_TRUE(push) << "publication " << i;
    const json& data = (*push)["push"]["pub"]["data"];
    ASSERT_EQ(data["i"], i);
    EXPECT_EQ(data["text"], std::string(sizes[i], 'a' + i));
  }
}

TEST_F(ServerTest, ThirdClientOverMaxConnectionsGets3504AfterConnectReply) {
  LiveConfig config = TestConfig();
  config.max_connections = 2;
  StartServer(config);
  auto a = Connected();
  auto b = Connected();
  WsClient c;
  ASSERT_TRUE(c.Open(port_));
  EXPECT_TRUE(c.Connect({{"name", "js"}})["connect"].is_object());
  EXPECT_EQ(c.WaitClosed(), 3504);
  EXPECT_EQ(c.close_reason(), "connection limit");
  // The first two are unaffected.
  EXPECT_TRUE(Call(*a, {{"id", 5}, {"presence", {{"channel", "1/ds/a/b"}}}})
                  .contains("presence"));
}

TEST_F(ServerTest, MaxConnectionsZeroDisablesLive) {
  LiveConfig config = TestConfig();
  config.max_connections = 0;
  StartServer(config);
  WsClient client;
  EXPECT_FALSE(client.Open(port_));
  EXPECT_EQ(client.http_status(), 503);
}

TEST_F(ServerTest, OversizedMessageCloses1009) {
  LiveConfig config = TestConfig();
  config.message_size_limit = 1024;
  StartServer(config);
  auto client = Connected();
  std::string big = R"({"id":2,"publish":{"channel":"1/ds/a/b","data":")" +
                    std::string(4096, 'x') + "\"}}";
  ASSERT_TRUE(client->SendText(big));
  EXPECT_EQ(client->WaitClosed(), 1009);
}

// Regression: with message_size_limit raised to 8 MB, a connect whose
// `data` nested deeply crashed the host (recursive re-serialisation). The
// connect is answered and the connection keeps working.
TEST_F(ServerTest, MillionDeepConnectDataUnder8MbIsAnswered) {
  LiveConfig config = TestConfig();
  config.message_size_limit = 8 << 20;
  StartServer(config);
  WsClient client;
  ASSERT_TRUE(client.Open(port_));
  std::string connect = R"({"id":1,"connect":{"data":)";
  for (int i = 0; i < (1 << 20); ++i) connect += R"({"a":)";
  connect += "1";
  connect += std::string(1 << 20, '}');
  connect += "}}";
  ASSERT_LE(connect.size(), 8u << 20);
  ASSERT_TRUE(client.SendText(connect));
  std::optional<json> reply = client.ReadReply(30s);
  ASSERT_TRUE(reply) << "no reply; closed with " << client.close_code();
  EXPECT_EQ((*reply)["id"], 1);
  EXPECT_TRUE((*reply)["connect"].is_object()) << reply->dump();
  // Unclosed nesting of the same depth is a bad request, not a crash.
  ASSERT_TRUE(client.SendText(R"({"id":2,"publish":{"data":)" +
                              std::string(1 << 20, '[') + "}}"));
  EXPECT_EQ(client.WaitClosed(30s), 3501);
  // The server still serves others.
  auto other = Connected();
  EXPECT_FALSE(other->closed());
}

TEST_F(ServerTest, GarbageCloses3501) {
  StartServer();
  auto client = Connected();
  ASSERT_TRUE(client->SendText("this is not json"));
  EXPECT_EQ(client->WaitClosed(), 3501);
  EXPECT_EQ(client->close_reason(), "bad request");
}

TEST_F(ServerTest, CommandBeforeConnectCloses3501) {
  StartServer();
  WsClient client;
  ASSERT_TRUE(client.Open(port_));
  ASSERT_TRUE(
      client.SendText(R"({"id":1,"subscribe":{"channel":"1/ds/a/b"}})"));
  EXPECT_EQ(client.WaitClosed(), 3501);
}

TEST_F(ServerTest, SecondConnectCloses3501) {
  StartServer();
  auto client = Connected();
  ASSERT_TRUE(client->SendText(R"({"connect":{},"id":9})"));
  EXPECT_EQ(client->WaitClosed(), 3501);
}

TEST_F(ServerTest, SilentClientCloses3502) {
  LiveConfig config = TestConfig();
  config.stale_close_delay = 200ms;
  StartServer(config);
  WsClient client;
  ASSERT_TRUE(client.Open(port_));
  EXPECT_EQ(client.WaitClosed(), 3502);
  EXPECT_EQ(client.close_reason(), "stale");
}

TEST_F(ServerTest, MissingPongCloses3012) {
  LiveConfig config = TestConfig();
  config.ping_interval = 200ms;
  config.pong_timeout = 200ms;
  StartServer(config);
  WsClient::Options no_pong;  // the test answers (or not) itself
  no_pong.auto_pong = false;
  auto client = Connected(no_pong);
  std::optional<json> ping = client->ReadReply();
  ASSERT_TRUE(ping);
  EXPECT_EQ(*ping, json::object());
  EXPECT_EQ(client->WaitClosed(), 3012);
  EXPECT_EQ(client->close_reason(), "no pong");
}

TEST_F(ServerTest, AnsweredPingsKeepTheConnection) {
  LiveConfig config = TestConfig();
  config.ping_interval = 100ms;
  config.pong_timeout = 300ms;
  StartServer(config);
  WsClient::Options no_pong;  // the test answers (or not) itself
  no_pong.auto_pong = false;
  auto client = Connected(no_pong);
  for (int i = 0; i < 3; ++i) {
    std::optional<json> ping = client->ReadReply();
    ASSERT_TRUE(ping);
    ASSERT_EQ(*ping, json::object());
    ASSERT_TRUE(client->SendText("{}"));
  }
  // An unsolicited pong is a protocol error.
  ASSERT_TRUE(client->SendText("{}"));
  ASSERT_TRUE(client->SendText("{}"));
  EXPECT_EQ(client->WaitClosed(), 3501);
}

TEST_F(ServerTest, NeverReadingClientGets3008OthersGetEverything) {
  LiveConfig config = TestConfig();
  config.client_queue_max_size = 64 * 1024;
  // The close frame waits behind the write the client is not reading; the
  // test reads only at the end, so the hard-drop deadline must not fire.
  config.close_handshake_timeout = 60s;
  StartServer(config);
  const std::string channel = "1/grafana/broadcast/firehose";
  WsClient slow;
  WsClient::Options options;
  options.receive_buffer = 4096;
  ASSERT_TRUE(slow.Open(port_, options));
  ASSERT_TRUE(slow.Connect({{"name", "js"}})["connect"].is_object());
  ASSERT_TRUE(Call(slow, {{"id", 2}, {"subscribe", {{"channel", channel}}}})
                  .contains("subscribe"));
  auto fast = Connected();
  ASSERT_TRUE(Call(*fast, {{"id", 2}, {"subscribe", {{"channel", channel}}}})
                  .contains("subscribe"));

  ASSERT_TRUE(WaitUntil([&] { return hub_.NumSubscribers(channel) == 2; }, 5s));
  constexpr int kMessages = 4000;
  const std::string payload = "\"" + std::string(4000, 'p') + "\"";
  std::atomic<int> received{0};
  std::atomic<bool> reader_failed{false};
  std::thread reader([&] {
    while (received < kMessages) {
      std::optional<json> push = fast->ReadReply(10s);
      if (!push) {
        reader_failed = true;
        return;
      }
      if (push->contains("push")) ++received;
    }
  });
  // Keep the reading client within a few messages so only the one that
  // never reads falls behind.
  for (int i = 0; i < kMessages && !reader_failed; ++i) {
    hub_.Publish(channel, payload);
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (i + 1 - received > 4 && !reader_failed &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100us);
    }
  }
  reader.join();
  EXPECT_FALSE(reader_failed);
  EXPECT_EQ(received, kMessages);
  size_t seen = 0;
  EXPECT_EQ(slow.WaitClosed(10s, &seen), 3008);
  EXPECT_EQ(slow.close_reason(), "slow");
  EXPECT_LT(seen, static_cast<size_t>(kMessages));
  EXPECT_EQ(server_->Stats().slow_disconnects, 1u);
}

TEST_F(ServerTest, ClientThatIgnoresTheCloseHandshakeIsDropped) {
  LiveConfig config = TestConfig();
  config.ping_interval = 100ms;
  config.pong_timeout = 100ms;
  config.close_handshake_timeout = 200ms;
  StartServer(config);
  WsClient::Options no_pong;
  no_pong.auto_pong = false;
  auto client = Connected(no_pong);
  ASSERT_EQ(server_->Stats().connections, 1u);
  // The client never reads again, never pongs and never answers the close
  // frame (3012): the server must still let go of it.
  EXPECT_TRUE(WaitUntil([&] { return server_->Stats().connections == 0; }, 5s));
}

TEST_F(ServerTest, OriginCheck) {
  LiveConfig config = TestConfig();
  config.allowed_origins = {"https://*.example.com"};
  StartServer(config);
  {
    WsClient client;
    WsClient::Options options;
    options.origin = "http://evil.example";
    EXPECT_FALSE(client.Open(port_, options));
    EXPECT_EQ(client.http_status(), 403);
  }
  {
    WsClient client;
    EXPECT_TRUE(client.Open(port_));  // no Origin
  }
  {
    WsClient client;
    WsClient::Options options;
    options.origin = "https://app.example.com";
    EXPECT_TRUE(client.Open(port_, options));
  }
  {
    WsClient client;
    WsClient::Options options;
    options.origin = "http://localhost:3000";  // root_url
    EXPECT_TRUE(client.Open(port_, options));
  }
}

TEST_F(ServerTest, ShutdownCloses3001) {
  StartServer();
  auto client = Connected();
  std::thread stopper([this] { server_->Shutdown(); });
  EXPECT_EQ(client->WaitClosed(), 3001);
  EXPECT_EQ(client->close_reason(), "shutdown");
  stopper.join();
}

TEST_F(ServerTest, HttpRoutesAndStaticFiles) {
  LiveConfig config = TestConfig();
  ::runnel::testing::TempDir dir;
  const std::string& root = dir.path();
  { std::ofstream(root + "/index.html") << "<p>panel</p>"; }
  config.static_root = root;
  server_ = std::make_unique<Server>(config, hub_, Scopes(&handler_));
  server_->HandleGet("/api/health", [](const HttpRequest& request) {
    HttpResponse response;
    response.body = "{\"path\":\"" + request.path + "\"}";
    return response;
  });
  ASSERT_TRUE(server_->Start().ok());
  port_ = server_->port();
  HttpResult health = HttpGet(port_, "/api/health?x=1");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"path":"/api/health"})");
  HttpResult index = HttpGet(port_, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<p>panel</p>");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HttpGet(port_, "/api/nope").status, 404);
  EXPECT_EQ(HttpGet(port_, "/missing.js").status, 404);
}

}  // namespace
}  // namespace runnel::host
