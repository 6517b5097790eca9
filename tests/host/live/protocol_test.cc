#include "live/protocol.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

namespace runnel::host {
namespace {

using nlohmann::json;

TEST(DecodeCommandsTest, ConnectWithIdLast) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(
      DecodeCommands(R"({"connect":{"name":"js"},"id":1})", &commands, &error))
      << error;
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].id, 1u);
  EXPECT_EQ(commands[0].method, Method::kConnect);
}

TEST(DecodeCommandsTest, SeveralCommandsInOrder) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands(
      "{\"connect\":{},\"id\":5}\n"
      "{\"subscribe\":{\"channel\":\"1/ds/a/b\",\"data\":{\"x\":1}},\"id\":6}\n"
      "{\"unsubscribe\":{\"channel\":\"1/ds/a/b\"},\"id\":7}",
      &commands, &error));
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0].method, Method::kConnect);
  EXPECT_EQ(commands[1].method, Method::kSubscribe);
  EXPECT_EQ(commands[1].channel, "1/ds/a/b");
  EXPECT_EQ(json::parse(commands[1].data), json({{"x", 1}}));
  EXPECT_EQ(commands[2].method, Method::kUnsubscribe);
  EXPECT_EQ(commands[2].id, 7u);
}

TEST(DecodeCommandsTest, AllRequestFields) {
  const std::pair<const char*, Method> cases[] = {
      {"publish", Method::kPublish},
      {"presence", Method::kPresence},
      {"presence_stats", Method::kPresenceStats},
      {"history", Method::kHistory},
      {"rpc", Method::kRpc},
      {"refresh", Method::kRefresh},
      {"sub_refresh", Method::kSubRefresh},
      {"ping", Method::kPing},
  };
  for (const auto& [key, method] : cases) {
    std::vector<Command> commands;
    std::string error;
    std::string text = std::string("{\"id\":3,\"") + key + "\":{}}";
    ASSERT_TRUE(DecodeCommands(text, &commands, &error)) << key;
    EXPECT_EQ(commands[0].method, method) << key;
  }
}

TEST(DecodeCommandsTest, EmptyObjectIsPongAndSendHasNoId) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands("{}\n{\"send\":{\"data\":1}}", &commands, &error));
  ASSERT_EQ(commands.size(), 2u);
  EXPECT_EQ(commands[0].method, Method::kPong);
  EXPECT_EQ(commands[1].method, Method::kSend);
}

TEST(DecodeCommandsTest, UnknownFieldWithIdIsUnknown) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands(R"({"id":9,"frobnicate":{}})", &commands, &error));
  EXPECT_EQ(commands[0].method, Method::kUnknown);
  EXPECT_EQ(commands[0].id, 9u);
}

TEST(DecodeCommandsTest, RpcMethodAndData) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands(
      R"({"id":2,"rpc":{"method":"grafana.query","data":{"q":[1,2]}}})",
      &commands, &error));
  EXPECT_EQ(commands[0].rpc_method, "grafana.query");
  EXPECT_EQ(json::parse(commands[0].data), json::parse(R"({"q":[1,2]})"));
}

TEST(DecodeCommandsTest, BadFramesFail) {
  const char* bad[] = {"",
                       "\n\n",
                       "garbage",
                       "[1,2]",
                       "{\"id\":\"x\"}",
                       "{\"id\":-1,\"connect\":{}}",
                       "{\"connect\":{},\"id\":1}\nnot json",
                       "{\"id\":1,\"subscribe\":{\"channel\":5}}",
                       "{\"id\":1,\"subscribe\":[]}"};
  for (const char* frame : bad) {
    std::vector<Command> commands;
    std::string error;
    EXPECT_FALSE(DecodeCommands(frame, &commands, &error)) << frame;
    EXPECT_FALSE(error.empty()) << frame;
  }
}

TEST(DecodeCommandsTest, TrailingNewlineAndCrlfAreFine) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(
      DecodeCommands("{\"connect\":{},\"id\":1}\r\n", &commands, &error));
  EXPECT_EQ(commands.size(), 1u);
}

// Not a fuzzer, but the same idea: random mixes of JSON pieces and bytes
// must decode or fail cleanly, never crash.
TEST(DecodeCommandsTest, RandomInputNeverCrashes) {
  const char* pieces[] = {"{",
                          "}",
                          "\"id\":",
                          "1",
                          "-1",
                          "\"connect\"",
                          ":",
                          ",",
                          "{}",
                          "\n",
                          "\"subscribe\":{\"channel\":",
                          "\"1/ds/a/b\"",
                          "null",
                          "[",
                          "]",
                          "\"",
                          "\\",
                          "\xff",
                          "4294967296",
                          "\"data\":"};
  std::mt19937 rng(42);
  for (int round = 0; round < 20000; ++round) {
    std::string frame;
    int n = rng() % 12;
    for (int i = 0; i < n; ++i) frame += pieces[rng() % std::size(pieces)];
    std::vector<Command> commands;
    std::string error;
    if (!DecodeCommands(frame, &commands, &error)) {
      EXPECT_FALSE(error.empty());
    } else {
      EXPECT_FALSE(commands.empty());
    }
  }
}

// `depth` levels of `open`, a 1, then as many `close`.
std::string Nested(size_t depth, std::string_view open,
                   std::string_view close) {
  std::string out;
  out.reserve(depth * (open.size() + close.size()) + 1);
  for (size_t i = 0; i < depth; ++i) out.append(open);
  out.push_back('1');
  for (size_t i = 0; i < depth; ++i) out.append(close);
  return out;
}

// Regression: a connect whose `data` was nested ~75,000 deep crashed the
// host (stack overflow) when `data` was re-serialised recursively. Data
// now stays the raw bytes the client sent, found without recursion.
TEST(DecodeCommandsTest, MillionDeepArrayDataIsKeptRaw) {
  const std::string data = Nested(1 << 20, "[", "]");
  const std::string frame = R"({"id":1,"connect":{"data":)" + data + "}}";
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands(frame, &commands, &error)) << error;
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].method, Method::kConnect);
  EXPECT_EQ(commands[0].id, 1u);
  EXPECT_TRUE(commands[0].data == data) << "data was not kept byte for byte";
}

// The same with objects: a million levels in a message under 8 MB (the
// message_size_limit of the original report).
TEST(DecodeCommandsTest, MillionDeepObjectDataUnder8MbIsKeptRaw) {
  const std::string data = Nested(1 << 20, R"({"a":)", "}");
  const std::string frame =
      R"({"id":2,"publish":{"channel":"1/grafana/broadcast/x","data":)" + data +
      "}}";
  ASSERT_LE(frame.size(), 8u << 20);
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands(frame, &commands, &error)) << error;
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].method, Method::kPublish);
  EXPECT_EQ(commands[0].channel, "1/grafana/broadcast/x");
  EXPECT_TRUE(commands[0].data == data) << "data was not kept byte for byte";
}

TEST(DecodeCommandsTest, MillionDeepUnclosedDataIsRefused) {
  const std::string frame =
      R"({"id":1,"connect":{"data":)" + std::string(1 << 20, '[') + "}}";
  std::vector<Command> commands;
  std::string error;
  EXPECT_FALSE(DecodeCommands(frame, &commands, &error));
  EXPECT_FALSE(error.empty());
}

TEST(DecodeCommandsTest, DataIsTheClientsBytesAsSent) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands(
      R"({"id":3,"publish":{"data": {"s" : "}]\"{[", "n":[1, 2.50]} ,)"
      R"("channel":"1/grafana/broadcast/x"}})",
      &commands, &error))
      << error;
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].data, R"({"s" : "}]\"{[", "n":[1, 2.50]})");
  EXPECT_EQ(commands[0].channel, "1/grafana/broadcast/x");
}

TEST(DecodeCommandsTest, EscapedKeysAndLastDuplicateWin) {
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(DecodeCommands(
      R"({"i\u0064":7,"subscribe":{"ch\u0061nnel":"a\/b","channel":"1/c/d",)"
      R"("data":1,"data":"x"}})",
      &commands, &error))
      << error;
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].id, 7u);
  EXPECT_EQ(commands[0].method, Method::kSubscribe);
  EXPECT_EQ(commands[0].channel, "1/c/d");
  EXPECT_EQ(commands[0].data, R"("x")");
}

TEST(DecodeCommandsTest, IdMustBeAUint32) {
  for (const char* id : {"-1", "1.0", "1e2", "4294967296", "\"1\"", "[1]",
                         "99999999999999999999"}) {
    SCOPED_TRACE(id);
    std::vector<Command> commands;
    std::string error;
    EXPECT_FALSE(DecodeCommands(
        std::string(R"({"connect":{},"id":)") + id + "}", &commands, &error));
    EXPECT_EQ(error, "command id is not a uint32");
  }
  std::vector<Command> commands;
  std::string error;
  ASSERT_TRUE(
      DecodeCommands(R"({"connect":{},"id":4294967295})", &commands, &error));
  EXPECT_EQ(commands[0].id, 4294967295u);
}

TEST(EncodeTest, ConnectReply) {
  json reply = json::parse(EncodeConnectReply(4, "abc", 25, true));
  EXPECT_EQ(
      reply,
      json::parse(
          R"({"id":4,"connect":{"client":"abc","ping":25,"pong":true}})"));
}

TEST(EncodeTest, EveryResultObjectIsPresent) {
  EXPECT_EQ(EncodeSubscribeReply(2, ""), R"({"id":2,"subscribe":{}})");
  EXPECT_EQ(EncodeEmptyReply(3, "unsubscribe"), R"({"id":3,"unsubscribe":{}})");
  EXPECT_EQ(EncodeEmptyReply(3, "publish"), R"({"id":3,"publish":{}})");
  EXPECT_EQ(json::parse(EncodePresenceReply(5)),
            json::parse(R"({"id":5,"presence":{"presence":{}}})"));
  EXPECT_EQ(
      json::parse(EncodePresenceStatsReply(6)),
      json::parse(
          R"({"id":6,"presence_stats":{"num_clients":0,"num_users":0}})"));
}

TEST(EncodeTest, SubscribeReplyEmbedsRawData) {
  EXPECT_EQ(EncodeSubscribeReply(2, R"({"schema":{"fields":[]}})"),
            R"({"id":2,"subscribe":{"data":{"schema":{"fields":[]}}}})");
}

TEST(EncodeTest, ErrorReply) {
  EXPECT_EQ(
      json::parse(EncodeErrorReply(3, 400, "invalid \"channel\"", false)),
      json::parse(
          R"({"id":3,"error":{"code":400,"message":"invalid \"channel\""}})"));
  EXPECT_EQ(
      json::parse(EncodeErrorReply(3, 100, "x", true))["error"]["temporary"],
      true);
}

TEST(EncodeTest, PublicationPushStripsRawNewlines) {
  std::string push =
      EncodePublicationPush("1/ds/a/b", "{\n  \"v\": [1,\n2]\n}");
  EXPECT_EQ(push.find('\n'), std::string::npos);
  EXPECT_EQ(
      json::parse(push),
      json::parse(
          R"({"push":{"channel":"1/ds/a/b","pub":{"data":{"v":[1,2]}}}})"));
}

TEST(EncodeTest, JSONStringEscapes) {
  std::string out;
  AppendJSONString(std::string("a\"b\\c\nd\x01", 8), out);
  EXPECT_EQ(json::parse(out), std::string("a\"b\\c\nd\x01", 8));
}

}  // namespace
}  // namespace runnel::host
