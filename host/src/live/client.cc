#include "live/client.h"

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <random>

#include "live/errors.h"
#include "live/ws_handshake.h"
#include "runnel/live_channel.h"
#include "runnel/log.h"

namespace runnel::host {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// Bytes on their way to the socket: one control frame, or one text frame of
// queued messages joined by '\n'. `written` counts what the kernel took.
struct ClientSession::Outgoing {
  std::vector<SharedBuffer> messages;  // keeps the payloads alive
  std::string control;                 // a whole control frame
  uint8_t header[ws::kMaxHeaderBytes];
  size_t header_size = 0;
  size_t total = 0;
  size_t written = 0;
  bool is_close = false;
};

namespace {

constexpr size_t kMaxChannelWireLength = 255;  // centrifuge ChannelMaxLength
// Reads per wake-up before yielding the loop to other connections.
constexpr int kReadsPerTurn = 16;
constexpr std::string_view kNewline = "\n";

// One read buffer per loop thread, shared by all its connections: a
// connection holds no buffer while it waits.
std::array<uint8_t, 64 * 1024>& ReadBuffer() {
  thread_local std::array<uint8_t, 64 * 1024> buffer;
  return buffer;
}

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

std::string NewClientId() {
  uint64_t a = Rng()(), b = Rng()();
  char out[37];
  std::snprintf(out, sizeof(out), "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return out;
}

std::string_view ToStd(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

// Grafana's "invalid channel ID", with the parser's detail when it has one.
std::string InvalidChannelMessage(const std::string& why) {
  std::string message(kErrorInvalidChannel.message);
  if (why.empty()) return message;
  if (why.rfind(message, 0) == 0) return why;  // already says so
  return message + ": " + why;
}

// Appends to `buffers` the part of `piece` past `*skip` bytes.
void AddRemaining(asio::const_buffer piece, size_t* skip,
                  std::vector<asio::const_buffer>* buffers) {
  if (*skip >= piece.size()) {
    *skip -= piece.size();
    return;
  }
  buffers->push_back(piece + *skip);
  *skip = 0;
}

// The hub refuses a publication over max_publication_size (no client queue
// could hold it); the publisher hears of it as 106, like other limits.
PublishReply PublicationRefused() {
  return PublishReply{kErrorLimitExceeded.code, "publication too large", ""};
}

}  // namespace

ClientSession::ClientSession(asio::ip::tcp::socket socket, IoLoop* loop,
                             std::shared_ptr<ClientEnvironment> env)
    : socket_(std::move(socket)),
      loop_(loop),
      env_(std::move(env)),
      writer_(env_->config.client_queue_max_size,
              env_->config.max_messages_in_frame, env_->config.max_frame_bytes),
      reader_(env_->config.message_size_limit),
      timer_(socket_.get_executor()) {}

ClientSession::~ClientSession() {
  // Normally Finish already left the hub; this covers odd exits.
  LeaveHub();
}

void ClientSession::LeaveHub() {
  for (const std::string& channel : channels_) {
    env_->hub->Unsubscribe(channel, this);
  }
  channels_.clear();
  channels_.shrink_to_fit();
}

void ClientSession::Start(const Request& upgrade) {
  error_code ec;
  socket_.non_blocking(true, ec);
  const bool offers_json = ws::OffersSubprotocol(
      ToStd(upgrade[http::field::sec_websocket_protocol]), "centrifuge-json");
  auto response = std::make_shared<std::string>(
      ws::UpgradeResponse(ToStd(upgrade[http::field::sec_websocket_key]),
                          offers_json ? "centrifuge-json" : ""));
  asio::async_write(socket_, asio::buffer(*response),
                    [self = shared_from_this(), response](
                        error_code ec, size_t) { self->OnAccept(ec); });
}

void ClientSession::OnAccept(error_code ec) {
  if (ec || finished_) {
    log::Debug("live: WebSocket handshake failed", {{"error", ec.message()}});
    TearDown();
    return;
  }
  accepted_ = true;
  identity_.client_id = NewClientId();
  WaitReadable();
  if (closing_) {  // closed during the handshake: send the close frame now
    Flush();
    return;
  }
  ArmTimer(TimerPurpose::kStale, env_->config.stale_close_delay);
}

void ClientSession::WaitReadable() {
  if (read_waiting_ || reading_stopped_ || finished_) return;
  read_waiting_ = true;
  socket_.async_wait(asio::socket_base::wait_read,
                     [self = shared_from_this()](error_code ec) {
                       self->read_waiting_ = false;
                       self->OnReadable(ec);
                     });
}

void ClientSession::OnReadable(error_code ec) {
  if (finished_ || reading_stopped_) return;
  if (ec) {
    TearDown();
    return;
  }
  auto& buffer = ReadBuffer();
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
    const uint16_t fault = reader_.Feed(buffer.data(), n, *this);
    if (finished_) return;
    if (fault == ws::kCloseMessageTooBig) {
      log::Info("live: message over message_size_limit",
                {{"client", identity_.client_id},
                 {"limit", std::to_string(env_->config.message_size_limit)}});
      // Reads go on (discarding) until the client's close frame.
      CloseOnLoop(kDisconnectMessageTooBig, /*flush=*/false);
    } else if (fault != 0) {
      log::Info(
          "live: WebSocket protocol error",
          {{"client", identity_.client_id}, {"error", reader_.fault_reason()}});
      reading_stopped_ = true;
      CloseOnLoop({ws::kCloseProtocolError, "protocol error"}, false);
      return;
    }
    if (reading_stopped_) return;
  }
  // More may be waiting: come back after the other connections' turn.
  asio::post(socket_.get_executor(),
             [self = shared_from_this()]() { self->OnReadable({}); });
}

void ClientSession::OnMessage(std::string_view payload, bool) {
  HandleFrame(payload);
}

void ClientSession::OnPing(std::string_view payload) {
  if (close_sent_) return;
  // Pongs wait in the writer with everything else: a client that pings and
  // never reads is cut at client_queue_max_size like any slow reader.
  if (QueueControlFrame(ws::Opcode::kPong, payload) ==
      Writer::EnqueueResult::kSlow) {
    CloseOnLoop(kDisconnectSlow, /*flush=*/false);
    return;
  }
  Flush();
}

void ClientSession::OnClose(uint16_t code, std::string_view) {
  peer_closed_ = true;
  reading_stopped_ = true;
  if (close_sent_) {
    // Our close went first; theirs completes the handshake once ours is
    // out (OnCloseFrameWritten), or now if it already is.
    if (!out_ && !writer_.has_control()) TearDown();
    return;
  }
  // The client closes: echo its code (the reader let only valid ones
  // through), send nothing else.
  closing_ = true;
  close_with_ = {code == ws::kCloseNoStatus ? ws::kCloseNormal : code, ""};
  writer_.Close(/*drop_queued=*/true);
  LeaveHub();
  ArmTimer(TimerPurpose::kCloseDeadline, env_->config.close_handshake_timeout);
  Flush();
}

void ClientSession::HandleFrame(std::string_view frame) {
  if (closing_) return;
  std::vector<Command> commands;
  std::string error;
  if (!DecodeCommands(frame, &commands, &error)) {
    log::Info("live: undecodable frame",
              {{"client", identity_.client_id}, {"error", error}});
    CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  for (Command& command : commands) {
    if (closing_) return;
    HandleCommand(command);
  }
}

void ClientSession::HandleCommand(Command& command) {
  if (command.method == Method::kConnect) {
    HandleConnect(command);
    return;
  }
  if (!connected_) {
    log::Info("live: command before connect",
              {{"client", identity_.client_id}});
    CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  switch (command.method) {
    case Method::kPong:
      HandlePong();
      return;
    case Method::kSubscribe:
      HandleSubscribe(command);
      return;
    case Method::kUnsubscribe:
      HandleUnsubscribe(command);
      return;
    case Method::kPublish:
      HandlePublish(command);
      return;
    case Method::kPresence:
      Send(EncodePresenceReply(command.id));
      return;
    case Method::kPresenceStats:
      Send(EncodePresenceStatsReply(command.id));
      return;
    case Method::kSend:
      return;  // no handler for async messages
    case Method::kHistory:
    case Method::kPing:
    case Method::kRefresh:
    case Method::kSubRefresh:
      SendError(command.id, kErrorNotAvailable.code,
                kErrorNotAvailable.message);
      return;
    case Method::kRpc:  // grafana.query is not supported yet
    case Method::kUnknown:
    case Method::kConnect:
      SendError(command.id, kErrorMethodNotFound.code,
                kErrorMethodNotFound.message);
      return;
  }
}

void ClientSession::HandleConnect(const Command& command) {
  if (connected_) {
    log::Info("live: second connect", {{"client", identity_.client_id}});
    CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  connected_ = true;
  const auto& config = env_->config;
  const uint32_t ping_seconds = static_cast<uint32_t>(
      std::max<int64_t>(1, (config.ping_interval.count() + 999) / 1000));
  const bool pong = config.pong_timeout.count() > 0;
  Send(EncodeConnectReply(command.id, identity_.client_id, ping_seconds, pong));
  int64_t clients = ++env_->connected_clients;
  counted_connected_ = true;
  if (config.max_connections >= 0 && clients > config.max_connections) {
    log::Warn("live: connection limit reached, closing client",
              {{"client", identity_.client_id},
               {"max_connections", std::to_string(config.max_connections)}});
    CloseOnLoop(kDisconnectConnectionLimit, true);
    return;
  }
  // First ping at a random point in [interval/2, interval].
  auto interval =
      std::chrono::duration_cast<Clock::duration>(config.ping_interval);
  std::uniform_int_distribution<int64_t> jitter(0, interval.count() / 2);
  last_ping_ = Clock::now();
  ArmTimer(TimerPurpose::kPing, interval / 2 + Clock::duration(jitter(Rng())));
}

bool ClientSession::IsSubscribed(const std::string& channel) const {
  return std::find(channels_.begin(), channels_.end(), channel) !=
             channels_.end() ||
         std::find(pending_channels_.begin(), pending_channels_.end(),
                   channel) != pending_channels_.end();
}

void ClientSession::HandleSubscribe(Command& command) {
  const std::string& wire = command.channel;
  if (wire.empty()) {
    CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  if (wire.size() > kMaxChannelWireLength) {
    SendError(command.id, kErrorBadRequest.code, kErrorBadRequest.message);
    return;
  }
  if (IsSubscribed(wire)) {
    SendError(command.id, kErrorAlreadySubscribed.code,
              kErrorAlreadySubscribed.message);
    return;
  }
  if (channels_.size() + pending_channels_.size() >=
      static_cast<size_t>(env_->config.client_channel_limit)) {
    SendError(command.id, kErrorLimitExceeded.code,
              kErrorLimitExceeded.message);
    return;
  }
  std::optional<LiveChannel> channel = ParseClientChannel(command.id, wire);
  if (!channel) return;
  if (channel->scope == "ds" || channel->scope == "plugin") {
    ChannelHandler* handler = env_->channel_handler;
    if (handler == nullptr) {
      SendError(command.id, kErrorNotFound.code, kErrorNotFound.message);
      return;
    }
    pending_channels_.push_back(wire);
    std::weak_ptr<ClientSession> weak = weak_from_this();
    auto executor = socket_.get_executor();
    uint32_t id = command.id;
    handler->OnSubscribe(
        identity_, wire, *channel, command.data,
        [weak, executor, id, wire](SubscribeReply reply) {
          auto self = weak.lock();
          if (!self) return;
          asio::post(executor, [self, id, wire, reply = std::move(reply)]() {
            self->FinishSubscribe(id, wire, std::move(reply));
          });
        });
    return;
  }
  if (channel->scope == "stream" ||
      (channel->scope == "grafana" && (channel->namespace_ == "broadcast" ||
                                       channel->namespace_ == "dashboard"))) {
    pending_channels_.push_back(wire);
    FinishSubscribe(command.id, wire, SubscribeReply{});
    return;
  }
  SendError(command.id, kErrorNotFound.code, kErrorNotFound.message);
}

void ClientSession::FinishSubscribe(uint32_t id, const std::string& wire,
                                    SubscribeReply reply) {
  auto pending =
      std::find(pending_channels_.begin(), pending_channels_.end(), wire);
  const bool still_wanted = pending != pending_channels_.end();
  if (still_wanted) pending_channels_.erase(pending);
  if (finished_ || closing_) return;
  if (reply.error_code != 0) {
    std::string message = reply.error_message;
    if (message.empty()) {
      message = reply.error_code == 404   ? std::string(kErrorNotFound.message)
                : reply.error_code == 403 ? std::string(kErrorForbidden.message)
                                          : std::string("error");
    }
    SendError(id, reply.error_code, message);
    return;
  }
  // The reply goes into the queue before the client joins the hub, so no
  // publication can precede it.
  Send(EncodeSubscribeReply(id, reply.data));
  if (!still_wanted || closing_) return;
  if (env_->hub->Subscribe(wire, this)) channels_.push_back(wire);
}

void ClientSession::HandleUnsubscribe(const Command& command) {
  auto it = std::find(channels_.begin(), channels_.end(), command.channel);
  if (it != channels_.end()) {
    env_->hub->Unsubscribe(command.channel, this);
    channels_.erase(it);
    if (channels_.empty()) channels_.shrink_to_fit();
  } else {
    auto p = std::find(pending_channels_.begin(), pending_channels_.end(),
                       command.channel);
    if (p != pending_channels_.end()) pending_channels_.erase(p);
  }
  Send(EncodeEmptyReply(command.id, "unsubscribe"));
}

std::optional<LiveChannel> ClientSession::ParseClientChannel(
    uint32_t command_id, const std::string& wire) {
  int64_t org_id = 0;
  std::string why;
  std::optional<LiveChannel> channel = ParseOrgChannel(wire, &org_id, &why);
  if (!channel) {
    SendError(command_id, kErrorInvalidChannel.code,
              InvalidChannelMessage(why));
    return std::nullopt;
  }
  if (org_id != identity_.org_id) {
    SendError(command_id, kErrorPermissionDenied.code,
              kErrorPermissionDenied.message);
    return std::nullopt;
  }
  return channel;
}

void ClientSession::HandlePublish(Command& command) {
  const std::string& wire = command.channel;
  std::optional<LiveChannel> channel = ParseClientChannel(command.id, wire);
  if (!channel) return;
  if (channel->scope == "ds" || channel->scope == "plugin") {
    ChannelHandler* handler = env_->channel_handler;
    if (handler == nullptr) {
      SendError(command.id, kErrorNotFound.code, kErrorNotFound.message);
      return;
    }
    std::weak_ptr<ClientSession> weak = weak_from_this();
    auto executor = socket_.get_executor();
    Hub* hub = env_->hub;
    uint32_t id = command.id;
    handler->OnPublish(identity_, wire, *channel, command.data,
                       [weak, executor, id, wire, hub](PublishReply reply) {
                         if (reply.error_code == 0 && !reply.data.empty() &&
                             !hub->Publish(wire, reply.data).ok()) {
                           reply = PublicationRefused();
                         }
                         auto self = weak.lock();
                         if (!self) return;
                         asio::post(
                             executor, [self, id, reply = std::move(reply)]() {
                               if (self->closing_) return;
                               if (reply.error_code != 0) {
                                 self->SendError(id, reply.error_code,
                                                 reply.error_message.empty()
                                                     ? std::string("error")
                                                     : reply.error_message);
                               } else {
                                 self->Send(EncodeEmptyReply(id, "publish"));
                               }
                             });
                       });
    return;
  }
  if (channel->scope == "grafana" && channel->namespace_ == "broadcast") {
    if (!command.data.empty() && !env_->hub->Publish(wire, command.data).ok()) {
      PublishReply refused = PublicationRefused();
      SendError(command.id, refused.error_code, refused.error_message);
      return;
    }
    Send(EncodeEmptyReply(command.id, "publish"));
    return;
  }
  if (channel->scope == "stream" || channel->scope == "grafana") {
    SendError(command.id, kErrorForbidden.code, kErrorForbidden.message);
    return;
  }
  SendError(command.id, kErrorNotFound.code, kErrorNotFound.message);
}

void ClientSession::HandlePong() {
  if (!ping_outstanding_) {
    log::Info("live: pong without a ping", {{"client", identity_.client_id}});
    CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  ping_outstanding_ = false;
  auto next = last_ping_ + std::chrono::duration_cast<Clock::duration>(
                               env_->config.ping_interval);
  ArmTimer(TimerPurpose::kPing,
           std::max(Clock::duration::zero(), next - Clock::now()));
}

void ClientSession::ArmTimer(TimerPurpose purpose, Clock::duration in) {
  timer_purpose_ = purpose;
  timer_.expires_after(in);
  timer_.async_wait(
      [self = shared_from_this()](error_code ec) { self->OnTimer(ec); });
}

void ClientSession::OnTimer(error_code ec) {
  if (ec || finished_) return;                 // cancelled or re-armed
  if (timer_.expiry() > Clock::now()) return;  // re-armed meanwhile
  if (closing_ && timer_purpose_ != TimerPurpose::kCloseDeadline) return;
  switch (timer_purpose_) {
    case TimerPurpose::kNone:
      return;
    case TimerPurpose::kCloseDeadline:
      log::Info("live: close did not complete in time, dropping connection",
                {{"client", identity_.client_id}});
      TearDown();
      return;
    case TimerPurpose::kStale:
      if (!connected_) {
        log::Info("live: no connect in time",
                  {{"client", identity_.client_id}});
        CloseOnLoop(kDisconnectStale, true);
      }
      return;
    case TimerPurpose::kPing:
      Send(std::string(kPingReply));
      last_ping_ = Clock::now();
      if (env_->config.pong_timeout.count() > 0) {
        ping_outstanding_ = true;
        ArmTimer(TimerPurpose::kPong, env_->config.pong_timeout);
      } else {
        ArmTimer(TimerPurpose::kPing, env_->config.ping_interval);
      }
      return;
    case TimerPurpose::kPong:
      if (ping_outstanding_) {
        log::Info("live: no pong", {{"client", identity_.client_id}});
        CloseOnLoop(kDisconnectNoPong, true);
      }
      return;
  }
}

void ClientSession::Send(std::string message) {
  if (close_sent_ || finished_) return;
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

void ClientSession::SendError(uint32_t id, int32_t code,
                              std::string_view message, bool temporary) {
  Send(EncodeErrorReply(id, code, message, temporary));
}

void ClientSession::Deliver(const SharedBuffer& message) {
  // The hub is walking its subscribers: anything that would leave the hub
  // (a 3008 close, a failed socket) is posted, not done here.
  if (!accepted_ || closing_ || finished_ || write_failed_) return;
  switch (writer_.Enqueue(message)) {
    case Writer::EnqueueResult::kSlow:
      asio::post(socket_.get_executor(), [self = shared_from_this()]() {
        self->CloseOnLoop(kDisconnectSlow, false);
      });
      return;
    case Writer::EnqueueResult::kClosed:
      return;
    case Writer::EnqueueResult::kStartWrite:
    case Writer::EnqueueResult::kQueued:
      break;
  }
  // A socket that is full flushes when it drains.
  if (flush_ticket_ == kNoTicket && !write_waiting_) {
    flush_ticket_ = loop_->ScheduleFlush(this);
  }
}

void ClientSession::FlushNow() {
  flush_ticket_ = kNoTicket;
  Flush();
}

Writer::EnqueueResult ClientSession::QueueControlFrame(
    ws::Opcode opcode, std::string_view payload) {
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

bool ClientSession::NextOutgoing(Outgoing& out) {
  out.messages.clear();
  out.control.clear();
  out.header_size = 0;
  out.written = 0;
  out.is_close = false;
  if (writer_.TakeControl(&out.control)) {
    out.total = out.control.size();
    out.is_close = close_sent_;
    return true;
  }
  if (!writer_.TakeBatch(&out.messages)) return false;
  size_t payload = out.messages.size() - 1;  // the '\n' separators
  for (const SharedBuffer& message : out.messages) payload += message->size();
  out.header_size = ws::EncodeHeader(ws::Opcode::kText, payload, out.header);
  out.total = out.header_size + payload;
  return true;
}

bool ClientSession::WriteSome(Outgoing& out) {
  thread_local std::vector<asio::const_buffer> buffers;  // reused: no malloc
  buffers.clear();
  size_t skip = out.written;
  if (!out.control.empty()) {
    AddRemaining(asio::buffer(out.control), &skip, &buffers);
  } else {
    AddRemaining(asio::buffer(out.header, out.header_size), &skip, &buffers);
    for (size_t i = 0; i < out.messages.size(); ++i) {
      if (i > 0) AddRemaining(asio::buffer(kNewline), &skip, &buffers);
      AddRemaining(asio::buffer(*out.messages[i]), &skip, &buffers);
    }
  }
  error_code ec;
  const size_t written = socket_.write_some(buffers, ec);
  if (ec == asio::error::would_block) {
    write_waiting_ = true;
    socket_.async_wait(asio::socket_base::wait_write,
                       [self = shared_from_this()](error_code wait_ec) {
                         self->write_waiting_ = false;
                         if (wait_ec) {
                           self->OnWriteFailed();
                           return;
                         }
                         self->Flush();
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

void ClientSession::Flush() {
  if (!accepted_) return;  // the handshake response goes first
  // What goes out whole in one write needs no allocation of its own: it is
  // built in this loop thread's scratch space.
  thread_local Outgoing scratch;
  while (!write_waiting_ && !write_failed_ && !finished_) {
    Outgoing* out = out_.get();
    if (out == nullptr) {
      if (closing_ && !close_sent_ && writer_.empty()) {
        // Everything queued is out: the close frame is next.
        close_sent_ = true;
        QueueControlFrame(
            ws::Opcode::kClose,
            !ws::IsValidCloseCode(close_with_.code)
                ? std::string()  // e.g. 1005: "no code" is an empty payload
                : ws::EncodeClosePayload(close_with_.code, close_with_.reason));
      }
      if (!NextOutgoing(scratch)) {
        scratch.messages.clear();
        return;  // idle: hold nothing
      }
      out = &scratch;
    }
    const bool ok = WriteSome(*out);
    if (ok && out == &scratch && out->written < out->total) {
      // The kernel took part: the rest stays with the session.
      out_ = std::make_unique<Outgoing>(std::move(scratch));
      out = out_.get();
    }
    if (!ok || out->written < out->total) {
      scratch.messages.clear();
      scratch.control.clear();
      return;  // failed, or waiting for room
    }
    const bool was_close = out->is_close;
    if (out == &scratch) {
      scratch.messages.clear();
    } else {
      out_.reset();
    }
    if (was_close) {
      OnCloseFrameWritten();
      return;
    }
  }
}

void ClientSession::OnWriteFailed() {
  if (write_failed_) return;
  write_failed_ = true;
  writer_.Close(/*drop_queued=*/true);
  if (!closing_) {
    closing_ = true;
    close_with_ = kDisconnectWriteError;
  }
  // Possibly inside the hub's delivery walk: leave it from a fresh turn.
  asio::post(socket_.get_executor(),
             [self = shared_from_this()]() { self->TearDown(); });
}

void ClientSession::OnCloseFrameWritten() {
  // The handshake is complete once both close frames have passed; a
  // client that stopped reading (fault) gets no more time either.
  if (peer_closed_ || reading_stopped_) TearDown();
}

void ClientSession::Close(Disconnect disconnect, bool flush) {
  asio::post(socket_.get_executor(),
             [self = shared_from_this(), disconnect, flush]() {
               self->CloseOnLoop(disconnect, flush);
             });
}

void ClientSession::CloseOnLoop(Disconnect disconnect, bool flush) {
  if (closing_ || finished_) return;
  closing_ = true;
  close_with_ = disconnect;
  if (disconnect.code == kDisconnectSlow.code) {
    ++env_->slow_disconnects;
    LogSlowClose();
  }
  writer_.Close(/*drop_queued=*/!flush);
  // A client that does not read can hold a write (and so the close frame)
  // forever: past this deadline the socket is closed hard.
  ArmTimer(TimerPurpose::kCloseDeadline,
           env_->config.close_handshake_timeout * 2);
  // Leave the hub now: nothing more is delivered to a closing client.
  LeaveHub();
  reader_.DiscardMessages();
  Flush();  // flushes the queue, then sends the close frame
}

void ClientSession::LogSlowClose() const {
  error_code ec;
  const auto remote = socket_.remote_endpoint(ec);
  log::Info("live: client too slow, closing with 3008",
            {{"client", identity_.client_id},
             {"remote", ec ? std::string("?")
                           : remote.address().to_string() + ":" +
                                 std::to_string(remote.port())},
             {"queued_bytes", std::to_string(writer_.overflow_bytes())},
             {"client_queue_max_size",
              std::to_string(env_->config.client_queue_max_size)}});
}

void ClientSession::TearDown() {
  if (finished_) return;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  out_.reset();
  Finish();
}

void ClientSession::Finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  timer_.cancel();
  if (flush_ticket_ != kNoTicket) {
    loop_->CancelFlush(flush_ticket_);
    flush_ticket_ = kNoTicket;
  }
  LeaveHub();
  pending_channels_.clear();
  if (counted_connected_) {
    --env_->connected_clients;
    counted_connected_ = false;
  }
  if (env_->on_finished) env_->on_finished(this);
}

}  // namespace runnel::host
