// WsTestClient: a small blocking WebSocket client for the server tests,
// built on Beast. Every wait has a deadline, so a broken server fails a test
// instead of hanging it. Not thread-safe: one test thread drives it.
#ifndef RUNNEL_TESTS_HOST_LIVE_WS_TEST_CLIENT_H_
#define RUNNEL_TESTS_HOST_LIVE_WS_TEST_CLIENT_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace runnel::host::testing {

using namespace std::chrono_literals;

class WsTestClient {
 public:
  struct Options {
    std::string path = "/api/live/ws";
    std::string origin;       // "" = no Origin header
    std::string subprotocol;  // "" = none offered
    int receive_buffer = 0;   // SO_RCVBUF before connecting; 0 = default
  };

  WsTestClient();
  ~WsTestClient();

  // Opens the WebSocket. Returns false if TCP or the handshake failed;
  // http_status() then holds the HTTP status of the refusal (0 if none).
  bool Open(uint16_t port, const Options& options);
  bool Open(uint16_t port) { return Open(port, Options{}); }
  int http_status() const { return http_status_; }
  // The Sec-WebSocket-Protocol the server answered with.
  const std::string& accepted_subprotocol() const { return subprotocol_; }

  bool SendText(const std::string& text);

  // Next WebSocket message; nullopt on close, error or deadline.
  std::optional<std::string> ReadFrame(std::chrono::milliseconds deadline = 5s);
  // Next reply (frames are split on '\n'); nullopt on close or deadline.
  std::optional<nlohmann::json> ReadReply(
      std::chrono::milliseconds deadline = 5s);
  // Reads until the server closes; returns the close code (-1 on deadline
  // or a close without a code). Replies read meanwhile are counted.
  int WaitForClose(std::chrono::milliseconds deadline = 10s,
                   size_t* replies_seen = nullptr);

  // Connect and check the reply. Returns the connect result object.
  nlohmann::json Connect(uint32_t id = 1);

  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  bool closed() const { return closed_; }

 private:
  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> pending_lines_;
  int http_status_ = 0;
  std::string subprotocol_;
  int close_code_ = -1;
  std::string close_reason_;
  bool closed_ = false;
};

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_LIVE_WS_TEST_CLIENT_H_
