// LiveClient: a small Grafana Live (Centrifuge protocol v2 JSON) WebSocket
// client for integration tests, on Boost.Beast. Single-threaded: all I/O runs
// inside its calls, with deadlines. One read stays pending between calls, so
// a time-out never leaves the stream in a broken state.
// A frame may hold several JSON replies separated by '\n'; replies with an
// id are matched to commands, pushes are queued, and a server ping `{}` is
// answered with a pong `{}` unless auto_pong is off.
// Thread-safety: one thread at a time.
#ifndef RUNNEL_TESTS_HOST_INTEGRATION_LIVE_CLIENT_H_
#define RUNNEL_TESTS_HOST_INTEGRATION_LIVE_CLIENT_H_

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

namespace runnel::host::testing {

using Json = nlohmann::json;
using Millis = std::chrono::milliseconds;

class LiveClient {
 public:
  struct OpenOptions {
    std::string origin;      // "" = no Origin header
    int receive_buffer = 0;  // SO_RCVBUF before connecting; 0 = default
    std::string path = "/api/live/ws";
  };

  LiveClient();
  ~LiveClient();
  LiveClient(const LiveClient&) = delete;
  LiveClient& operator=(const LiveClient&) = delete;

  // Opens the WebSocket. False when refused or failed; *http_status gets
  // the upgrade response's status (101 on success).
  bool Open(uint16_t port, const OpenOptions& options, int* http_status,
            std::string* error);
  bool Open(uint16_t port) {
    int status = 0;
    std::string error;
    return Open(port, OpenOptions(), &status, &error);
  }

  bool SendText(std::string_view text);

  // Sends {"id":N, <method>: params} and waits for the reply with id N.
  // Returns the whole reply, or null when the time-out passes or the
  // connection closes.
  Json Call(const std::string& method, Json params,
            Millis timeout = Millis(10000));
  // Call("connect", {}) and returns the reply.
  Json Connect() { return Call("connect", Json::object()); }
  Json Subscribe(const std::string& channel, Millis timeout = Millis(10000)) {
    return Call("subscribe", Json{{"channel", channel}}, timeout);
  }

  // The next push (the "push" object), or nullopt after the time-out or when
  // the connection is closed.
  std::optional<Json> NextPush(Millis timeout);
  // Pushes of `channel` with a "pub" received within `duration`, plus those
  // already queued (duration 0 counts just those).
  int CountPublications(const std::string& channel, Millis duration);

  // Reads (answering pings if enabled) until the server closes; returns the
  // close code, 0 if the time-out passed, -1 if it ended without a close
  // frame.
  int WaitClosed(Millis timeout);
  // Reads and answers whatever arrives for `duration` (keeps it alive).
  void Pump(Millis duration);

  bool closed() const { return closed_; }
  int close_code() const { return close_code_; }
  void set_auto_pong(bool on) { auto_pong_ = on; }
  int pings_seen() const { return pings_seen_; }
  const std::vector<std::string>& undecodable() const { return undecodable_; }

 private:
  enum class ReadResult { kFrame, kTimeout, kClosed };
  // Reads one frame (or times out) and sorts its replies.
  ReadResult ReadFrame(std::chrono::steady_clock::time_point deadline);
  void HandleFrame(std::string_view frame);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  bool read_pending_ = false;
  bool read_done_ = false;
  boost::beast::error_code read_error_;
  bool open_ = false;
  bool closed_ = false;
  int close_code_ = 0;
  bool auto_pong_ = true;
  int pings_seen_ = 0;
  uint32_t next_id_ = 1;
  std::deque<Json> replies_;
  std::deque<Json> pushes_;
  std::vector<std::string> undecodable_;  // lines that were not JSON
};

// Sends a WebSocket upgrade request (with this Origin, "" = none) and
// returns the HTTP status of the answer (101 when accepted; 0 on failure).
int UpgradeStatus(uint16_t port, const std::string& origin);

// A plain HTTP GET to 127.0.0.1:port; returns the status (0 on failure).
int HttpGet(uint16_t port, const std::string& target, std::string* body);

// The value of an unlabelled (or exactly labelled, e.g.
// `runnel_plugin_restarts_total{plugin="x"}`) sample in Prometheus text;
// -1 if absent.
double MetricValue(const std::string& metrics, const std::string& sample);

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_INTEGRATION_LIVE_CLIENT_H_
