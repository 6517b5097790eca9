// Unit tests of the load generator's parsers: send-time extraction, line
// sorting per protocol, WebSocket framing, the latency histogram, and the
// push body, and the slowest-subscriber count that paces the pusher.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "delivery_progress.h"
#include "latency_histogram.h"
#include "options.h"
#include "protocol.h"
#include "pusher.h"
#include "ws_codec.h"

namespace runnel::loadgen {
namespace {

TEST(ExtractSendNanos, TakesLastNumberOfValues) {
  int64_t nanos = 0;
  ASSERT_TRUE(ExtractSendNanos(
      R"({"data":{"values":[[1700000000000],[0.25],[1700000000123456789]]}})",
      &nanos));
  EXPECT_EQ(nanos, 1700000000123456789);
}

TEST(ExtractSendNanos, IgnoresStringsAndSchema) {
  int64_t nanos = 0;
  ASSERT_TRUE(ExtractSendNanos(
      R"({"schema":{"fields":[{"name":"a]"}]},"data":{"values":[["x]9"],[42]]}})",
      &nanos));
  EXPECT_EQ(nanos, 42);
}

TEST(ExtractSendNanos, InsideCentrifugePush) {
  int64_t nanos = 0;
  ASSERT_TRUE(ExtractSendNanos(
      R"({"push":{"channel":"1/plugin/testdata/bench/20hz","pub":{"data":{"data":{"values":[[1],[2],[3]]}}}}})",
      &nanos));
  EXPECT_EQ(nanos, 3);
}

TEST(ExtractSendNanos, ManyRowsWithNanosAndFloatEncoding) {
  int64_t nanos = 0;
  ASSERT_TRUE(ExtractSendNanos(
      R"({"push":{"channel":"1/stream/b/bench","pub":{"data":{"data":)"
      R"({"values":[["a=1","a=2"],[1,2],[1.7000000001234568e+18,)"
      R"(1.7000000001234568e+18]],"nanos":[null,[5,6],null]}}}}})",
      &nanos));
  EXPECT_EQ(nanos, 1700000000123456768);
}

TEST(ExtractSendNanos, MissingValues) {
  int64_t nanos = 0;
  EXPECT_FALSE(ExtractSendNanos(R"({"data":{}})", &nanos));
  EXPECT_FALSE(ExtractSendNanos(R"({"values":[]})", &nanos));
}

TEST(ClassifyLine, V2) {
  EXPECT_EQ(ClassifyLine(Protocol::kCentrifugeV2, "{}").kind, LineKind::kPing);
  const Line reply =
      ClassifyLine(Protocol::kCentrifugeV2, R"({"id":2,"subscribe":{}})");
  EXPECT_EQ(reply.kind, LineKind::kReply);
  EXPECT_EQ(reply.id, 2u);
  EXPECT_EQ(ClassifyLine(Protocol::kCentrifugeV2,
                         R"({"id":1,"error":{"code":100,"message":"x"}})")
                .kind,
            LineKind::kErrorReply);
  EXPECT_EQ(ClassifyLine(
                Protocol::kCentrifugeV2,
                R"({"push":{"channel":"c","pub":{"data":{"values":[[1]]}}}})")
                .kind,
            LineKind::kPublication);
  EXPECT_EQ(
      ClassifyLine(Protocol::kCentrifugeV2,
                   R"({"push":{"channel":"c","unsubscribe":{"code":2000}}})")
          .kind,
      LineKind::kOtherPush);
}

TEST(ClassifyLine, V1) {
  const Line reply = ClassifyLine(Protocol::kCentrifugeV1,
                                  R"({"id":1,"result":{"client":"x"}})");
  EXPECT_EQ(reply.kind, LineKind::kReply);
  EXPECT_EQ(reply.id, 1u);
  EXPECT_EQ(ClassifyLine(Protocol::kCentrifugeV1,
                         R"({"result":{"channel":"c","data":{"data":{}}}})")
                .kind,
            LineKind::kPublication);
  EXPECT_EQ(ClassifyLine(Protocol::kCentrifugeV1,
                         R"({"result":{"type":1,"channel":"c","data":{}}})")
                .kind,
            LineKind::kOtherPush);
  EXPECT_EQ(ClassifyLine(Protocol::kCentrifugeV1,
                         R"({"id":2,"error":{"code":103,"message":"x"}})")
                .kind,
            LineKind::kErrorReply);
}

TEST(Commands, Text) {
  EXPECT_EQ(ConnectCommand(Protocol::kCentrifugeV2),
            R"({"connect":{"name":"js"},"id":1})");
  EXPECT_EQ(SubscribeCommand(Protocol::kCentrifugeV2, "1/plugin/testdata/x"),
            R"({"subscribe":{"channel":"1/plugin/testdata/x"},"id":2})");
  EXPECT_EQ(SubscribeCommand(Protocol::kCentrifugeV1, "bench"),
            R"({"id":2,"method":1,"params":{"channel":"bench"}})");
  EXPECT_TRUE(ConnectCommand(Protocol::kPlain).empty());
}

TEST(WsCodec, ClientFrameRoundTripsThroughParser) {
  for (size_t size : {0u, 5u, 125u, 126u, 70000u}) {
    const std::string payload(size, 'x');
    std::string wire;
    AppendClientFrame(WsOpcode::kText, payload, &wire);
    WsFrame frame;
    // Incomplete input asks for more.
    EXPECT_EQ(ParseServerFrame(wire.data(), wire.size() - 1, 1 << 20, &frame),
              0);
    ASSERT_EQ(ParseServerFrame(wire.data(), wire.size(), 1 << 20, &frame),
              static_cast<long>(wire.size()));
    EXPECT_TRUE(frame.fin);
    EXPECT_EQ(frame.opcode, WsOpcode::kText);
    EXPECT_EQ(frame.payload, payload);
  }
}

TEST(WsCodec, RejectsOversizeAndReservedBits) {
  std::string wire;
  AppendClientFrame(WsOpcode::kText, std::string(300, 'a'), &wire);
  WsFrame frame;
  EXPECT_EQ(ParseServerFrame(wire.data(), wire.size(), 100, &frame), -1);
  char reserved[] = {static_cast<char>(0xC1), 0x00};
  EXPECT_EQ(ParseServerFrame(reserved, 2, 100, &frame), -1);
}

TEST(WsCodec, FrameSizeFromTheHeaderAlone) {
  for (size_t size : {0, 125, 126, 70000}) {
    std::string wire;
    AppendClientFrame(WsOpcode::kText, std::string(size, 'a'), &wire);
    // Masked client frames exercise the mask bytes too.
    EXPECT_EQ(ServerFrameSize(wire.data(), wire.size()), wire.size());
    const size_t header = wire.size() - size;
    EXPECT_EQ(ServerFrameSize(wire.data(), header - 4), wire.size());
    EXPECT_EQ(ServerFrameSize(wire.data(), header == 6 ? 1 : 3), 0u);
  }
}

TEST(WsCodec, UpgradeResponse) {
  size_t head = 0;
  EXPECT_EQ(ParseUpgradeResponse("HTTP/1.1 101 Switching", &head),
            UpgradeResult::kIncomplete);
  const std::string ok =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
      "websocket\r\n\r\n\x81\x02{}";
  EXPECT_EQ(ParseUpgradeResponse(ok, &head), UpgradeResult::kAccepted);
  EXPECT_EQ(ok.substr(head), "\x81\x02{}");
  EXPECT_EQ(ParseUpgradeResponse("HTTP/1.1 404 Not Found\r\n\r\n", &head),
            UpgradeResult::kRejected);
}

TEST(LatencyHistogram, PercentilesWithinPrecision) {
  LatencyHistogram histogram;
  for (int i = 1; i <= 1000; ++i) histogram.Record(int64_t{i} * 1000000);
  EXPECT_EQ(histogram.Count(), 1000u);
  EXPECT_NEAR(histogram.Percentile(0.5), 500e6, 500e6 * 0.04);
  EXPECT_NEAR(histogram.Percentile(0.99), 990e6, 990e6 * 0.04);
  EXPECT_EQ(histogram.MaxNanos(), 1000000000);
}

TEST(LatencyHistogram, SerializeParseMerge) {
  LatencyHistogram a, b;
  a.Record(10);
  a.Record(5000);
  b.Record(7000000);
  LatencyHistogram parsed;
  ASSERT_TRUE(parsed.Parse(a.Serialize()));
  parsed.Merge(b);
  EXPECT_EQ(parsed.Count(), 3u);
  EXPECT_EQ(parsed.MaxNanos(), 7000000);
  EXPECT_FALSE(parsed.Parse("garbage"));
  EXPECT_EQ(parsed.Count(), 3u);
}

TEST(PushBody, StampsEveryLine) {
  PushBody body = MakePushBody(3);
  StampPushBody(1700000000123456789, &body);
  EXPECT_EQ(body.text,
            "bench,host=h00,region=r0 bytes=0i,count=0i,load=0.00,"
            "sent_ns=1700000000123456789 1700000000121000000\n"
            "bench,host=h01,region=r1 bytes=7919i,count=1i,load=0.01,"
            "sent_ns=1700000000123456789 1700000000122000000\n"
            "bench,host=h02,region=r2 bytes=15838i,count=2i,load=0.02,"
            "sent_ns=1700000000123456789 1700000000123000000\n");
}

// A publication of the publish body, as a v2 client receives it, gives
// back the send time it was stamped with.
TEST(PublishBody, StampReadBackFromThePush) {
  PushBody body = MakePublishBody("grafana/broadcast/bench");
  StampPushBody(1700000000123456789, &body);
  EXPECT_EQ(body.text,
            R"({"channel":"grafana/broadcast/bench","data":{"values":)"
            R"([[1700000000123456789]]}})");
  const std::string push =
      R"({"push":{"channel":"1/grafana/broadcast/bench","pub":{"data":)"
      R"({"values":[[1700000000123456789]]}}}})";
  int64_t nanos = 0;
  ASSERT_TRUE(ExtractSendNanos(push, &nanos));
  EXPECT_EQ(nanos, 1700000000123456789);
}

// ParseOptions over `args` (argv without the program name).
bool Parse(std::vector<std::string> args, Options* options,
           std::string* error) {
  args.insert(args.begin(), "loadgen");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), options,
                      error);
}

TEST(Options, UrlsRepeatAndPublishNeedsAChannel) {
  std::vector<std::string> args = {
      "--url",         "ws://127.0.0.1:1001/api/live/ws",
      "--url",         "ws://127.0.0.1:1002/x",
      "--channel",     "1/grafana/broadcast/bench",
      "--publish-url", "http://127.0.0.1:1001/api/live/publish"};
  Options options;
  std::string error;
  ASSERT_FALSE(Parse(args, &options, &error));
  EXPECT_NE(error.find("--publish-channel"), std::string::npos) << error;

  args.insert(args.end(), {"--publish-channel", "grafana/broadcast/bench"});
  options = Options{};
  ASSERT_TRUE(Parse(args, &options, &error)) << error;
  ASSERT_EQ(options.urls.size(), 2u);
  EXPECT_EQ(options.urls[1].port, 1002);
  EXPECT_EQ(options.urls[1].path, "/x");
  EXPECT_EQ(options.push_kind, PushKind::kPublish);
  EXPECT_EQ(options.push_connections, 1);
  EXPECT_EQ(options.push_lines, 1);
  EXPECT_EQ(options.push_target, "/api/live/publish");
}

TEST(SlowestSubscriber, FollowsTheSlowestOfAll) {
  SlowestSubscriber slowest;
  EXPECT_EQ(slowest.Min(), kNoSubscriber);
  slowest.Add(5);
  slowest.Add(9);
  slowest.Add(7);
  EXPECT_EQ(slowest.Min(), 0u);
  slowest.Count(5);
  slowest.Count(9);
  EXPECT_EQ(slowest.Min(), 0u);  // 7 has nothing yet
  slowest.Count(7);
  EXPECT_EQ(slowest.Min(), 1u);
  slowest.Count(5);
  slowest.Count(5);
  slowest.Count(9);
  EXPECT_EQ(slowest.Min(), 1u);  // 7 is still at 1
  slowest.Count(7);
  EXPECT_EQ(slowest.Min(), 2u);
  slowest.Count(3);  // never added: ignored
  EXPECT_EQ(slowest.Min(), 2u);
}

TEST(SlowestSubscriber, ADisconnectedSubscriberNoLongerHoldsItBack) {
  SlowestSubscriber slowest;
  slowest.Add(1);
  slowest.Add(2);
  slowest.Count(1);
  slowest.Count(1);
  EXPECT_EQ(slowest.Min(), 0u);
  slowest.Remove(2);
  EXPECT_EQ(slowest.Min(), 2u);
  slowest.Count(2);  // after its removal: ignored
  EXPECT_EQ(slowest.Min(), 2u);
  slowest.Remove(1);
  EXPECT_EQ(slowest.Min(), kNoSubscriber);
  slowest.Add(1);  // counted again, from 0
  EXPECT_EQ(slowest.Min(), 0u);
}

TEST(ProgressBoard, WindowStartIsApartFromTheSlots) {
  auto board = ProgressBoard::Create(2);
  ASSERT_NE(board, nullptr);
  EXPECT_EQ(board->WindowStart(), 0);
  board->SetWindowStart(1700000000123456789);
  EXPECT_EQ(board->WindowStart(), 1700000000123456789);
  EXPECT_EQ(board->Min(), 0u);  // the slots are untouched
}

TEST(ProgressBoard, MinimumOverWorkersAcrossFork) {
  auto board = ProgressBoard::Create(2);
  ASSERT_NE(board, nullptr);
  EXPECT_EQ(board->Min(), 0u);
  board->Publish(0, 7);
  EXPECT_EQ(board->Min(), 0u);  // slot 1 is behind
  pollfd wake{board->wake_fd(), POLLIN, 0};
  ASSERT_EQ(poll(&wake, 1, 0), 1);
  board->Clear();
  EXPECT_EQ(poll(&wake, 1, 0), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    board->Publish(1, 4);  // another process, as a worker
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(board->Min(), 4u);
  EXPECT_EQ(poll(&wake, 1, 0), 1);  // the child's write woke the reader
  board->Clear();
  board->Publish(1, 4);  // unchanged: no wake-up
  EXPECT_EQ(poll(&wake, 1, 0), 0);
  board->Publish(1, kNoSubscriber);
  EXPECT_EQ(board->Min(), 7u);
}

}  // namespace
}  // namespace runnel::loadgen
