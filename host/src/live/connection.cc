#include "live/connection.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "runnel/log.h"

namespace runnel::host {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// Reads per wake-up before yielding the loop to other connections.
constexpr int kReadsPerTurn = 16;

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, IoLoop* loop,
                       const LiveConfig& config,
                       std::atomic<uint64_t>* slow_disconnects,
                       ConnectionEvents* events)
    : socket_(std::move(socket)),
      loop_(loop),
      config_(&config),
      slow_disconnects_(slow_disconnects),
      events_(events),
      writer_(config.client_queue_max_size, config.max_messages_in_frame,
              config.max_frame_bytes),
      reader_(config.message_size_limit),
      timer_(socket_.get_executor()) {}

void Connection::Start(std::string upgrade_response) {
  error_code ec;
  socket_.non_blocking(true, ec);
  auto response = std::make_shared<std::string>(std::move(upgrade_response));
  write_in_flight_ = true;  // the 101 goes before any frame
  asio::async_write(socket_, asio::buffer(*response),
                    [this, keep = events_->KeepAlive(), response](
                        error_code ec, size_t) { OnUpgradeWritten(ec); });
}

void Connection::OnUpgradeWritten(error_code ec) {
  write_in_flight_ = false;
  if (ec || state_ == State::kFinished) {
    log::Debug("live: WebSocket handshake failed", {{"error", ec.message()}});
    TearDown();
    return;
  }
  WaitReadable();
  if (state_ != State::kUpgrading) {  // closed meanwhile: the close frame now
    Flush();
    return;
  }
  state_ = State::kOpen;
  events_->OnOpen();
}

void Connection::WaitReadable() {
  if (peer_done_ || state_ == State::kFinished) return;
  socket_.async_wait(
      asio::socket_base::wait_read,
      [this, keep = events_->KeepAlive()](error_code ec) { OnReadable(ec); });
}

void Connection::OnReadable(error_code ec) {
  if (state_ == State::kFinished || peer_done_) return;
  if (ec) {
    TearDown();
    return;
  }
  std::array<uint8_t, 64 * 1024>& buffer = loop_->scratch().read_buffer;
  for (int turn = 0; turn < kReadsPerTurn; ++turn) {
    size_t n = socket_.read_some(asio::buffer(buffer), ec);
    if (ec == asio::error::would_block) {
      WaitReadable();
      return;
    }
    if (ec) {  // EOF or reset: the client is gone
      writer_.Close(/*drop_queued=*/true);
      TearDown();
      return;
    }
    if (!Feed(buffer.data(), n)) return;
  }
  // More may be waiting: come back after the other connections' turn.
  asio::post(socket_.get_executor(),
             [this, keep = events_->KeepAlive()] { OnReadable({}); });
}

bool Connection::Feed(uint8_t* data, size_t size) {
  const uint16_t fault = reader_.Feed(data, size, *this);
  if (state_ == State::kFinished) return false;
  // Pongs wait no longer than the read that asked for them, so what
  // queues is at most one read's worth.
  if (writer_.has_control()) Flush();
  if (fault == ws::kCloseMessageTooBig) {
    log::Info("live: message over message_size_limit",
              {{"client", events_->LogId()},
               {"limit", std::to_string(config_->message_size_limit)}});
    // Reads go on (discarding) until the client's close frame.
    CloseOnLoop(kDisconnectMessageTooBig, /*flush=*/false);
  } else if (fault != 0) {
    log::Info(
        "live: WebSocket protocol error",
        {{"client", events_->LogId()}, {"error", reader_.fault_reason()}});
    peer_done_ = true;
    CloseOnLoop({ws::kCloseProtocolError, "protocol error"}, false);
    return false;
  }
  return !peer_done_;
}

void Connection::OnMessage(std::string_view payload, bool) {
  if (state_ == State::kOpen) events_->OnMessage(payload);
}

void Connection::OnPing(std::string_view payload) {
  if (state_ >= State::kCloseSent) return;
  // Pongs wait in the writer with everything else: a client that pings and
  // never reads is cut at client_queue_max_size like any slow reader.
  if (QueueControlFrame(ws::Opcode::kPong, payload) ==
      Writer::EnqueueResult::kSlow) {
    CloseOnLoop(kDisconnectSlow, /*flush=*/false);
    return;
  }
  // Written once the whole read is fed (Feed): the pongs to all the pings
  // of one read leave in one write. A write per ping cost a sendmsg per 6
  // bytes read, so a ping flood held the loop (and everyone on it) for
  // seconds.
}

void Connection::OnClose(uint16_t code, std::string_view) {
  peer_done_ = true;
  if (state_ == State::kCloseSent) {
    // Our close went first; theirs completes the handshake once ours is
    // out (OnCloseFrameWritten), or now if it already is.
    if (!out_ && !writer_.has_control()) TearDown();
    return;
  }
  if (state_ >= State::kBroken) return;  // the teardown is under way
  // The client closes: echo its code (the reader let only valid ones
  // through), send nothing else.
  state_ = State::kClosing;
  close_with_ = {code == ws::kCloseNoStatus ? ws::kCloseNormal : code, ""};
  writer_.Close(/*drop_queued=*/true);
  events_->OnClosing();
  ArmDeadline(config_->close_handshake_timeout);
  Flush();
}

void Connection::Send(std::string message) {
  if (state_ >= State::kCloseSent) return;
  switch (writer_.Enqueue(MakeSharedBuffer(std::move(message)))) {
    case Writer::EnqueueResult::kStartWrite:
      Flush();
      return;
    case Writer::EnqueueResult::kSlow:
      CloseOnLoop(kDisconnectSlow, false);
      return;
    case Writer::EnqueueResult::kQueued:
    case Writer::EnqueueResult::kClosed:
      return;
  }
}

void Connection::Deliver(const SharedBuffer& message) {
  // The hub is walking its subscribers: anything that would leave the hub
  // (a 3008 close, a failed socket) is posted, not done here.
  if (state_ != State::kOpen) return;
  switch (writer_.Enqueue(message)) {
    case Writer::EnqueueResult::kSlow:
      asio::post(socket_.get_executor(), [this, keep = events_->KeepAlive()] {
        CloseOnLoop(kDisconnectSlow, false);
      });
      return;
    case Writer::EnqueueResult::kClosed:
      return;
    case Writer::EnqueueResult::kStartWrite:
    case Writer::EnqueueResult::kQueued:
      break;
  }
  FlushAtEndOfTurn();
}

void Connection::FlushAtEndOfTurn() {
  // A socket that is full flushes when it drains.
  if (flush_ticket_ == kNoTicket && !write_in_flight_) {
    flush_ticket_ = loop_->ScheduleFlush(this);
  }
}

void Connection::FlushNow() {
  flush_ticket_ = kNoTicket;
  Flush();
}

Writer::EnqueueResult Connection::QueueControlFrame(ws::Opcode opcode,
                                                    std::string_view payload) {
  // A control frame is at most 2 + 125 bytes: framed on the stack.
  char frame[ws::kMaxHeaderBytes + ws::kMaxControlPayload];
  payload = payload.substr(0, ws::kMaxControlPayload);
  const size_t header_size = ws::EncodeHeader(
      opcode, payload.size(), reinterpret_cast<uint8_t*>(frame));
  std::copy(payload.begin(), payload.end(), frame + header_size);
  return writer_.EnqueueControl(
      std::string_view(frame, header_size + payload.size()),
      opcode == ws::Opcode::kClose);
}

void Connection::QueueCloseFrame() {
  state_ = State::kCloseSent;
  QueueControlFrame(
      ws::Opcode::kClose,
      !ws::IsValidCloseCode(close_with_.code)
          ? std::string()  // e.g. 1005: "no code" is an empty payload
          : ws::EncodeClosePayload(close_with_.code, close_with_.reason));
}

OutgoingFrame* Connection::NextFrame(OutgoingFrame& scratch) {
  // Everything queued is out: the close frame is next.
  if (state_ == State::kClosing && writer_.empty()) QueueCloseFrame();
  scratch.Clear();
  if (writer_.TakeControl(&scratch.control)) {
    scratch.total = scratch.control.size();
    scratch.is_close = state_ == State::kCloseSent;
    return &scratch;
  }
  if (!writer_.TakeBatch(&scratch.messages)) return nullptr;
  scratch.FrameMessages();
  return &scratch;
}

bool Connection::WriteSome(OutgoingFrame& out) {
  std::vector<asio::const_buffer>& buffers = loop_->scratch().write_buffers;
  out.Unwritten(&buffers);
  error_code ec;
  const size_t written = socket_.write_some(buffers, ec);
  if (ec == asio::error::would_block) {
    write_in_flight_ = true;
    socket_.async_wait(asio::socket_base::wait_write,
                       [this, keep = events_->KeepAlive()](error_code wait_ec) {
                         write_in_flight_ = false;
                         if (wait_ec) {
                           OnWriteFailed();
                           return;
                         }
                         Flush();
                       });
    return true;
  }
  if (ec) {
    OnWriteFailed();
    return false;
  }
  out.written += written;
  return true;
}

void Connection::Flush() {
  // What goes out whole in one write needs no allocation of its own: it is
  // built in the loop's scratch frame.
  OutgoingFrame& scratch = loop_->scratch().frame;
  while (!write_in_flight_ && state_ < State::kBroken) {
    OutgoingFrame* out = out_ ? out_.get() : NextFrame(scratch);
    if (out == nullptr) {
      scratch.Clear();
      return;  // idle: hold nothing
    }
    if (!WriteSome(*out)) {
      scratch.Clear();
      return;
    }
    if (!out->done()) {
      // The kernel took part: the rest stays with the connection, and the
      // next write either takes more or would block and waits for room (a
      // return here would leave the rest until some later message).
      if (out == &scratch)
        out_ = std::make_unique<OutgoingFrame>(std::move(scratch));
      scratch.Clear();
      continue;
    }
    const bool was_close = out->is_close;
    if (out == &scratch) {
      scratch.Clear();
    } else {
      out_.reset();
    }
    if (was_close) {
      OnCloseFrameWritten();
      return;
    }
  }
}

void Connection::OnWriteFailed() {
  if (state_ >= State::kBroken) return;
  state_ = State::kBroken;
  writer_.Close(/*drop_queued=*/true);
  // Possibly inside the hub's delivery walk: leave it from a fresh turn.
  asio::post(socket_.get_executor(),
             [this, keep = events_->KeepAlive()] { TearDown(); });
}

void Connection::OnCloseFrameWritten() {
  // The handshake is complete once both close frames have passed; a
  // client that broke the protocol gets no more time either.
  if (peer_done_) TearDown();
}

void Connection::Close(Disconnect disconnect, bool flush) {
  asio::post(socket_.get_executor(),
             [this, keep = events_->KeepAlive(), disconnect, flush] {
               CloseOnLoop(disconnect, flush);
             });
}

void Connection::CloseOnLoop(Disconnect disconnect, bool flush) {
  if (state_ != State::kUpgrading && state_ != State::kOpen) return;
  state_ = State::kClosing;
  close_with_ = disconnect;
  if (disconnect.code == kDisconnectSlow.code) {
    ++*slow_disconnects_;
    LogSlowClose();
  }
  writer_.Close(/*drop_queued=*/!flush);
  // A client that does not read can hold a write (and so the close frame)
  // forever: past this deadline the socket is closed hard.
  ArmDeadline(config_->close_handshake_timeout * 2);
  // Nothing more is delivered to a closing client.
  events_->OnClosing();
  reader_.DiscardMessages();
  Flush();  // flushes the queue, then sends the close frame
}

void Connection::LogSlowClose() const {
  error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  log::Info("live: client too slow, closing with 3008",
            {{"client", events_->LogId()},
             {"remote", ec ? std::string("?")
                           : remote.address().to_string() + ":" +
                                 std::to_string(remote.port())},
             {"queued_bytes", std::to_string(writer_.overflow_bytes())},
             {"client_queue_max_size",
              std::to_string(config_->client_queue_max_size)}});
}

void Connection::ArmTimer(Clock::duration in) {
  if (state_ != State::kOpen) return;
  timer_.expires_after(in);
  StartTimer();
}

void Connection::ArmDeadline(Clock::duration in) {
  timer_.expires_after(in);
  StartTimer();
}

void Connection::StartTimer() {
  timer_.async_wait([this, keep = events_->KeepAlive()](error_code ec) {
    OnTimerExpired(ec);
  });
}

void Connection::OnTimerExpired(error_code ec) {
  if (ec || state_ == State::kFinished) return;  // cancelled or re-armed
  if (timer_.expiry() > Clock::now()) return;    // re-armed meanwhile
  switch (state_) {
    case State::kOpen:
      events_->OnTimer();
      return;
    case State::kClosing:
    case State::kCloseSent:
      log::Info("live: close did not complete in time, dropping connection",
                {{"client", events_->LogId()}});
      TearDown();
      return;
    case State::kUpgrading:
    case State::kBroken:
    case State::kFinished:
      return;
  }
}

void Connection::TearDown() {
  if (state_ == State::kFinished) return;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  out_.reset();
  state_ = State::kFinished;
  timer_.cancel();
  if (flush_ticket_ != kNoTicket) {
    loop_->CancelFlush(flush_ticket_);
    flush_ticket_ = kNoTicket;
  }
  events_->OnFinished();
}

}  // namespace runnel::host
