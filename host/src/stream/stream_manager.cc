#include "stream/stream_manager.h"

#include <nlohmann/json.hpp>

#include "backend.grpc.pb.h"
#include "live/errors.h"
#include "runnel/log.h"
#include "stream/callback_guard.h"

namespace runnel::host {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int32_t kForbidden = kErrorForbidden.code;
constexpr int32_t kNotFound = kErrorNotFound.code;
constexpr int32_t kInternal = kErrorServerError.code;

// SubscribeStream / PublishStream status to a reply code (0 = OK).
template <typename StatusEnum>
int32_t ReplyCode(StatusEnum status) {
  switch (static_cast<int>(status)) {
    case 0:
      return 0;
    case 1:
      return kNotFound;
    case 2:
      return kForbidden;
    default:
      return kInternal;
  }
}

bool IsJSONOrEmpty(const std::string& data) {
  return data.empty() || nlohmann::json::accept(data);
}

// Logs why a call is refused; the reply carries the HTTP status text.
template <typename Reply>
Reply Refusal(const char* what, const std::string& channel, int32_t code,
              std::string_view why) {
  log::Debug(
      what,
      {{"channel", channel}, {"code", std::to_string(code)}, {"reason", why}});
  return Reply{code, std::string(StatusText(code)), ""};
}

// The Centrifuge error for a refused start.
ReplyError RefusalError(StartRefusal refusal) {
  return refusal == StartRefusal::kRate ? kErrorTooManyRequests
                                        : kErrorLimitExceeded;
}

template <typename Reply>
Reply InternalError() {
  return Reply{kErrorInternal.code, std::string(kErrorInternal.message), ""};
}

std::chrono::system_clock::time_point Deadline(std::chrono::milliseconds d) {
  return std::chrono::system_clock::now() + d;
}

}  // namespace

StreamManager::StreamManager(PluginRegistry* registry,
                             std::vector<DataSource> data_sources,
                             PublishFn publish,
                             NumSubscribersFn num_subscribers,
                             StreamManagerOptions options)
    : registry_(registry),
      router_(registry, std::move(data_sources)),
      publish_(std::move(publish)),
      num_subscribers_(std::move(num_subscribers)),
      options_(std::move(options)),
      limiter_(options_.limits),
      check_timer_(timers_.context()),
      workers_(std::make_unique<WorkerPool>(options_.worker_threads)) {
  for (Supervisor* plugin : registry_->All()) {
    std::string id = plugin->id();
    int handle = plugin->AddListener(
        [this, id](const PluginConnection&) { OnPluginRestarted(id); });
    listener_handles_.emplace_back(plugin, handle);
  }
  absl::MutexLock lock(&mu_);
  ScheduleCheckLocked();
}

StreamManager::~StreamManager() { Shutdown(); }

struct StreamManager::SubscribeCall {
  ClientIdentity who;
  std::string wire_channel;
  Route route;
  std::string data;
  std::function<void(SubscribeReply)> done;
  bool answered = false;  // done was called (one thread at a time)
  pluginv2::SubscribeStreamRequest request;
  pluginv2::SubscribeStreamResponse response;
  std::shared_ptr<grpc::ClientContext> context;  // fresh for every attempt
  uint64_t generation = 0;  // of the plugin process the attempt went to
  bool retried = false;     // one retry when the plugin restarted under us
  using Reply = SubscribeReply;
};

struct StreamManager::PublishCall {
  std::string channel;    // for the log
  std::string plugin_id;  // for the log
  std::function<void(PublishReply)> done;
  bool answered = false;
  pluginv2::PublishStreamRequest request;
  pluginv2::PublishStreamResponse response;
  std::shared_ptr<grpc::ClientContext> context;
  using Reply = PublishReply;
};

void StreamManager::OnSubscribe(const ClientIdentity& who,
                                const std::string& wire_channel,
                                const LiveChannel& channel,
                                const std::string& data,
                                std::function<void(SubscribeReply)> done) {
  Route route;
  Status s = router_.Resolve(channel, &route);
  if (!s.ok()) {
    return done(Refusal<SubscribeReply>("subscribe refused", wire_channel,
                                        kNotFound, s.message()));
  }
  auto call = std::make_shared<SubscribeCall>();
  call->who = who;
  call->wire_channel = wire_channel;
  call->route = route;
  call->data = data;
  *call->request.mutable_plugincontext() =
      router_.MakePluginContext(route, who);
  call->request.set_path(route.path);
  call->request.set_data(data);
  bool shut_down = false;
  StartRefusal refusal = StartRefusal::kNone;
  {
    absl::MutexLock lock(&mu_);
    shut_down = shut_down_;
    if (!shut_down)
      refusal = AdmitLocked(who, wire_channel, route.plugin->id());
    if (!shut_down && refusal == StartRefusal::kNone) ++pending_calls_;
  }
  if (shut_down) return done(SubscribeReply{kInternal, "shutting down", ""});
  if (refusal != StartRefusal::kNone) {
    log::KeyValues why = {{"channel", wire_channel},
                          {"client", who.client_id},
                          {"limit", StartRefusalName(refusal)}};
    // Rate refusals are routine under a subscribe storm: debug only; the
    // metric counts them all.
    if (refusal == StartRefusal::kRate) {
      log::Debug("subscribe refused: RunStream start rate", why);
    } else {
      log::Info("subscribe refused: RunStream limit", why);
    }
    ReplyError error = RefusalError(refusal);
    return done(SubscribeReply{error.code, std::string(error.message), ""});
  }
  call->done = std::move(done);
  // Counted from here on: whatever throws must still answer.
  Guarded(call, "SubscribeStream wait", [&] {
    WhenRunning(route.plugin, [this, call](const PluginConnection& connection) {
      Guarded(call, "SubscribeStream send",
              [&] { SendSubscribe(call, connection); });
    });
  });
}

void StreamManager::OnPublish(const ClientIdentity& who,
                              const std::string& /*wire_channel*/,
                              const LiveChannel& channel,
                              const std::string& data,
                              std::function<void(PublishReply)> done) {
  Route route;
  Status s = router_.Resolve(channel, &route);
  if (!s.ok()) {
    return done(Refusal<PublishReply>("publish refused", channel.ToString(),
                                      kNotFound, s.message()));
  }
  auto call = std::make_shared<PublishCall>();
  call->channel = channel.ToString();
  call->plugin_id = route.plugin->id();
  *call->request.mutable_plugincontext() =
      router_.MakePluginContext(route, who);
  call->request.set_path(route.path);
  call->request.set_data(data);
  bool shut_down = false;
  {
    absl::MutexLock lock(&mu_);
    shut_down = shut_down_;
    if (!shut_down) ++pending_calls_;
  }
  if (shut_down) return done(PublishReply{kInternal, "shutting down", ""});
  call->done = std::move(done);
  Guarded(call, "PublishStream wait", [&] {
    WhenRunning(route.plugin, [this, call](const PluginConnection& connection) {
      Guarded(call, "PublishStream send",
              [&] { SendPublish(call, connection); });
    });
  });
}

StartRefusal StreamManager::AdmitLocked(const ClientIdentity& who,
                                        const std::string& wire_channel,
                                        const std::string& plugin_id) {
  if (streams_.count(wire_channel) != 0) return StartRefusal::kNone;
  StartRefusal refusal = limiter_.CheckCounts(plugin_id);
  if (refusal == StartRefusal::kNone) {
    refusal = limiter_.TakeStartToken(who.client_id, Clock::now());
  }
  CountRefusalLocked(refusal);
  return refusal;
}

void StreamManager::CountRefusalLocked(StartRefusal refusal) {
  switch (refusal) {
    case StartRefusal::kNone:
      break;
    case StartRefusal::kRate:
      ++refused_rate_;
      break;
    case StartRefusal::kPluginLimit:
      ++refused_plugin_limit_;
      break;
    case StartRefusal::kHostLimit:
      ++refused_host_limit_;
      break;
  }
}

void StreamManager::WhenRunning(Supervisor* plugin,
                                std::function<void(PluginConnection)> then) {
  PluginConnection connection = plugin->connection();
  if (connection.channel) return then(connection);
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_ && workers_->Submit([this, plugin, then] {
          plugin->WaitUntilRunning(options_.unavailable_wait);
          then(plugin->connection());
        })) {
      return;
    }
  }
  then(PluginConnection{});
}

bool StreamManager::BeginRpc(
    const std::shared_ptr<grpc::ClientContext>& context) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) return false;
  rpcs_in_flight_.insert(context);
  return true;
}

void StreamManager::EndRpc(
    const std::shared_ptr<grpc::ClientContext>& context) {
  absl::MutexLock lock(&mu_);
  rpcs_in_flight_.erase(context);
}

template <typename Call, typename Step>
void StreamManager::Guarded(const std::shared_ptr<Call>& call,
                            const char* where, Step&& step) {
  if (!GuardCallback(where, std::forward<Step>(step))) {
    Finish(*call, InternalError<typename Call::Reply>());
  }
}

template <typename Call, typename Reply>
void StreamManager::Finish(Call& call, Reply reply) {
  if (call.answered) return;
  call.answered = true;
  GuardCallback("reply", [&] { call.done(std::move(reply)); });
  absl::MutexLock lock(&mu_);
  --pending_calls_;
}

template <typename Call, typename Issue>
void StreamManager::SendRpc(const std::shared_ptr<Call>& call,
                            const PluginConnection& connection,
                            const char* refused, const std::string& channel,
                            const std::string& plugin_id, Issue issue) {
  using Reply = typename Call::Reply;
  if (!connection.channel) {
    return Finish(*call,
                  Refusal<Reply>(refused, channel, kInternal,
                                 "plugin " + plugin_id + " is not running"));
  }
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(Deadline(options_.rpc_timeout));
  call->context = context;
  if (!BeginRpc(context)) {
    return Finish(*call, Reply{kInternal, "shutting down", ""});
  }
  issue(*pluginv2::Stream::NewStub(connection.channel)->async(), context.get(),
        [this, context] { EndRpc(context); });
}

void StreamManager::SendSubscribe(std::shared_ptr<SubscribeCall> call,
                                  const PluginConnection& connection) {
  call->generation = connection.generation;
  call->response.Clear();
  SendRpc(call, connection, "subscribe refused", call->wire_channel,
          call->route.plugin->id(),
          [this, call](auto& stub, grpc::ClientContext* context, auto ended) {
            stub.SubscribeStream(context, &call->request, &call->response,
                                 [this, call, ended](grpc::Status rpc) {
                                   ended();
                                   Guarded(call, "SubscribeStream reply", [&] {
                                     OnSubscribeReply(call, rpc);
                                   });
                                 });
          });
}

void StreamManager::OnSubscribeReply(std::shared_ptr<SubscribeCall> call,
                                     const grpc::Status& rpc) {
  if (rpc.error_code() == grpc::StatusCode::UNAVAILABLE && !call->retried) {
    call->retried = true;
    return WhenRunning(call->route.plugin,
                       [this, call, rpc](const PluginConnection& connection) {
                         Guarded(call, "SubscribeStream retry", [&] {
                           if (connection.generation == call->generation) {
                             OnSubscribeReply(call, rpc);  // not restarted
                           } else {
                             SendSubscribe(call, connection);
                           }
                         });
                       });
  }
  auto fail = [&](int32_t code, std::string_view why) {
    Finish(*call, Refusal<SubscribeReply>("subscribe refused",
                                          call->wire_channel, code, why));
  };
  if (!rpc.ok()) {
    return fail(kInternal, "SubscribeStream failed: " + rpc.error_message());
  }
  int32_t code = ReplyCode(call->response.status());
  if (code != 0) return fail(code, "SubscribeStream status");
  if (!IsJSONOrEmpty(call->response.data())) {
    return fail(kInternal, "SubscribeStream initial data is not JSON");
  }
  SubscribeReply reply =
      EnsureStream(call->wire_channel, call->route, call->who, call->data);
  if (reply.error_code == 0) reply.data = call->response.data();
  Finish(*call, std::move(reply));
}

void StreamManager::SendPublish(std::shared_ptr<PublishCall> call,
                                const PluginConnection& connection) {
  SendRpc(call, connection, "publish refused", call->channel, call->plugin_id,
          [this, call](auto& stub, grpc::ClientContext* context, auto ended) {
            stub.PublishStream(context, &call->request, &call->response,
                               [this, call, ended](grpc::Status rpc) {
                                 ended();
                                 Guarded(call, "PublishStream reply",
                                         [&] { OnPublishReply(call, rpc); });
                               });
          });
}

void StreamManager::OnPublishReply(std::shared_ptr<PublishCall> call,
                                   const grpc::Status& rpc) {
  auto fail = [&](int32_t code, std::string_view why) {
    Finish(*call,
           Refusal<PublishReply>("publish refused", call->channel, code, why));
  };
  if (!rpc.ok()) {
    return fail(kInternal, "PublishStream failed: " + rpc.error_message());
  }
  int32_t code = ReplyCode(call->response.status());
  if (code != 0) return fail(code, "PublishStream status");
  if (!IsJSONOrEmpty(call->response.data())) {
    return fail(kInternal, "PublishStream reply data is not JSON");
  }
  Finish(*call, PublishReply{0, "", call->response.data()});
}

SubscribeReply StreamManager::EnsureStream(const std::string& wire_channel,
                                           const Route& route,
                                           const ClientIdentity& who,
                                           const std::string& data) {
  std::shared_ptr<RunningStream> stream;
  {
    absl::MutexLock lock(&mu_);
    std::optional<SubscribeReply> instead =
        AddStreamLocked(wire_channel, route, who, data, &stream);
    if (instead) return *instead;
  }
  if (leased()) {
    // Started once this host holds the lease; meanwhile, or if another
    // host holds it, the channel's frames come through the engine.
    WantLease(wire_channel);
    return SubscribeReply{};
  }
  // Unlocked: starting reads the plugin's connection (the supervisor's
  // lock) and creates the gRPC call; mu_ is held only for bookkeeping.
  Status started = stream->Start();
  absl::MutexLock lock(&mu_);
  if (!started.ok()) {
    ++start_failures_;
    auto it = streams_.find(wire_channel);
    if (it != streams_.end() && it->second.stream == stream) {
      EraseStreamLocked(it);
    }
    log::Error("RunStream not started",
               {{"channel", wire_channel}, {"error", started.message()}});
    return InternalError<SubscribeReply>();
  }
  ++runstream_starts_;
  log::Info("RunStream started",
            {{"channel", wire_channel}, {"plugin", route.plugin->id()}});
  return SubscribeReply{};
}

std::optional<SubscribeReply> StreamManager::AddStreamLocked(
    const std::string& wire_channel, const Route& route,
    const ClientIdentity& who, const std::string& data,
    std::shared_ptr<RunningStream>* stream) {
  if (shut_down_) return SubscribeReply{kInternal, "shutting down", ""};
  if (streams_.count(wire_channel) != 0) return SubscribeReply{};
  StartRefusal refusal = limiter_.CheckCounts(route.plugin->id());
  if (refusal != StartRefusal::kNone) {  // others started meanwhile
    CountRefusalLocked(refusal);
    ReplyError error = RefusalError(refusal);
    return SubscribeReply{error.code, std::string(error.message), ""};
  }
  auto make_stream = [this, wire_channel, route, who, data] {
    if (options_.before_stream_start) {
      options_.before_stream_start(wire_channel);
    }
    auto make_request = [this, route, who, data] {
      pluginv2::RunStreamRequest request;
      *request.mutable_plugincontext() = router_.MakePluginContext(route, who);
      request.set_path(route.path);
      request.set_data(data);
      return request;
    };
    return std::make_shared<RunningStream>(
        wire_channel, route.plugin, std::move(make_request), publish_,
        &counters_, &timers_, [this](RunningStream* s) { OnStreamEnded(s); });
  };
  std::string why;
  bool made = GuardCallback(
      "RunStream create", [&] { *stream = make_stream(); }, &why);
  if (!made) {
    ++start_failures_;
    log::Error("RunStream not started",
               {{"channel", wire_channel}, {"error", why}});
    return InternalError<SubscribeReply>();
  }
  StreamEntry& entry = streams_[wire_channel];
  entry.stream = *stream;
  entry.make_stream = std::move(make_stream);
  limiter_.Started(route.plugin->id());
  return std::nullopt;
}

void StreamManager::EraseStreamLocked(
    std::map<std::string, StreamEntry>::iterator it) {
  limiter_.Stopped(it->second.stream->plugin_id());
  retired_.push_back(std::move(it->second.stream));
  streams_.erase(it);
}

void StreamManager::OnStreamEnded(RunningStream* stream) {
  {
    absl::MutexLock lock(&mu_);
    auto it = streams_.find(stream->wire_channel());
    if (it == streams_.end() || it->second.stream.get() != stream) return;
    EraseStreamLocked(it);
  }
  if (leased()) DropLeases({stream->wire_channel()});
}

void StreamManager::OnPluginRestarted(const std::string& plugin_id) {
  absl::MutexLock lock(&mu_);
  for (auto& [channel, entry] : streams_) {
    if (entry.started && entry.stream->plugin_id() == plugin_id) {
      entry.stream->PluginRestarted();
    }
  }
}

void StreamManager::ScheduleCheckLocked() {
  check_timer_.expires_after(options_.check_interval);
  check_timer_.async_wait([this](const boost::system::error_code&) {
    GuardCallback("stream check", [this] { CheckOnce(); });
    absl::MutexLock lock(&mu_);
    if (!shut_down_) ScheduleCheckLocked();
  });
}

void StreamManager::CheckOnce() {
  std::vector<std::string> channels;
  std::vector<bool> held;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    std::erase_if(retired_, [](const std::shared_ptr<RunningStream>& s) {
      return s->stopped();
    });
    limiter_.ForgetIdleClients(Clock::now());
    for (const auto& [channel, entry] : streams_) {
      channels.push_back(channel);
      held.push_back(entry.leased);
    }
  }
  std::vector<size_t> counts;
  counts.reserve(channels.size());
  for (size_t i = 0; i < channels.size(); ++i) {
    counts.push_back(SubscribersFor(channels[i], held[i]));
  }
  std::vector<std::string> stopped;
  {
    absl::MutexLock lock(&mu_);
    const auto now = Clock::now();
    for (size_t i = 0; i < channels.size(); ++i) {
      auto it = streams_.find(channels[i]);
      if (it == streams_.end()) continue;
      StreamEntry& entry = it->second;
      if (counts[i] > 0) {
        entry.zero_since.reset();
      } else if (!entry.zero_since) {
        entry.zero_since = now;
      } else if (now - *entry.zero_since >= options_.grace_period) {
        log::Info("no subscribers for the grace period; stopping RunStream",
                  {{"channel", channels[i]}});
        // Cancel takes only the stream's lock and never calls back here.
        entry.stream->Cancel();
        EraseStreamLocked(it);
        stopped.push_back(channels[i]);
      }
    }
  }
  // Unlocked: the engine is never called with mu_ held.
  if (leased()) DropLeases(stopped);
}

StreamStats StreamManager::Stats() const {
  StreamStats stats;
  absl::MutexLock lock(&mu_);
  for (const auto& [channel, entry] : streams_) {
    (entry.started || !leased() ? stats.channels : stats.followed)
        .push_back(channel);
  }
  stats.runstream_starts = runstream_starts_;
  stats.runstream_restarts = counters_.restarts.load();
  stats.packets = counters_.packets.load();
  stats.invalid_packets = counters_.invalid_packets.load();
  stats.refused_rate = refused_rate_;
  stats.refused_plugin_limit = refused_plugin_limit_;
  stats.refused_host_limit = refused_host_limit_;
  stats.start_failures = start_failures_;
  return stats;
}

void StreamManager::Shutdown() {
  absl::MutexLock serialized(&shutdown_mu_);
  std::vector<std::shared_ptr<RunningStream>> streams;
  std::vector<std::shared_ptr<grpc::ClientContext>> rpcs;
  std::vector<std::string> channels;
  std::unique_ptr<WorkerPool> workers;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    check_timer_.cancel();
    for (auto& [channel, entry] : streams_) {
      streams.push_back(entry.stream);
      channels.push_back(channel);
    }
    streams_.clear();
    for (auto& stream : retired_) streams.push_back(stream);
    retired_.clear();
    rpcs.assign(rpcs_in_flight_.begin(), rpcs_in_flight_.end());
    workers = std::move(workers_);
  }
  // First, so other hosts can take these streams over at once. Waits for
  // a lease callback in progress, which sees shut_down_ or has assigned
  // the stream it starts to its entry (so it is in `streams`).
  if (leased()) DropLeases(channels);
  // Waits for a listener call in progress: it takes mu_, which is free.
  for (auto& [plugin, handle] : listener_handles_) {
    plugin->RemoveListener(handle);
  }
  listener_handles_.clear();
  // Unlocked: a cancelled RPC's callback may run inline and take mu_.
  for (auto& rpc : rpcs) rpc->TryCancel();
  for (auto& stream : streams) stream->Cancel();
  for (auto& stream : streams) stream->WaitStopped();
  // Calls waiting for a plugin run now and see shut_down_.
  workers.reset();
  {
    absl::MutexLock lock(
        &mu_, absl::Condition(this, &StreamManager::NoPendingCallsLocked));
    retired_.clear();  // streams that ended meanwhile were in `streams`
  }
  timers_.Stop();
}

}  // namespace runnel::host
