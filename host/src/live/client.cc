#include "live/client.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <random>

#include "live/errors.h"
#include "runnel/live_channel.h"
#include "runnel/log.h"

namespace runnel::host {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

struct ClientSession::WriteBatch {
  std::vector<SharedBuffer> messages;
  std::vector<asio::const_buffer> buffers;  // messages joined by "\n"
};

namespace {

constexpr size_t kReadChunk = 256;  // bytes prepared per read while idle
constexpr size_t kMaxChannelWireLength = 255;  // centrifuge ChannelMaxLength

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

std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

// Grafana's "invalid channel ID", with the parser's detail when it has one.
std::string InvalidChannelMessage(const std::string& why) {
  std::string message(kErrorInvalidChannel.message);
  if (why.empty()) return message;
  if (why.rfind(message, 0) == 0) return why;  // already says so
  return message + ": " + why;
}

bool OffersSubprotocol(std::string_view header, std::string_view wanted) {
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view token = header.substr(start, end - start);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token == wanted) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

ClientSession::ClientSession(asio::ip::tcp::socket socket,
                             std::shared_ptr<ClientEnvironment> env)
    : ws_(std::move(socket)),
      env_(std::move(env)),
      writer_(env_->config.client_queue_max_size,
              env_->config.max_messages_in_frame, env_->config.max_frame_bytes),
      timer_(ws_.get_executor()) {}

ClientSession::~ClientSession() {
  // Normally Finish already left the hub; this covers odd exits.
  for (const std::string& channel : channels_) {
    env_->hub->Unsubscribe(channel, this);
  }
}

void ClientSession::Start(Request upgrade) {
  ws_.set_option(
      websocket::stream_base::timeout{env_->config.close_handshake_timeout,
                                      websocket::stream_base::none(), false});
  // The size limit is checked in OnRead, so that the 1009 close goes through
  // a normal close handshake (Beast's own limit drops the connection, and
  // the unread rest of the message then resets it before the close frame
  // reaches the client).
  ws_.read_message_max(0);
  ws_.auto_fragment(false);
  const bool offers_json = OffersSubprotocol(
      ToStd(upgrade[beast::http::field::sec_websocket_protocol]),
      "centrifuge-json");
  ws_.set_option(websocket::stream_base::decorator(
      [offers_json](websocket::response_type& response) {
        response.set(beast::http::field::server, "runnel");
        if (offers_json) {
          response.set(beast::http::field::sec_websocket_protocol,
                       "centrifuge-json");
        }
      }));
  auto self = shared_from_this();
  auto request = std::make_shared<Request>(std::move(upgrade));
  ws_.async_accept(
      *request, [self, request](beast::error_code ec) { self->OnAccept(ec); });
}

void ClientSession::OnAccept(beast::error_code ec) {
  if (ec) {
    log::Debug("live: WebSocket handshake failed", {{"error", ec.message()}});
    Finish();
    return;
  }
  // Beast's accept resets the stream's operation locks, so nothing may be
  // written (not even the close frame) before this point.
  accepted_ = true;
  if (closing_) {  // closed during the handshake: send the close frame now
    DoWrite();
    return;
  }
  ws_.text(true);
  identity_.client_id = NewClientId();
  ArmTimer(TimerPurpose::kStale, env_->config.stale_close_delay);
  ReadMore();
}

void ClientSession::ReadMore() {
  ws_.async_read_some(
      read_buffer_, kReadChunk,
      [self = shared_from_this()](beast::error_code ec, size_t bytes) {
        self->OnRead(ec, bytes);
      });
}

void ClientSession::OnRead(beast::error_code ec, size_t) {
  if (ec) {
    writer_.Close(/*drop_queued=*/true);
    Finish();
    return;
  }
  if (read_buffer_.size() > env_->config.message_size_limit) {
    log::Info("live: message over message_size_limit",
              {{"client", identity_.client_id},
               {"limit", std::to_string(env_->config.message_size_limit)}});
    read_buffer_ = beast::flat_buffer();
    // No more reads of ours: the close handshake drains the rest.
    CloseOnStrand(kDisconnectMessageTooBig, /*flush=*/false);
    return;
  }
  if (!ws_.is_message_done()) {
    ReadMore();
    return;
  }
  HandleFrame();
  read_buffer_.clear();
  read_buffer_.shrink_to_fit();
  if (!finished_) ReadMore();
}

void ClientSession::HandleFrame() {
  if (closing_) return;
  auto data = read_buffer_.cdata();
  std::string_view frame(static_cast<const char*>(data.data()), data.size());
  std::vector<Command> commands;
  std::string error;
  if (!DecodeCommands(frame, &commands, &error)) {
    log::Info("live: undecodable frame",
              {{"client", identity_.client_id}, {"error", error}});
    CloseOnStrand(kDisconnectBadRequest, true);
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
    CloseOnStrand(kDisconnectBadRequest, true);
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
    CloseOnStrand(kDisconnectBadRequest, true);
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
    CloseOnStrand(kDisconnectConnectionLimit, true);
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
    CloseOnStrand(kDisconnectBadRequest, true);
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
    auto executor = ws_.get_executor();
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
    auto executor = ws_.get_executor();
    Hub* hub = env_->hub;
    uint32_t id = command.id;
    handler->OnPublish(identity_, wire, *channel, command.data,
                       [weak, executor, id, wire, hub](PublishReply reply) {
                         if (reply.error_code == 0 && !reply.data.empty()) {
                           hub->Publish(wire, reply.data);
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
    if (!command.data.empty()) env_->hub->Publish(wire, command.data);
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
    CloseOnStrand(kDisconnectBadRequest, true);
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
      [self = shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
}

void ClientSession::OnTimer(beast::error_code ec) {
  if (ec || finished_) return;                 // cancelled or re-armed
  if (timer_.expiry() > Clock::now()) return;  // re-armed meanwhile
  if (closing_ && timer_purpose_ != TimerPurpose::kCloseDeadline) return;
  switch (timer_purpose_) {
    case TimerPurpose::kNone:
      return;
    case TimerPurpose::kCloseDeadline: {
      log::Info("live: close did not complete in time, dropping connection",
                {{"client", identity_.client_id}});
      beast::error_code ignored;
      ws_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      ws_.next_layer().close(ignored);
      Finish();
      return;
    }
    case TimerPurpose::kStale:
      if (!connected_) {
        log::Info("live: no connect in time",
                  {{"client", identity_.client_id}});
        CloseOnStrand(kDisconnectStale, true);
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
        CloseOnStrand(kDisconnectNoPong, true);
      }
      return;
  }
}

void ClientSession::Send(std::string message) {
  if (close_sent_) return;
  switch (writer_.Enqueue(MakeSharedBuffer(std::move(message)))) {
    case Writer::EnqueueResult::kStartWrite:
      DoWrite();
      return;
    case Writer::EnqueueResult::kSlow:
      CloseOnStrand(kDisconnectSlow, false);
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
  Writer::EnqueueResult result = writer_.Enqueue(message);
  if (result != Writer::EnqueueResult::kStartWrite &&
      result != Writer::EnqueueResult::kSlow) {
    return;
  }
  // weak: the session may be going away without having left the hub yet
  // (its destructor leaves it).
  std::shared_ptr<ClientSession> self = weak_from_this().lock();
  if (!self) return;
  if (result == Writer::EnqueueResult::kStartWrite) {
    asio::post(ws_.get_executor(), [self]() { self->DoWrite(); });
  } else {
    asio::post(ws_.get_executor(),
               [self]() { self->CloseOnStrand(kDisconnectSlow, false); });
  }
}

void ClientSession::DoWrite() {
  if (!accepted_ || write_in_flight_ || close_sent_ || finished_) return;
  if (!write_batch_) write_batch_ = std::make_unique<WriteBatch>();
  WriteBatch& batch = *write_batch_;
  if (!writer_.TakeBatch(&batch.messages)) {
    write_batch_.reset();  // idle: hold nothing
    if (closing_) SendCloseFrame();
    return;
  }
  static constexpr char kNewline = '\n';
  batch.buffers.clear();
  for (const SharedBuffer& message : batch.messages) {
    if (!batch.buffers.empty()) batch.buffers.emplace_back(&kNewline, 1);
    batch.buffers.emplace_back(message->data(), message->size());
  }
  write_in_flight_ = true;
  ws_.async_write(batch.buffers,
                  [self = shared_from_this()](beast::error_code ec, size_t) {
                    self->OnWrite(ec);
                  });
}

void ClientSession::OnWrite(beast::error_code ec) {
  write_in_flight_ = false;
  if (ec) {
    writer_.Close(/*drop_queued=*/true);
    write_batch_.reset();
    if (!closing_) {
      closing_ = true;
      close_with_ = kDisconnectWriteError;
    }
    beast::error_code ignored;
    ws_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    ws_.next_layer().close(ignored);
    Finish();
    return;
  }
  DoWrite();
}

void ClientSession::Close(Disconnect disconnect, bool flush) {
  asio::post(ws_.get_executor(),
             [self = shared_from_this(), disconnect, flush]() {
               self->CloseOnStrand(disconnect, flush);
             });
}

void ClientSession::CloseOnStrand(Disconnect disconnect, bool flush) {
  if (closing_ || finished_) return;
  closing_ = true;
  close_with_ = disconnect;
  if (disconnect.code == kDisconnectSlow.code) ++env_->slow_disconnects;
  writer_.Close(/*drop_queued=*/!flush);
  // A client that does not read can hold a write (and so the close frame)
  // forever: past this deadline the socket is closed hard.
  ArmTimer(TimerPurpose::kCloseDeadline,
           env_->config.close_handshake_timeout * 2);
  // Leave the hub now: nothing more is delivered to a closing client.
  for (const std::string& channel : channels_) {
    env_->hub->Unsubscribe(channel, this);
  }
  channels_.clear();
  channels_.shrink_to_fit();
  DoWrite();  // flushes the queue, then sends the close frame
}

void ClientSession::SendCloseFrame() {
  if (close_sent_ || finished_) return;
  close_sent_ = true;
  websocket::close_reason reason(close_with_.code);
  reason.reason = std::string(close_with_.reason);
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {
    self->Finish();
  });
}

void ClientSession::Finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  timer_.cancel();
  for (const std::string& channel : channels_) {
    env_->hub->Unsubscribe(channel, this);
  }
  channels_.clear();
  pending_channels_.clear();
  if (counted_connected_) {
    --env_->connected_clients;
    counted_connected_ = false;
  }
  if (env_->on_finished) env_->on_finished(this);
}

}  // namespace runnel::host
