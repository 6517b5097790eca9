// Connection: one WebSocket connection's transport, as centrifuge's
// Transport is to its Client. It owns the socket, the outgoing queue (a
// Writer, bounded in bytes; pongs and close frames count against it, and
// over it the connection closes with 3008), the write-behind flush and the
// close handshake. Whole text messages go up to its owner
// (ConnectionEvents); it knows nothing of Centrifuge.
//
// Messages are queued in the Writer and written at the end of the loop's
// turn (IoLoop::ScheduleFlush), joined into one frame: one sendmsg per
// message while the loop keeps up, fewer as it falls behind. Only what the
// kernel does not take is held here. Reads wait for readiness first, so an
// idle connection holds no buffer (IoScratch).
//
// Thread-safety: everything runs on the connection's loop, except Close
// (any thread), which posts to it.
// Lifetime: a member of its owner. Each pending asynchronous operation holds
// ConnectionEvents::KeepAlive(), so the owner outlives them.
#ifndef RUNNEL_HOST_LIVE_CONNECTION_H_
#define RUNNEL_HOST_LIVE_CONNECTION_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "live/disconnect.h"
#include "live/io_loops.h"
#include "live/live_config.h"
#include "live/outgoing_frame.h"
#include "live/shared_buffer.h"
#include "live/writer.h"
#include "live/ws_frame.h"

namespace runnel::host {

// What a Connection tells its owner. All on the connection's loop.
class ConnectionEvents {
 public:
  virtual ~ConnectionEvents() = default;
  // Held by every pending operation of the connection.
  virtual std::shared_ptr<void> KeepAlive() = 0;
  // Names the connection in log lines.
  virtual std::string_view LogId() const = 0;
  // The upgrade response is written: messages may be sent.
  virtual void OnOpen() = 0;
  // A whole text (or binary) message, while the connection is open.
  virtual void OnMessage(std::string_view payload) = 0;
  // The owner's timer (ArmTimer) expired, while the connection is open.
  virtual void OnTimer() = 0;
  // Closing has begun: nothing more will be delivered (leave the hub now).
  virtual void OnClosing() = 0;
  // The socket is closed; called once, last.
  virtual void OnFinished() = 0;
};

class Connection : private Flushable, private ws::FrameHandler {
 public:
  // `socket` must belong to `loop`'s io_context. `config` and
  // `slow_disconnects` (counted on every 3008) must outlive the connection.
  Connection(boost::asio::ip::tcp::socket socket, IoLoop* loop,
             const LiveConfig& config, std::atomic<uint64_t>* slow_disconnects,
             ConnectionEvents* events);

  // Writes `upgrade_response` (the 101), then starts reading.
  void Start(std::string upgrade_response);

  // Closes with `disconnect` (any thread). `flush`: send what is queued
  // first.
  void Close(Disconnect disconnect, bool flush);
  void CloseOnLoop(Disconnect disconnect, bool flush);

  // Queues a reply; it is written now if the connection was idle.
  void Send(std::string message);
  // Queues a publication from inside the hub's delivery walk; it is written
  // at the end of the loop's turn.
  void Deliver(const SharedBuffer& message);

  // (Re)arms the owner's one timer; it fires OnTimer. Only while open:
  // from the start of closing the timer is the close deadline's.
  void ArmTimer(std::chrono::steady_clock::duration in);

  // Whether messages from the peer are still wanted (not closing).
  bool open() const { return state_ == State::kOpen; }
  IoLoop* loop() const { return loop_; }
  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

 private:
  // The lifecycle. A close runs kClosing -> kCloseSent -> kFinished; a
  // failed socket skips to kBroken, whose teardown is posted (it may fail
  // inside the hub's delivery walk, which it must not leave from there).
  enum class State {
    kUpgrading,  // writing the 101; a Close now waits for it
    kOpen,
    kClosing,    // the queue drains (or was dropped), then our close frame
    kCloseSent,  // our close frame is queued or on its way
    kBroken,     // a write failed: nothing more is written
    kFinished,   // the socket is closed
  };

  void OnUpgradeWritten(boost::system::error_code ec);
  void WaitReadable();
  void OnReadable(boost::system::error_code ec);
  // Hands read bytes to the frame reader; false once reading is over.
  bool Feed(uint8_t* data, size_t size);
  // ws::FrameHandler
  void OnMessage(std::string_view payload, bool binary) override;
  void OnPing(std::string_view payload) override;
  void OnClose(uint16_t code, std::string_view reason) override;

  // Flushable: the loop's end-of-turn write.
  void FlushNow() override;
  // Writes queued control frames and messages until done or the socket is
  // full (then waits for it to drain).
  void Flush();
  // Asks the loop for an end-of-turn FlushNow, unless one is asked for or
  // a write is waiting for the socket to drain.
  void FlushAtEndOfTurn();
  // The next frame to write, built in the loop's scratch; null if none.
  OutgoingFrame* NextFrame(OutgoingFrame& scratch);
  // Frames a pong or close into the writer; kSlow when that passes the
  // queue bound (the caller closes with 3008).
  Writer::EnqueueResult QueueControlFrame(ws::Opcode opcode,
                                          std::string_view payload);
  void QueueCloseFrame();
  // Returns false if the socket failed (the connection is then dropped).
  bool WriteSome(OutgoingFrame& out);
  void OnWriteFailed();
  void OnCloseFrameWritten();
  // The info line for a 3008: who, and how much was queued.
  void LogSlowClose() const;

  void ArmDeadline(std::chrono::steady_clock::duration in);
  void StartTimer();
  void OnTimerExpired(boost::system::error_code ec);
  // Drops the TCP connection and finishes.
  void TearDown();

  boost::asio::ip::tcp::socket socket_;
  IoLoop* loop_;
  const LiveConfig* config_;
  std::atomic<uint64_t>* slow_disconnects_;
  ConnectionEvents* events_;
  Writer writer_;
  ws::FrameReader reader_;
  boost::asio::steady_timer timer_;
  // What is being written; null while idle so idle costs nothing.
  std::unique_ptr<OutgoingFrame> out_;
  static constexpr size_t kNoTicket = ~size_t{0};
  size_t flush_ticket_ = kNoTicket;  // a flush is scheduled on the loop
  Disconnect close_with_{0, ""};
  State state_ = State::kUpgrading;
  // Independent of state_: the two halves of the close handshake end in
  // either order. True once the peer's close frame arrived or its stream
  // broke the protocol: nothing more is read.
  bool peer_done_ = false;
  // An asynchronous write (the 101) or wait for room is pending: Flush
  // must not write. In any state before kBroken.
  bool write_in_flight_ = false;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_CONNECTION_H_
