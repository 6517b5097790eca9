// ClientSession: one Grafana Live WebSocket connection. Runs the Centrifuge
// protocol v2 state machine (connect, subscribe, publish, ping/pong, limits)
// and the WebSocket framing (ws_frame.h) on its event loop.
//
// Publications are queued in the Writer and written at the end of the
// loop's turn (IoLoop::ScheduleFlush), joined into one frame: one sendmsg
// per publication while the loop keeps up, fewer as it falls behind. Only
// what the kernel does not take is held by the session.
// Reads wait for readiness first, so an idle connection holds no buffer.
//
// Thread-safety: everything runs on the session's loop (IoLoop). Deliver
// comes from the hub on that loop; Close (any thread) posts to it.
// Lifetime: owned by shared_ptrs held by its pending asynchronous
// operations; it leaves the hub before it goes away.
#ifndef RUNNEL_HOST_LIVE_CLIENT_H_
#define RUNNEL_HOST_LIVE_CLIENT_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "live/channel_handler.h"
#include "live/disconnect.h"
#include "live/hub.h"
#include "live/io_loops.h"
#include "live/live_config.h"
#include "live/protocol.h"
#include "live/writer.h"
#include "live/ws_frame.h"

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
  // Called once on the session's loop when it has finished.
  std::function<void(ClientSession*)> on_finished;
};

class ClientSession : public Subscriber,
                      private Flushable,
                      private ws::FrameHandler,
                      public std::enable_shared_from_this<ClientSession> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  // `socket` must belong to `loop`'s io_context.
  ClientSession(boost::asio::ip::tcp::socket socket, IoLoop* loop,
                std::shared_ptr<ClientEnvironment> env);
  ~ClientSession() override;

  // Completes the WebSocket handshake for `upgrade` (its headers already
  // checked by the server) and starts reading. On the session's loop.
  void Start(const Request& upgrade);

  // Closes with `disconnect` (any thread). `flush`: send what is queued
  // first.
  void Close(Disconnect disconnect, bool flush);

  // Subscriber: called by the hub on the session's loop.
  void Deliver(const SharedBuffer& message) override;
  DeliveryLoop* delivery_loop() const override { return loop_; }

 private:
  enum class TimerPurpose { kNone, kStale, kPing, kPong, kCloseDeadline };
  struct Outgoing;  // bytes on their way to the socket

  void OnAccept(boost::system::error_code ec);
  void WaitReadable();
  void OnReadable(boost::system::error_code ec);
  // ws::FrameHandler
  void OnMessage(std::string_view payload, bool binary) override;
  void OnPing(std::string_view payload) override;
  void OnClose(uint16_t code, std::string_view reason) override;

  void HandleFrame(std::string_view frame);
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

  void Send(std::string message);  // on the loop
  void SendError(uint32_t id, int32_t code, std::string_view message,
                 bool temporary = false);
  // Flushable: the loop's end-of-turn write.
  void FlushNow() override;
  // Writes queued control frames and messages until done or the socket is
  // full (then waits for it to drain).
  void Flush();
  // Fills `out` with the next control frames or batch; false if none.
  bool NextOutgoing(Outgoing& out);
  // Frames a pong or close into the writer; kSlow when that passes the
  // queue bound (the caller closes with 3008).
  Writer::EnqueueResult QueueControlFrame(ws::Opcode opcode,
                                          std::string_view payload);
  // Returns false if the socket failed (the session is then being dropped).
  bool WriteSome(Outgoing& out);
  void OnWriteFailed();
  void OnCloseFrameWritten();
  void CloseOnLoop(Disconnect disconnect, bool flush);
  // The info line for a 3008: who, and how much was queued.
  void LogSlowClose() const;
  // Unsubscribes from every channel (on the loop, never inside Deliver).
  void LeaveHub();
  // Drops the TCP connection and finishes.
  void TearDown();
  void Finish();

  void ArmTimer(TimerPurpose purpose, std::chrono::steady_clock::duration in);
  void OnTimer(boost::system::error_code ec);
  bool IsSubscribed(const std::string& channel) const;

  boost::asio::ip::tcp::socket socket_;
  IoLoop* loop_;
  std::shared_ptr<ClientEnvironment> env_;
  Writer writer_;
  ws::FrameReader reader_;
  boost::asio::steady_timer timer_;
  TimerPurpose timer_purpose_ = TimerPurpose::kNone;
  std::chrono::steady_clock::time_point last_ping_;
  // What is being written; null while idle so idle costs nothing.
  std::unique_ptr<Outgoing> out_;
  static constexpr size_t kNoTicket = ~size_t{0};
  size_t flush_ticket_ = kNoTicket;  // a flush is scheduled on the loop
  ClientIdentity identity_;
  std::vector<std::string> channels_;          // subscribed wire channels
  std::vector<std::string> pending_channels_;  // subscribe in progress
  Disconnect close_with_{0, ""};
  bool accepted_ = false;  // handshake done: frames (and close) may be sent
  bool connected_ = false;
  bool ping_outstanding_ = false;
  bool write_waiting_ = false;  // the socket is full: waiting to write
  bool read_waiting_ = false;
  bool reading_stopped_ = false;  // after the peer's close or a fault
  bool write_failed_ = false;
  bool closing_ = false;      // Close was called: no more commands
  bool close_sent_ = false;   // the close frame is queued or on its way
  bool peer_closed_ = false;  // the peer's close frame arrived
  bool finished_ = false;
  bool counted_connected_ = false;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_CLIENT_H_
