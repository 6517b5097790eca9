// ClientSession: one Grafana Live WebSocket connection. Runs the Centrifuge
// protocol v2 state machine (connect, subscribe, publish, ping/pong, limits)
// on the connection's strand and sends through its Writer.
//
// Thread-safety: all protocol work runs on the session's strand. Deliver
// (from the hub, any thread) and Close (from the server, any thread) post
// to the strand. Lifetime: owned by shared_ptrs held by its pending
// asynchronous operations; it leaves the hub before it goes away.
#ifndef RUNNEL_HOST_LIVE_CLIENT_H_
#define RUNNEL_HOST_LIVE_CLIENT_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/channel_handler.h"
#include "live/disconnect.h"
#include "live/hub.h"
#include "live/live_config.h"
#include "live/protocol.h"
#include "live/writer.h"

namespace runnel::host {

class ClientSession;

// What every session of one server shares. Owned by the server through a
// shared_ptr; sessions keep it alive.
struct ClientEnvironment {
  LiveConfig config;
  Hub* hub = nullptr;
  ChannelHandler* channel_handler = nullptr;  // may be null
  std::atomic<int64_t> connected_clients{0};  // sessions past connect
  std::atomic<uint64_t> slow_disconnects{0};
  // Called once on the session's strand when it has finished.
  std::function<void(ClientSession*)> on_finished;
};

class ClientSession : public Subscriber,
                      public std::enable_shared_from_this<ClientSession> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  ClientSession(boost::asio::ip::tcp::socket socket,
                std::shared_ptr<ClientEnvironment> env);
  ~ClientSession() override;

  // Completes the WebSocket handshake for `upgrade` and starts reading.
  void Start(Request upgrade);

  // Closes with `disconnect` (any thread). `flush`: send what is queued
  // first.
  void Close(Disconnect disconnect, bool flush);

  // Subscriber: called by the hub with a shard lock held.
  void Deliver(const SharedBuffer& message) override;

 private:
  enum class TimerPurpose { kNone, kStale, kPing, kPong, kCloseDeadline };

  void OnAccept(boost::beast::error_code ec);
  void ReadMore();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void HandleFrame();
  void HandleCommand(Command& command);
  void HandleConnect(const Command& command);
  void HandleSubscribe(Command& command);
  void FinishSubscribe(uint32_t id, const std::string& wire_channel,
                       SubscribeReply reply);
  void HandleUnsubscribe(const Command& command);
  void HandlePublish(Command& command);
  // Parses an org-prefixed channel of this client's org; on failure sends
  // the error reply (400 invalid, 103 other org) and returns nullopt.
  std::optional<LiveChannel> ParseClientChannel(uint32_t command_id,
                                                const std::string& wire);
  void HandlePong();

  void Send(std::string message);  // on the strand
  void SendError(uint32_t id, int32_t code, std::string_view message,
                 bool temporary = false);
  void DoWrite();
  void OnWrite(boost::beast::error_code ec);
  void CloseOnStrand(Disconnect disconnect, bool flush);
  void SendCloseFrame();
  void Finish();

  void ArmTimer(TimerPurpose purpose, std::chrono::steady_clock::duration in);
  void OnTimer(boost::beast::error_code ec);
  bool IsSubscribed(const std::string& channel) const;

  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  std::shared_ptr<ClientEnvironment> env_;
  Writer writer_;
  boost::asio::steady_timer timer_;
  TimerPurpose timer_purpose_ = TimerPurpose::kNone;
  std::chrono::steady_clock::time_point last_ping_;
  boost::beast::flat_buffer read_buffer_;  // shrunk after every message
  // The batch being written; null while idle so idle costs nothing.
  struct WriteBatch;
  std::unique_ptr<WriteBatch> write_batch_;
  ClientIdentity identity_;
  std::vector<std::string> channels_;          // subscribed wire channels
  std::vector<std::string> pending_channels_;  // subscribe in progress
  Disconnect close_with_{0, ""};
  bool accepted_ = false;  // handshake done: frames (and close) may be sent
  bool connected_ = false;
  bool ping_outstanding_ = false;
  bool write_in_flight_ = false;
  bool closing_ = false;     // Close was called: no more commands
  bool close_sent_ = false;  // the close frame is on its way
  bool finished_ = false;
  bool counted_connected_ = false;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_CLIENT_H_
