// RawWsClient: a blocking TCP client that speaks WebSocket (and HTTP) by
// hand, for tests that need what a real client never sends: fragments with
// an interleaved ping, one byte per write, unmasked frames, reserved bits,
// invalid close codes, floods of pings, over-long request lines. Every read
// waits with poll() against a deadline, so a broken server fails a test
// instead of hanging it. Thread-safety: one thread only.
#ifndef RUNNEL_TESTS_SUPPORT_RAW_WS_CLIENT_H_
#define RUNNEL_TESTS_SUPPORT_RAW_WS_CLIENT_H_

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace runnel::testing {

// Every wait of the raw client is bounded by this; a broken server fails a test
// instead of hanging it.
constexpr std::chrono::seconds kDeadline(5);

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

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

inline std::string_view TrimSpaces(std::string_view s) {
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
inline std::string ClientFrame(uint8_t first, std::string_view payload,
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

inline std::string ClosePayload(uint16_t code, std::string_view reason) {
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
  using Clock = std::chrono::steady_clock;
  using tcp = boost::asio::ip::tcp;

 public:
  enum class Read { kOk, kEof, kTimeout, kError };

  RawWsClient() : socket_(ioc_) {}
  ~RawWsClient() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  // `receive_buffer` > 0 sets SO_RCVBUF before connecting (the kernel
  // doubles it and has a floor), for clients that fall behind quickly.
  bool ConnectTcp(uint16_t port, int receive_buffer = 0) {
    boost::system::error_code ec;
    if (receive_buffer > 0) {
      socket_.open(tcp::v4(), ec);
      if (!ec) {
        socket_.set_option(
            boost::asio::socket_base::receive_buffer_size(receive_buffer), ec);
      }
      if (ec) return false;
    }
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
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
    // "HTTP/1.1 101 Switching Protocols" (or HTTP/1.0 for 1.0 requests)
    if (out.status_line.rfind("HTTP/1.", 0) != 0 ||
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
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()),
                       ec);
    return !ec;
  }

  // One send() call per byte, with a short pause so that the server's reads
  // see the bytes apart (the pause only spreads them; nothing is timed).
  bool SendByteByByte(std::string_view bytes) {
    for (char byte : bytes) {
      boost::system::error_code ec;
      size_t sent = socket_.send(boost::asio::buffer(&byte, 1), 0, ec);
      if (ec || sent != 1) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
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

  // Sends what the socket takes without blocking; the number of bytes
  // sent, or -1 once the connection is gone (reset, EPIPE).
  ssize_t SendSome(std::string_view bytes) {
    const ssize_t n = ::send(socket_.native_handle(), bytes.data(),
                             bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    last_errno_ = errno;
    return -1;
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

  boost::asio::io_context ioc_;
  tcp::socket socket_;
  std::string in_;  // received, not yet parsed
  Read last_read_ = Read::kOk;
  int last_errno_ = 0;
};

inline const char* ReadName(RawWsClient::Read read) {
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

// Sends a WebSocket upgrade request (with this Origin, "" = none) and
// returns the HTTP status of the answer (101 when accepted; 0 on failure).
inline int UpgradeStatus(uint16_t port, const std::string& origin) {
  RawWsClient client;
  std::string extra = origin.empty() ? "" : "Origin: " + origin + "\r\n";
  if (!client.ConnectTcp(port) ||
      !client.SendUpgrade(port, kRfcKey, "13", extra)) {
    return 0;
  }
  std::optional<HttpHead> head = client.ReadHttpHead();
  return head ? head->status : 0;
}

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_RAW_WS_CLIENT_H_
