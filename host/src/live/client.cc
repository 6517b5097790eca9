#include "live/client.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <cstdio>
#include <random>

#include "live/errors.h"
#include "live/publish_route.h"
#include "runnel/live_channel.h"
#include "runnel/log.h"

namespace runnel::host {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

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

// Grafana's "invalid channel ID", with the parser's detail when it has one.
std::string InvalidChannelMessage(const std::string& why) {
  std::string message(kErrorInvalidChannel.message);
  if (why.empty()) return message;
  if (why.rfind(message, 0) == 0) return why;  // already says so
  return message + ": " + why;
}

}  // namespace

ClientSession::ClientSession(asio::ip::tcp::socket socket, IoLoop* loop,
                             std::shared_ptr<ClientEnvironment> env)
    : env_(std::move(env)),
      identity_{.client_id = NewClientId()},
      connection_(std::move(socket), loop, env_->config,
                  &env_->slow_disconnects, this) {}

ClientSession::~ClientSession() {
  // Normally OnFinished already left the hub; this covers odd exits.
  LeaveHub();
}

void ClientSession::LeaveHub() {
  for (const std::string& channel : channels_) {
    env_->hub->Unsubscribe(channel, this);
  }
  channels_.clear();
  channels_.shrink_to_fit();
}

void ClientSession::Start(std::string upgrade_response) {
  connection_.Start(std::move(upgrade_response));
}

void ClientSession::Close(Disconnect disconnect, bool flush) {
  connection_.Close(disconnect, flush);
}

void ClientSession::Deliver(const SharedBuffer& message) {
  connection_.Deliver(message);
}

void ClientSession::OnOpen() {
  connection_.ArmTimer(env_->config.stale_close_delay);
}

void ClientSession::OnMessage(std::string_view payload) {
  std::vector<Command> commands;
  std::string error;
  if (!DecodeCommands(payload, &commands, &error)) {
    log::Info("live: undecodable frame",
              {{"client", identity_.client_id}, {"error", error}});
    connection_.CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  for (Command& command : commands) {
    if (!connection_.open()) return;
    HandleCommand(command);
  }
}

void ClientSession::HandleCommand(Command& command) {
  if (command.method == Method::kConnect) {
    HandleConnect(command);
    return;
  }
  if (state_ == State::kAwaitingConnect) {
    log::Info("live: command before connect",
              {{"client", identity_.client_id}});
    connection_.CloseOnLoop(kDisconnectBadRequest, true);
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
      connection_.Send(EncodePresenceReply(command.id));
      return;
    case Method::kPresenceStats:
      connection_.Send(EncodePresenceStatsReply(command.id));
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
  if (state_ != State::kAwaitingConnect) {
    log::Info("live: second connect", {{"client", identity_.client_id}});
    connection_.CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  state_ = State::kConnected;
  const auto& config = env_->config;
  const uint32_t ping_seconds = static_cast<uint32_t>(
      std::max<int64_t>(1, (config.ping_interval.count() + 999) / 1000));
  const bool pong = config.pong_timeout.count() > 0;
  connection_.Send(
      EncodeConnectReply(command.id, identity_.client_id, ping_seconds, pong));
  int64_t clients = ++env_->connected_clients;
  if (config.max_connections >= 0 && clients > config.max_connections) {
    log::Warn("live: connection limit reached, closing client",
              {{"client", identity_.client_id},
               {"max_connections", std::to_string(config.max_connections)}});
    connection_.CloseOnLoop(kDisconnectConnectionLimit, true);
    return;
  }
  // First ping at a random point in [interval/2, interval].
  auto interval =
      std::chrono::duration_cast<Clock::duration>(config.ping_interval);
  std::uniform_int_distribution<int64_t> jitter(0, interval.count() / 2);
  last_ping_ = Clock::now();
  connection_.ArmTimer(interval / 2 + Clock::duration(jitter(Rng())));
}

void ClientSession::OnTimer() {
  switch (state_) {
    case State::kAwaitingConnect:
      log::Info("live: no connect in time", {{"client", identity_.client_id}});
      connection_.CloseOnLoop(kDisconnectStale, true);
      return;
    case State::kConnected:
      SendPing();
      return;
    case State::kAwaitingPong:
      log::Info("live: no pong", {{"client", identity_.client_id}});
      connection_.CloseOnLoop(kDisconnectNoPong, true);
      return;
    case State::kFinished:
      return;
  }
}

void ClientSession::SendPing() {
  connection_.Send(std::string(kPingReply));
  last_ping_ = Clock::now();
  if (env_->config.pong_timeout.count() > 0) {
    state_ = State::kAwaitingPong;
    connection_.ArmTimer(env_->config.pong_timeout);
  } else {
    connection_.ArmTimer(env_->config.ping_interval);
  }
}

void ClientSession::HandlePong() {
  if (state_ != State::kAwaitingPong) {
    log::Info("live: pong without a ping", {{"client", identity_.client_id}});
    connection_.CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  state_ = State::kConnected;
  auto next = last_ping_ + std::chrono::duration_cast<Clock::duration>(
                               env_->config.ping_interval);
  connection_.ArmTimer(std::max(Clock::duration::zero(), next - Clock::now()));
}

bool ClientSession::IsSubscribed(const std::string& channel) const {
  return std::find(channels_.begin(), channels_.end(), channel) !=
             channels_.end() ||
         std::find(pending_channels_.begin(), pending_channels_.end(),
                   channel) != pending_channels_.end();
}

bool ClientSession::MaySubscribe(uint32_t command_id, const std::string& wire) {
  if (wire.size() > kMaxChannelWireLength) {
    SendError(command_id, kErrorBadRequest.code, kErrorBadRequest.message);
    return false;
  }
  if (IsSubscribed(wire)) {
    SendError(command_id, kErrorAlreadySubscribed.code,
              kErrorAlreadySubscribed.message);
    return false;
  }
  if (channels_.size() + pending_channels_.size() >=
      static_cast<size_t>(env_->config.client_channel_limit)) {
    SendError(command_id, kErrorLimitExceeded.code,
              kErrorLimitExceeded.message);
    return false;
  }
  return true;
}

std::optional<LiveChannel> ClientSession::ChannelToAsk(
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
  if (env_->channel_handler == nullptr) {
    SendError(command_id, kErrorNotFound.code, kErrorNotFound.message);
    return std::nullopt;
  }
  return channel;
}

template <typename Reply, typename Then>
std::function<void(Reply)> ClientSession::OnLoop(Then then) {
  return [weak = weak_from_this(), executor = connection_.executor(),
          then = std::move(then)](Reply reply) {
    auto self = weak.lock();
    if (!self) return;
    asio::dispatch(executor, [self, then, reply = std::move(reply)]() mutable {
      then(*self, std::move(reply));
    });
  };
}

void ClientSession::HandleSubscribe(Command& command) {
  const std::string& wire = command.channel;
  if (wire.empty()) {
    connection_.CloseOnLoop(kDisconnectBadRequest, true);
    return;
  }
  if (!MaySubscribe(command.id, wire)) return;
  std::optional<LiveChannel> channel = ChannelToAsk(command.id, wire);
  if (!channel) return;
  pending_channels_.push_back(wire);
  env_->channel_handler->OnSubscribe(
      identity_, wire, *channel, command.data,
      OnLoop<SubscribeReply>(
          [id = command.id, wire](ClientSession& self, SubscribeReply reply) {
            self.FinishSubscribe(id, wire, std::move(reply));
          }));
}

void ClientSession::FinishSubscribe(uint32_t id, const std::string& wire,
                                    SubscribeReply reply) {
  auto pending =
      std::find(pending_channels_.begin(), pending_channels_.end(), wire);
  const bool still_wanted = pending != pending_channels_.end();
  if (still_wanted) pending_channels_.erase(pending);
  if (!connection_.open()) return;
  if (reply.error_code != 0) {
    SendError(id, reply.error_code, reply.error_message);
    return;
  }
  // The client joins the hub before its reply is written: a client that has
  // the reply may publish at once (or have something published), on another
  // loop, and the hub must already know it. No publication can precede the
  // reply all the same: the hub hands publications to this loop as tasks,
  // which run after this one.
  if (still_wanted && env_->hub->Subscribe(wire, this)) {
    channels_.push_back(wire);
  }
  connection_.Send(EncodeSubscribeReply(id, reply.data));
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
  connection_.Send(EncodeEmptyReply(command.id, "unsubscribe"));
}

void ClientSession::HandlePublish(Command& command) {
  std::optional<LiveChannel> channel =
      ChannelToAsk(command.id, command.channel);
  if (!channel) return;
  PublishThrough(*env_->channel_handler, *env_->hub, identity_, command.channel,
                 *channel, command.data,
                 OnLoop<PublishReply>([id = command.id](ClientSession& self,
                                                        PublishReply reply) {
                   self.FinishPublish(id, reply);
                 }));
}

void ClientSession::FinishPublish(uint32_t id, const PublishReply& reply) {
  if (!connection_.open()) return;
  if (reply.error_code != 0) {
    SendError(id, reply.error_code, reply.error_message);
  } else {
    connection_.Send(EncodeEmptyReply(id, "publish"));
  }
}

void ClientSession::SendError(uint32_t id, int32_t code,
                              std::string_view message) {
  // A handler may give only the code: Grafana sends its status text.
  if (message.empty()) message = StatusText(code);
  connection_.Send(EncodeErrorReply(id, code, message, /*temporary=*/false));
}

void ClientSession::OnFinished() {
  LeaveHub();
  pending_channels_.clear();
  if (state_ == State::kConnected || state_ == State::kAwaitingPong) {
    --env_->connected_clients;
  }
  state_ = State::kFinished;
  if (env_->on_finished) env_->on_finished(this);
}

}  // namespace runnel::host
