// The Live server's own RFC 6455 framing, end to end over real sockets, with
// a raw client that builds frames and the upgrade request by hand: things a
// Beast client cannot send (fragments with an interleaved ping, one byte per
// write, unmasked frames, reserved bits, a close handshake after an oversized
// message).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "live/server.h"

namespace runnel::host {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Every wait in this file is bounded by this; a broken server fails a test
// instead of hanging it.
constexpr auto kDeadline = 5s;

// The RFC 6455 section 1.3 example key and its accept value.
constexpr std::string_view kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kRfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

constexpr std::string_view kConnectCommand = R"({"id":1,"connect":{}})";

// First-byte flags and opcodes of a frame.
constexpr uint8_t kFin = 0x80;
constexpr uint8_t kRsv1 = 0x40;
constexpr uint8_t kRsv2 = 0x20;
constexpr uint8_t kRsv3 = 0x10;
constexpr uint8_t kOpContinuation = 0x0;
constexpr uint8_t kOpText = 0x1;
constexpr uint8_t kOpClose = 0x8;
constexpr uint8_t kOpPing = 0x9;
constexpr uint8_t kOpPong = 0xA;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// A client frame: `first` is FIN | RSV bits | opcode. Masked unless `masked`
// is false; the mask key changes with `mask_seed` so frames differ.
std::string ClientFrame(uint8_t first, std::string_view payload,
                        bool masked = true, uint8_t mask_seed = 0) {
  std::string frame;
  frame.push_back(static_cast<char>(first));
  const uint8_t mask_bit = masked ? 0x80 : 0x00;
  const uint64_t size = payload.size();
  if (size < 126) {
    frame.push_back(static_cast<char>(mask_bit | size));
  } else if (size <= 0xFFFF) {
    frame.push_back(static_cast<char>(mask_bit | 126));
    frame.push_back(static_cast<char>(size >> 8));
    frame.push_back(static_cast<char>(size & 0xFF));
  } else {
    frame.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((size >> shift) & 0xFF));
    }
  }
  if (!masked) {
    frame.append(payload);
    return frame;
  }
  const uint8_t key[4] = {static_cast<uint8_t>(0x37 + mask_seed),
                          static_cast<uint8_t>(0xFA - mask_seed),
                          static_cast<uint8_t>(0x21 ^ mask_seed), 0x3D};
  for (uint8_t k : key) frame.push_back(static_cast<char>(k));
  for (size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  }
  return frame;
}

std::string ClosePayload(uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return payload;
}

// A frame as the server sent it.
struct ServerFrame {
  bool fin = false;
  uint8_t rsv = 0;  // the three reserved bits, shifted down
  uint8_t opcode = 0;
  bool masked = false;
  std::string payload;

  // The close code, or -1 when the payload has none.
  int CloseCode() const {
    if (payload.size() < 2) return -1;
    return (static_cast<uint8_t>(payload[0]) << 8) |
           static_cast<uint8_t>(payload[1]);
  }
};

struct HttpHead {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower

  // Every value of a header (names compare case-insensitively).
  std::vector<std::string> All(std::string_view name) const {
    std::vector<std::string> values;
    const std::string wanted = Lower(name);
    for (const auto& [key, value] : headers) {
      if (key == wanted) values.push_back(value);
    }
    return values;
  }
  std::optional<std::string> Get(std::string_view name) const {
    std::vector<std::string> values = All(name);
    if (values.size() != 1) return std::nullopt;
    return values[0];
  }
};

// A blocking TCP client that speaks WebSocket by hand. Reads wait with
// poll() against a deadline, so nothing blocks forever. One thread only.
class RawWsClient {
 public:
  enum class Read { kOk, kEof, kTimeout, kError };

  RawWsClient() : socket_(ioc_) {}
  ~RawWsClient() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  bool ConnectTcp(uint16_t port) {
    boost::system::error_code ec;
    socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return false;
    // Every send() leaves as its own segment (for the split-write test).
    socket_.set_option(tcp::no_delay(true), ec);
    return !ec;
  }

  // Sends a GET /api/live/ws upgrade request with the standard headers plus
  // `extra_headers` (each "Name: value\r\n"); `key` "" leaves out
  // Sec-WebSocket-Key, and `version` "" leaves out Sec-WebSocket-Version.
  bool SendUpgrade(uint16_t port, std::string_view key,
                   std::string_view version = "13",
                   std::string_view extra_headers = "") {
    std::string request =
        "GET /api/live/ws HTTP/1.1\r\n"
        "Host: 127.0.0.1:" +
        std::to_string(port) +
        "\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n";
    if (!key.empty()) {
      request += "Sec-WebSocket-Key: " + std::string(key) + "\r\n";
    }
    if (!version.empty()) {
      request += "Sec-WebSocket-Version: " + std::string(version) + "\r\n";
    }
    request += std::string(extra_headers);
    request += "\r\n";
    return Send(request);
  }

  // The status line and headers of the HTTP response; bytes after them stay
  // buffered for ReadFrame.
  std::optional<HttpHead> ReadHttpHead() {
    const auto deadline = Clock::now() + kDeadline;
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (ReadMore(deadline) != Read::kOk) return std::nullopt;
    }
    std::string head = in_.substr(0, end);
    in_.erase(0, end + 4);
    HttpHead out;
    size_t line_end = head.find("\r\n");
    out.status_line = head.substr(0, line_end);
    // "HTTP/1.1 101 Switching Protocols"
    if (out.status_line.rfind("HTTP/1.1 ", 0) != 0 ||
        out.status_line.size() < 12) {
      return std::nullopt;
    }
    out.status = std::stoi(out.status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string_view line = std::string_view(head).substr(
          start,
          line_end == std::string::npos ? std::string::npos : line_end - start);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      out.headers.emplace_back(Lower(line.substr(0, colon)),
                               std::string(TrimSpaces(line.substr(colon + 1))));
    }
    return out;
  }

  // TCP connect, upgrade with the RFC key, and check the 101.
  bool Open(uint16_t port) {
    if (!ConnectTcp(port) || !SendUpgrade(port, kRfcKey)) return false;
    std::optional<HttpHead> head = ReadHttpHead();
    return head && head->status == 101;
  }

  bool Send(std::string_view bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }

  // One send() call per byte, with a short pause so that the server's reads
  // see the bytes apart (the pause only spreads them; nothing is timed).
  bool SendByteByByte(std::string_view bytes) {
    for (char byte : bytes) {
      boost::system::error_code ec;
      size_t sent = socket_.send(asio::buffer(&byte, 1), 0, ec);
      if (ec || sent != 1) return false;
      std::this_thread::sleep_for(1ms);
    }
    return true;
  }

  // The next whole frame; nullopt on EOF, error or deadline (see last_read).
  std::optional<ServerFrame> ReadFrame() {
    const auto deadline = Clock::now() + kDeadline;
    if (!Fill(2, deadline)) return std::nullopt;
    const uint8_t b0 = static_cast<uint8_t>(in_[0]);
    const uint8_t b1 = static_cast<uint8_t>(in_[1]);
    ServerFrame frame;
    frame.fin = (b0 & kFin) != 0;
    frame.rsv = (b0 >> 4) & 0x7;
    frame.opcode = b0 & 0x0F;
    frame.masked = (b1 & 0x80) != 0;
    size_t header = 2;
    uint64_t length = b1 & 0x7F;
    if (length == 126) {
      header = 4;
      if (!Fill(header, deadline)) return std::nullopt;
      length = (uint64_t{static_cast<uint8_t>(in_[2])} << 8) |
               static_cast<uint8_t>(in_[3]);
    } else if (length == 127) {
      header = 10;
      if (!Fill(header, deadline)) return std::nullopt;
      length = 0;
      for (int i = 2; i < 10; ++i) {
        length = (length << 8) | static_cast<uint8_t>(in_[i]);
      }
    }
    uint8_t key[4] = {0, 0, 0, 0};
    if (frame.masked) {
      if (!Fill(header + 4, deadline)) return std::nullopt;
      for (int i = 0; i < 4; ++i)
        key[i] = static_cast<uint8_t>(in_[header + i]);
      header += 4;
    }
    if (length > (64u << 20)) {  // nothing here sends that much
      last_read_ = Read::kError;
      return std::nullopt;
    }
    if (!Fill(header + length, deadline)) return std::nullopt;
    frame.payload = in_.substr(header, length);
    if (frame.masked) {
      for (size_t i = 0; i < frame.payload.size(); ++i) {
        frame.payload[i] = static_cast<char>(frame.payload[i] ^ key[i % 4]);
      }
    }
    in_.erase(0, header + length);
    return frame;
  }

  // Waits for the server to close TCP. kEof when it did and nothing else
  // came first; kOk when more bytes arrived instead.
  Read WaitForEof() {
    if (!in_.empty()) return Read::kOk;
    return ReadMore(Clock::now() + kDeadline);
  }

  // Whether anything (bytes or EOF) arrives within `window`; kTimeout
  // means the connection stayed open and quiet.
  Read PollFor(std::chrono::milliseconds window) {
    if (!in_.empty()) return Read::kOk;
    return ReadMore(Clock::now() + window);
  }

  Read last_read() const { return last_read_; }
  int last_errno() const { return last_errno_; }

 private:
  bool Fill(size_t size, Clock::time_point deadline) {
    while (in_.size() < size) {
      if (ReadMore(deadline) != Read::kOk) return false;
    }
    return true;
  }

  // One recv() into in_, after poll() says there is something to read.
  Read ReadMore(Clock::time_point deadline) {
    const int fd = socket_.native_handle();
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      if (left.count() <= 0) return last_read_ = Read::kTimeout;
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) {
        last_errno_ = errno;
        return last_read_ = Read::kError;
      }
      if (ready == 0) return last_read_ = Read::kTimeout;
      char buffer[4096];
      ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        last_errno_ = errno;
        return last_read_ = Read::kError;
      }
      if (n == 0) return last_read_ = Read::kEof;
      in_.append(buffer, static_cast<size_t>(n));
      return last_read_ = Read::kOk;
    }
  }

  asio::io_context ioc_;
  tcp::socket socket_;
  std::string in_;  // received, not yet parsed
  Read last_read_ = Read::kOk;
  int last_errno_ = 0;
};

const char* ReadName(RawWsClient::Read read) {
  switch (read) {
    case RawWsClient::Read::kOk:
      return "data";
    case RawWsClient::Read::kEof:
      return "EOF";
    case RawWsClient::Read::kTimeout:
      return "timeout";  // nothing arrived
    case RawWsClient::Read::kError:
      return "error";
  }
  return "?";
}

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

class WsProtocolTest : public ::testing::Test {
 protected:
  // A long close_handshake_timeout: a TCP close seen within kDeadline
  // comes from the close handshake, not from the server giving up on it.
  static LiveConfig Config() {
    LiveConfig config;
    config.http_addr = "127.0.0.1";
    config.http_port = 0;
    config.root_url = "http://localhost:3000/";
    config.close_handshake_timeout = 60s;
    return config;
  }

  void StartServer(LiveConfig config = Config()) {
    server_ = std::make_unique<Server>(config, hub_, nullptr);
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.message();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
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

  Hub hub_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
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

TEST_F(WsProtocolTest, EchoesCentrifugeJsonOnlyWhenOffered) {
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
    ASSERT_TRUE(client.Open(port_));
    ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpText, kConnectCommand)));
    std::optional<ServerFrame> reply = client.ReadFrame();
    ASSERT_TRUE(reply) << ReadName(client.last_read());
    ASSERT_EQ(reply->opcode, kOpText);
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
  ASSERT_TRUE(client.Open(port_));
  ASSERT_TRUE(client.Send(ClientFrame(kFin | kOpText, kConnectCommand)));
  std::optional<ServerFrame> reply = client.ReadFrame();
  ASSERT_TRUE(reply) << ReadName(client.last_read());
  ASSERT_EQ(reply->opcode, kOpText);

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

}  // namespace
}  // namespace runnel::host
