// The Live server's own RFC 6455 framing, end to end over real sockets, with
// a raw client that builds frames and the upgrade request by hand: things a
// Beast client cannot send (fragments with an interleaved ping, one byte per
// write, unmasked frames, reserved bits, a close handshake after an oversized
// message).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "live/server.h"
#include "live_server_fixture.h"
#include "support/raw_ws_client.h"

namespace runnel::host {
namespace {

using namespace ::runnel::testing;  // the raw client and its frames
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Checks what every server frame must be: unmasked, no reserved bits.
void ExpectServerFrameShape(const ServerFrame& frame) {
  EXPECT_FALSE(frame.masked) << "server frames must not be masked";
  EXPECT_EQ(frame.rsv, 0) << "no extension was negotiated";
}

// The first reply in a text frame's payload (replies are '\n'-separated).
json FirstReply(const std::string& payload) {
  return json::parse(payload.substr(0, payload.find('\n')), nullptr,
                     /*allow_exceptions=*/false);
}

class WsProtocolTest : public ::runnel::host::testing::LiveServerTest {
 protected:
  // A long close_handshake_timeout: a TCP close seen within kDeadline
  // comes from the close handshake, not from the server giving up on it.
  static LiveConfig Config() {
    LiveConfig config = TestConfig();
    config.close_handshake_timeout = 60s;
    return config;
  }

  void StartServer(const LiveConfig& config = Config()) {
    LiveServerTest::StartServer(config, nullptr);
  }

  // Opens `client` and sends a connect; its reply must be a text frame.
  void OpenAndConnect(RawWsClient& client) {
    ASSERT_TRUE(client.Open(port_));
    ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpText, kConnectCommand)));
    std::optional<ServerFrame> reply = client.ReadFrame();
    ASSERT_TRUE(reply) << ReadName(client.last_read());
    ASSERT_EQ(reply->opcode, kOpText);
  }

  // Reads the next frame, which must be a close; returns its code (-1 for
  // none, -2 if no frame came).
  static int ReadCloseCode(RawWsClient& client) {
    std::optional<ServerFrame> frame = client.ReadFrame();
    if (!frame) {
      ADD_FAILURE() << "no close frame: " << ReadName(client.last_read());
      return -2;
    }
    ExpectServerFrameShape(*frame);
    EXPECT_TRUE(frame->fin);
    EXPECT_EQ(frame->opcode, kOpClose)
        << "payload: " << frame->payload.substr(0, 200);
    return frame->CloseCode();
  }

  // Expects the server to have closed TCP with nothing more sent.
  static void ExpectEof(RawWsClient& client) {
    RawWsClient::Read read = client.WaitForEof();
    EXPECT_STREQ(ReadName(read), "EOF")
        << (read == RawWsClient::Read::kError
                ? "errno " + std::to_string(client.last_errno())
                : "");
  }
};

TEST_F(WsProtocolTest, UpgradeResponseHasAcceptKeyAndHeaders) {
  StartServer();
  RawWsClient client;
  ASSERT_TRUE(client.ConnectTcp(port_));
  ASSERT_TRUE(client.SendUpgrade(port_, kRfcKey));
  std::optional<HttpHead> head = client.ReadHttpHead();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 101) << head->status_line;
  EXPECT_EQ(head->Get("Sec-WebSocket-Accept"), std::string(kRfcAccept));
  ASSERT_TRUE(head->Get("Upgrade"));
  EXPECT_EQ(Lower(*head->Get("Upgrade")), "websocket");
  ASSERT_TRUE(head->Get("Connection"));
  EXPECT_NE(Lower(*head->Get("Connection")).find("upgrade"), std::string::npos);
  EXPECT_TRUE(head->All("Sec-WebSocket-Protocol").empty())
      << "no subprotocol was offered";

  // The connection works after the handshake.
  ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpText, kConnectCommand)));
  std::optional<ServerFrame> reply = client.ReadFrame();
  ASSERT_TRUE(reply) << ReadName(client.last_read());
  EXPECT_EQ(reply->opcode, kOpText);
  EXPECT_EQ(FirstReply(reply->payload)["id"], 1);
}

TEST_F(WsProtocolTest, EchoesCentrifugeJSONOnlyWhenOffered) {
  StartServer();
  {
    RawWsClient client;
    ASSERT_TRUE(client.ConnectTcp(port_));
    ASSERT_TRUE(client.SendUpgrade(
        port_, kRfcKey, "13",
        "Sec-WebSocket-Protocol: centrifuge-protobuf, centrifuge-json\r\n"));
    std::optional<HttpHead> head = client.ReadHttpHead();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 101) << head->status_line;
    EXPECT_EQ(head->Get("Sec-WebSocket-Protocol"),
              std::string("centrifuge-json"));
    EXPECT_EQ(head->Get("Sec-WebSocket-Accept"), std::string(kRfcAccept));
  }
  {
    RawWsClient client;
    ASSERT_TRUE(client.ConnectTcp(port_));
    ASSERT_TRUE(client.SendUpgrade(port_, kRfcKey, "13",
                                   "Sec-WebSocket-Protocol: chat, mqtt\r\n"));
    std::optional<HttpHead> head = client.ReadHttpHead();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 101) << head->status_line;
    EXPECT_TRUE(head->All("Sec-WebSocket-Protocol").empty())
        << "only offered subprotocols may be echoed";
  }
}

TEST_F(WsProtocolTest, MissingKeyIs400) {
  StartServer();
  RawWsClient client;
  ASSERT_TRUE(client.ConnectTcp(port_));
  ASSERT_TRUE(client.SendUpgrade(port_, /*key=*/""));
  std::optional<HttpHead> head = client.ReadHttpHead();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 400) << head->status_line;
  EXPECT_TRUE(head->All("Sec-WebSocket-Accept").empty());
}

TEST_F(WsProtocolTest, Version8Is426WithSupportedVersion) {
  StartServer();
  RawWsClient client;
  ASSERT_TRUE(client.ConnectTcp(port_));
  ASSERT_TRUE(client.SendUpgrade(port_, kRfcKey, /*version=*/"8"));
  std::optional<HttpHead> head = client.ReadHttpHead();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 426) << head->status_line;
  EXPECT_EQ(head->Get("Sec-WebSocket-Version"), std::string("13"));
  EXPECT_TRUE(head->All("Sec-WebSocket-Accept").empty());
}

TEST_F(WsProtocolTest, FragmentedConnectWithInterleavedPing) {
  StartServer();
  RawWsClient client;
  ASSERT_TRUE(client.Open(port_));
  // {"id":1,"connect":{}} in three fragments, a ping after the first.
  const std::string ping_payload("ping\x00\xff\x7f!", 8);
  ASSERT_TRUE(client.Send(ClientFrame(kOpText, R"({"id":1,)", true, 1)));
  ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpPing, ping_payload, true, 2)));
  ASSERT_TRUE(
      client.Send(ClientFrame(kOpContinuation, R"("connect")", true, 3)));
  ASSERT_TRUE(
      client.Send(ClientFrame(kFin | kOpContinuation, R"(:{}})", true, 4)));

  std::optional<ServerFrame> pong, text;
  for (int i = 0; i < 2; ++i) {
    std::optional<ServerFrame> frame = client.ReadFrame();
    ASSERT_TRUE(frame) << "frame " << i << ": " << ReadName(client.last_read());
    ExpectServerFrameShape(*frame);
    if (frame->opcode == kOpPong && !pong) {
      pong = frame;
    } else if (frame->opcode == kOpText && !text) {
      text = frame;
    } else {
      ADD_FAILURE() << "unexpected frame, opcode " << int{frame->opcode};
    }
  }
  ASSERT_TRUE(pong);
  EXPECT_TRUE(pong->fin);
  EXPECT_EQ(pong->payload, ping_payload);
  ASSERT_TRUE(text);
  EXPECT_TRUE(text->fin);
  json reply = FirstReply(text->payload);
  ASSERT_TRUE(reply.is_object()) << text->payload;
  EXPECT_EQ(reply["id"], 1);
  ASSERT_TRUE(reply["connect"].is_object()) << text->payload;
  EXPECT_TRUE(reply["connect"]["client"].is_string()) << text->payload;
}

TEST_F(WsProtocolTest, ConnectSentOneBytePerWrite) {
  StartServer();
  RawWsClient client;
  ASSERT_TRUE(client.Open(port_));
  ASSERT_TRUE(
      client.SendByteByByte(ClientFrame(kFin | kOpText, kConnectCommand)));
  std::optional<ServerFrame> frame = client.ReadFrame();
  ASSERT_TRUE(frame) << ReadName(client.last_read());
  ExpectServerFrameShape(*frame);
  EXPECT_TRUE(frame->fin);
  ASSERT_EQ(frame->opcode, kOpText);
  json reply = FirstReply(frame->payload);
  EXPECT_EQ(reply["id"], 1) << frame->payload;
  ASSERT_TRUE(reply["connect"].is_object()) << frame->payload;
  EXPECT_TRUE(reply["connect"]["client"].is_string()) << frame->payload;

  // A ping split the same way (16-bit length, so a longer header) is
  // answered too.
  const std::string ping_payload(100, 'p');
  ASSERT_TRUE(client.SendByteByByte(
      ClientFrame(kFin | kOpPing, ping_payload, true, 9)));
  frame = client.ReadFrame();
  ASSERT_TRUE(frame) << ReadName(client.last_read());
  EXPECT_EQ(frame->opcode, kOpPong);
  EXPECT_EQ(frame->payload, ping_payload);
}

TEST_F(WsProtocolTest, UnmaskedFrameIsProtocolError) {
  StartServer();
  RawWsClient client;
  ASSERT_TRUE(client.Open(port_));
  ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpText, kConnectCommand, false)));
  EXPECT_EQ(ReadCloseCode(client), 1002);
  ExpectEof(client);
}

TEST_F(WsProtocolTest, ReservedBitsAreProtocolErrors) {
  StartServer();
  for (uint8_t rsv : {kRsv1, kRsv2, kRsv3}) {
    SCOPED_TRACE("reserved bit 0x" + std::to_string(rsv >> 4));
    RawWsClient client;
    ASSERT_TRUE(client.Open(port_));
    ASSERT_TRUE(
        client.Send(ClientFrame(kFin | rsv | kOpText, kConnectCommand)));
    EXPECT_EQ(ReadCloseCode(client), 1002);
    ExpectEof(client);
  }
}

TEST_F(WsProtocolTest, ClientCloseIsEchoedThenTcpCloses) {
  StartServer();
  {
    RawWsClient client;
    ASSERT_TRUE(client.Open(port_));
    ASSERT_TRUE(client.Send(
        ClientFrame(kFin | kOpClose, ClosePayload(1000, "bye"), true, 5)));
    EXPECT_EQ(ReadCloseCode(client), 1000);
    ExpectEof(client);
  }
  {
    // A code other than 1000 is echoed as it came.
    RawWsClient client;
    ASSERT_NO_FATAL_FAILURE(OpenAndConnect(client));
    ASSERT_TRUE(client.Send(
        ClientFrame(kFin | kOpClose, ClosePayload(1001, "going away"))));
    EXPECT_EQ(ReadCloseCode(client), 1001);
    ExpectEof(client);
  }
}

TEST_F(WsProtocolTest, EmptyClientCloseIsAnsweredWith1000) {
  StartServer();
  RawWsClient client;
  ASSERT_TRUE(client.Open(port_));
  ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpClose, "", true, 6)));
  EXPECT_EQ(ReadCloseCode(client), 1000);
  ExpectEof(client);
}

TEST_F(WsProtocolTest, OversizedMessageIs1009AndCloseHandshakeCompletes) {
  LiveConfig config = Config();
  config.message_size_limit = 1024;
  StartServer(config);
  RawWsClient client;
  ASSERT_NO_FATAL_FAILURE(OpenAndConnect(client));

  // 3 x 600 bytes: the second fragment passes the limit; the third still
  // follows, before the client has seen the server's close.
  const std::string chunk(600, 'x');
  ASSERT_TRUE(client.Send(ClientFrame(kOpText, chunk, true, 7)));
  ASSERT_TRUE(client.Send(ClientFrame(kOpContinuation, chunk, true, 8)));
  ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpContinuation, chunk, true, 9)));
  EXPECT_EQ(ReadCloseCode(client), 1009);
  // The server waits for the client's close frame (its own deadline is
  // minutes away here): the connection must not end before we send it. A
  // slow machine can only make this check miss a premature close, never
  // fail a correct server.
  RawWsClient::Read early = client.PollFor(200ms);
  EXPECT_STREQ(ReadName(early), "timeout")
      << "the server ended the connection before the client's close frame";

  ASSERT_TRUE(client.Send(
      ClientFrame(kFin | kOpClose, ClosePayload(1000, ""), true, 10)));
  ExpectEof(client);
}

// Close codes, as the Autobahn test suite's section 7 checks them: a valid
// code is echoed (7.7.x), an invalid one is answered with 1002 (7.9.x,
// 7.13.x), and so is a one-byte payload (7.3.2) or a reason that is not
// UTF-8 (7.5.1). RFC 6455 section 7.4: 1005, 1006 and 1015 never travel.
class CloseCodeTest : public WsProtocolTest {
 protected:
  // Opens, sends a close frame with `payload`, returns the code the
  // server's close frame carried, and expects TCP to end after it.
  int CloseWith(std::string_view payload) {
    RawWsClient client;
    if (!client.Open(port_)) {
      ADD_FAILURE() << "open failed";
      return -3;
    }
    if (!client.Send(ClientFrame(kFin | kOpClose, payload, true, 11))) {
      ADD_FAILURE() << "send failed";
      return -3;
    }
    const int code = ReadCloseCode(client);
    ExpectEof(client);
    return code;
  }
};

TEST_F(CloseCodeTest, Autobahn7_7_ValidCodesAreEchoed) {
  StartServer();
  // 7.7.1 .. 7.7.13, and the IANA-registered 1012..1014.
  for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                        3000, 3999, 4000, 4999, 1012, 1013, 1014}) {
    SCOPED_TRACE("close code " + std::to_string(code));
    EXPECT_EQ(CloseWith(ClosePayload(code, "")), code);
  }
}

TEST_F(CloseCodeTest, Autobahn7_9_InvalidCodesAre1002) {
  StartServer();
  // 7.9.1 .. 7.9.9, then 1015 (local only), 1016..2999 unassigned, and
  // 7.13.1 / 7.13.2 (5000, 65535: beyond the defined ranges).
  for (uint16_t code : {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 1015,
                        1500, 5000, 65535}) {
    SCOPED_TRACE("close code " + std::to_string(code));
    EXPECT_EQ(CloseWith(ClosePayload(code, "")), 1002);
  }
}

TEST_F(CloseCodeTest, Autobahn7_3_ClosePayloadSizes) {
  StartServer();
  // 7.3.1: no payload is answered with a code the wire allows (1000).
  EXPECT_EQ(CloseWith(""), 1000);
  // 7.3.2: one byte is no code at all.
  EXPECT_EQ(CloseWith(std::string_view("\x03", 1)), 1002);
  // 7.3.3 .. 7.3.5: a code, a reason, the largest control payload.
  EXPECT_EQ(CloseWith(ClosePayload(1000, "")), 1000);
  EXPECT_EQ(CloseWith(ClosePayload(1000, "Hello World!")), 1000);
  EXPECT_EQ(CloseWith(ClosePayload(1000, std::string(123, '*'))), 1000);
}

TEST_F(CloseCodeTest, Autobahn7_5_1_ReasonThatIsNotUtf8Is1002) {
  StartServer();
  // "κόσμε", then the encoded surrogate U+D800, then "edited".
  EXPECT_EQ(
      CloseWith(ClosePayload(1000,
                             "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
                             "\xed\xa0\x80"
                             "edited")),
      1002);
  // A truncated sequence and a lone continuation byte.
  EXPECT_EQ(CloseWith(ClosePayload(1000, "ab\xe2\x82")), 1002);
  EXPECT_EQ(CloseWith(ClosePayload(1000, "\x80")), 1002);
  // Valid multi-byte reasons still pass.
  EXPECT_EQ(CloseWith(ClosePayload(1001, "κόσμε \xf0\x9f\x98\x80")), 1001);
}

// A client that sends pings and never reads is closed with 3008 once its
// pongs pass client_queue_max_size, like a slow reader of publications;
// another client goes on receiving.
TEST_F(WsProtocolTest, PingFloodThatNeverReadsIsClosed3008) {
  LiveConfig config = Config();
  config.client_queue_max_size = 64 * 1024;
  StartServer(config);
  const std::string channel = "1/grafana/broadcast/flood";
  RawWsClient control;
  ASSERT_TRUE(control.Open(port_));
  ASSERT_TRUE(control.Send(ClientFrame(kFin | kOpText, kConnectCommand)));
  ASSERT_TRUE(control.ReadFrame()) << ReadName(control.last_read());
  ASSERT_TRUE(control.Send(
      ClientFrame(kFin | kOpText,
                  R"({"id":2,"subscribe":{"channel":")" + channel + R"("}})")));
  ASSERT_TRUE(control.ReadFrame()) << ReadName(control.last_read());

  RawWsClient flood;
  ASSERT_TRUE(flood.ConnectTcp(port_, /*receive_buffer=*/4096));
  ASSERT_TRUE(flood.SendUpgrade(port_, kRfcKey));
  std::optional<HttpHead> head = flood.ReadHttpHead();
  ASSERT_TRUE(head && head->status == 101);
  // 500 pings of 125 bytes per send; from here on `flood` reads nothing.
  std::string pings;
  for (int i = 0; i < 500; ++i) {
    pings += ClientFrame(kFin | kOpPing, std::string(125, 'p'), true, 12);
  }
  const auto deadline = Clock::now() + 30s;
  size_t sent = 0;
  while (server_->Stats().slow_disconnects == 0 && Clock::now() < deadline &&
         sent < (64u << 20)) {
    // Frames stay whole: each send goes on where the last one stopped.
    const ssize_t n =
        flood.SendSome(std::string_view(pings).substr(sent % pings.size()));
    ASSERT_GE(n, 0) << "the connection ended before a 3008, errno "
                    << flood.last_errno();
    sent += static_cast<size_t>(n);
    if (n == 0) std::this_thread::sleep_for(1ms);  // let the server read
  }
  ASSERT_EQ(server_->Stats().slow_disconnects, 1u)
      << "no 3008 after " << sent << " bytes of pings";

  // What the kernel held is pongs; the close frame follows them.
  int pongs = 0;
  std::optional<ServerFrame> frame;
  while ((frame = flood.ReadFrame()) && frame->opcode == kOpPong) ++pongs;
  ASSERT_TRUE(frame) << "no close frame after " << pongs
                     << " pongs: " << ReadName(flood.last_read()) << " errno "
                     << flood.last_errno();
  EXPECT_EQ(frame->opcode, kOpClose);
  EXPECT_EQ(frame->CloseCode(), 3008);
  EXPECT_GT(pongs, 0);

  // The other client still gets what is published.
  hub_.Publish(channel, R"({"after":"flood"})");
  std::optional<ServerFrame> push = control.ReadFrame();
  ASSERT_TRUE(push) << ReadName(control.last_read());
  EXPECT_NE(push->payload.find(R"({"after":"flood"})"), std::string::npos)
      << push->payload;
}

}  // namespace
}  // namespace runnel::host
