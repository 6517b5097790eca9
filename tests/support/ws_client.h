// WsClient: the tests' Grafana Live client: Centrifuge protocol v2 JSON
// over a WebSocket that Boost.Beast speaks correctly (masking, control
// frames, the close handshake). For frames a real client never sends, use
// RawWsClient (support/raw_ws_client.h).
//
// All I/O runs inside its calls and every wait has a deadline, so a broken
// server fails a test instead of hanging it. One read stays pending between
// calls, so a time-out never leaves the stream in a broken state.
// A frame may hold several JSON replies separated by '\n'. Every reply is
// kept in arrival order: ReadReply() takes the next one whatever it is (a
// reply, a push or a server ping `{}`); Call() takes the reply with its id
// and NextPush() the next push, leaving the others queued. A server ping is
// answered with a pong `{}` as it arrives, unless auto_pong is off.
// Thread-safety: none; one thread at a time drives a client.
#ifndef RUNNEL_TESTS_SUPPORT_WS_CLIENT_H_
#define RUNNEL_TESTS_SUPPORT_WS_CLIENT_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runnel::testing {

class WsClient {
 public:
  using JSON = nlohmann::json;
  using Millis = std::chrono::milliseconds;

  struct Options {
    std::string path = "/api/live/ws";
    std::string origin;       // "" = no Origin header
    std::string subprotocol;  // "" = none offered
    int receive_buffer = 0;   // SO_RCVBUF before connecting; 0 = default
    bool auto_pong = true;    // answer the server's pings `{}`
  };

  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Opens the WebSocket to 127.0.0.1:port. False when TCP or the upgrade
  // failed: http_status() then holds the status of the refusal (0 if none)
  // and error() says what failed.
  bool Open(uint16_t port, const Options& options);
  bool Open(uint16_t port) { return Open(port, Options()); }
  int http_status() const { return http_status_; }
  const std::string& error() const { return error_; }
  // The Sec-WebSocket-Protocol the server answered with.
  const std::string& accepted_subprotocol() const { return subprotocol_; }

  bool SendText(std::string_view text);

  // The next reply of any kind, in arrival order; nullopt on close or after
  // the time-out. A line that is not JSON throws (the test fails).
  std::optional<JSON> ReadReply(Millis timeout = Millis(5000));

  // Sends {"id":N, <method>: params} and waits for the reply with id N.
  // Returns the whole reply, or null when the time-out passes or the
  // connection closes.
  JSON Call(const std::string& method, JSON params,
            Millis timeout = Millis(10000));
  // Call("connect", params): the whole reply.
  JSON Connect(JSON params = JSON::object()) {
    return Call("connect", std::move(params));
  }
  JSON Subscribe(const std::string& channel, Millis timeout = Millis(10000)) {
    return Call("subscribe", JSON{{"channel", channel}}, timeout);
  }

  // The next push (the "push" object), or nullopt after the time-out or when
  // the connection is closed.
  std::optional<JSON> NextPush(Millis timeout);
  // Pushes of `channel` with a "pub" received within `duration`, plus those
  // already queued (duration 0 counts just those).
  int CountPublications(const std::string& channel, Millis duration);

  // Reads (answering pings if auto_pong is on) until the server closes;
  // returns the close code, 0 if the time-out passed, -1 if it ended
  // without a close frame. *replies_seen (may be null) gets how many
  // replies were queued or arrived meanwhile; they are dropped.
  int WaitClosed(Millis timeout = Millis(10000),
                 size_t* replies_seen = nullptr);
  // Reads and answers whatever arrives for `duration` (keeps it alive).
  void Pump(Millis duration);

  bool closed() const { return closed_; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  void set_auto_pong(bool on) { auto_pong_ = on; }
  int pings_seen() const { return pings_seen_; }
  // Lines that were not JSON (Call and NextPush pass over them).
  const std::vector<std::string>& undecodable() const { return undecodable_; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class ReadResult { kFrame, kTimeout, kClosed };
  struct Line {
    std::string text;
    JSON json;  // discarded when `text` is not JSON
  };

  // Reads one frame (or times out) and queues its lines.
  ReadResult ReadFrame(Clock::time_point deadline);
  void HandleFrame(std::string_view frame);
  // Removes and returns the first queued JSON line that `match` accepts.
  template <typename Match>
  std::optional<JSON> Take(Match match);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  bool read_pending_ = false;
  bool read_done_ = false;
  boost::beast::error_code read_error_;
  bool open_ = false;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
  int http_status_ = 0;
  std::string error_;
  std::string subprotocol_;
  bool auto_pong_ = true;
  int pings_seen_ = 0;
  uint32_t next_id_ = 1;
  std::deque<Line> lines_;  // received, not yet taken, in arrival order
  std::vector<std::string> undecodable_;
};

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_WS_CLIENT_H_
