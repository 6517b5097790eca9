#include "stream/stream_manager.h"

#include <nlohmann/json.hpp>

#include "backend.grpc.pb.h"
#include "runnel/log.h"

namespace runnel::host {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int32_t kForbidden = 403;
constexpr int32_t kNotFound = 404;
constexpr int32_t kInternal = 500;

// Grafana replies with the HTTP status text.
const char* StatusText(int32_t code) {
  switch (code) {
    case kForbidden:
      return "Forbidden";
    case kNotFound:
      return "Not Found";
    default:
      return "Internal Server Error";
  }
}

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

bool IsJsonOrEmpty(const std::string& data) {
  return data.empty() || nlohmann::json::accept(data);
}

// Logs why a call is refused; the reply carries the HTTP status text.
template <typename Reply>
Reply Refusal(const char* what, const std::string& channel, int32_t code,
              std::string_view why) {
  log::Debug(
      what,
      {{"channel", channel}, {"code", std::to_string(code)}, {"reason", why}});
  return Reply{code, StatusText(code), ""};
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
      options_(options),
      workers_(std::make_unique<WorkerPool>(options.worker_threads)) {
  for (Supervisor* plugin : registry_->All()) {
    std::string id = plugin->id();
    int handle = plugin->AddListener(
        [this, id](const PluginConnection&) { OnPluginRestarted(id); });
    listener_handles_.emplace_back(plugin, handle);
  }
  checker_ = std::thread([this] { CheckLoop(); });
}

StreamManager::~StreamManager() { Shutdown(); }

struct StreamManager::SubscribeCall {
  ClientIdentity who;
  std::string wire_channel;
  Route route;
  std::string data;
  std::function<void(SubscribeReply)> done;
  pluginv2::SubscribeStreamRequest request;
  pluginv2::SubscribeStreamResponse response;
  std::shared_ptr<grpc::ClientContext> context;  // fresh for every attempt
  uint64_t generation = 0;  // of the plugin process the attempt went to
  bool retried = false;     // one retry when the plugin restarted under us
};

struct StreamManager::PublishCall {
  std::string channel;  // for the log
  std::function<void(PublishReply)> done;
  pluginv2::PublishStreamRequest request;
  pluginv2::PublishStreamResponse response;
  std::shared_ptr<grpc::ClientContext> context;
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) {
      return done(SubscribeReply{kInternal, "shutting down", ""});
    }
    ++pending_calls_;
  }
  auto call = std::make_shared<SubscribeCall>();
  call->who = who;
  call->wire_channel = wire_channel;
  call->route = route;
  call->data = data;
  call->done = std::move(done);
  *call->request.mutable_plugincontext() =
      router_.MakePluginContext(route, who);
  call->request.set_path(route.path);
  call->request.set_data(data);
  WhenRunning(route.plugin, [this, call](const PluginConnection& connection) {
    SendSubscribe(call, connection);
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return done(PublishReply{kInternal, "shutting down", ""});
    ++pending_calls_;
  }
  auto call = std::make_shared<PublishCall>();
  call->channel = channel.ToString();
  call->done = std::move(done);
  *call->request.mutable_plugincontext() =
      router_.MakePluginContext(route, who);
  call->request.set_path(route.path);
  call->request.set_data(data);
  WhenRunning(route.plugin, [this, call](const PluginConnection& connection) {
    SendPublish(call, connection);
  });
}

void StreamManager::WhenRunning(Supervisor* plugin,
                                std::function<void(PluginConnection)> then) {
  PluginConnection connection = plugin->connection();
  if (connection.channel) return then(connection);
  {
    std::lock_guard<std::mutex> lock(mu_);
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
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return false;
  rpcs_in_flight_.insert(context);
  return true;
}

void StreamManager::EndRpc(
    const std::shared_ptr<grpc::ClientContext>& context) {
  std::lock_guard<std::mutex> lock(mu_);
  rpcs_in_flight_.erase(context);
}

template <typename Reply>
void StreamManager::Finish(const std::function<void(Reply)>& done,
                           Reply reply) {
  done(std::move(reply));
  std::lock_guard<std::mutex> lock(mu_);
  if (--pending_calls_ == 0) calls_done_cv_.notify_all();
}

void StreamManager::SendSubscribe(std::shared_ptr<SubscribeCall> call,
                                  const PluginConnection& connection) {
  if (!connection.channel) {
    return Finish(
        call->done,
        Refusal<SubscribeReply>(
            "subscribe refused", call->wire_channel, kInternal,
            "plugin " + call->route.plugin->id() + " is not running"));
  }
  call->generation = connection.generation;
  call->response.Clear();
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(Deadline(options_.rpc_timeout));
  call->context = context;
  if (!BeginRpc(context)) {
    return Finish(call->done, SubscribeReply{kInternal, "shutting down", ""});
  }
  pluginv2::Stream::NewStub(connection.channel)
      ->async()
      ->SubscribeStream(context.get(), &call->request, &call->response,
                        [this, call, context](grpc::Status rpc) {
                          EndRpc(context);
                          OnSubscribeReply(call, rpc);
                        });
}

void StreamManager::OnSubscribeReply(std::shared_ptr<SubscribeCall> call,
                                     const grpc::Status& rpc) {
  if (rpc.error_code() == grpc::StatusCode::UNAVAILABLE && !call->retried) {
    call->retried = true;
    return WhenRunning(call->route.plugin,
                       [this, call, rpc](const PluginConnection& connection) {
                         if (connection.generation == call->generation) {
                           OnSubscribeReply(call, rpc);  // not restarted
                         } else {
                           SendSubscribe(call, connection);
                         }
                       });
  }
  auto fail = [&](int32_t code, std::string_view why) {
    Finish(call->done, Refusal<SubscribeReply>("subscribe refused",
                                               call->wire_channel, code, why));
  };
  if (!rpc.ok()) {
    return fail(kInternal, "SubscribeStream failed: " + rpc.error_message());
  }
  int32_t code = ReplyCode(call->response.status());
  if (code != 0) return fail(code, "SubscribeStream status");
  if (!IsJsonOrEmpty(call->response.data())) {
    return fail(kInternal, "SubscribeStream initial data is not JSON");
  }
  EnsureStream(call->wire_channel, call->route, call->who, call->data);
  Finish(call->done, SubscribeReply{0, "", call->response.data()});
}

void StreamManager::SendPublish(std::shared_ptr<PublishCall> call,
                                const PluginConnection& connection) {
  if (!connection.channel) {
    return Finish(call->done,
                  Refusal<PublishReply>("publish refused", call->channel,
                                        kInternal, "plugin is not running"));
  }
  auto context = std::make_shared<grpc::ClientContext>();
  context->set_deadline(Deadline(options_.rpc_timeout));
  call->context = context;
  if (!BeginRpc(context)) {
    return Finish(call->done, PublishReply{kInternal, "shutting down", ""});
  }
  pluginv2::Stream::NewStub(connection.channel)
      ->async()
      ->PublishStream(context.get(), &call->request, &call->response,
                      [this, call, context](grpc::Status rpc) {
                        EndRpc(context);
                        OnPublishReply(call, rpc);
                      });
}

void StreamManager::OnPublishReply(std::shared_ptr<PublishCall> call,
                                   const grpc::Status& rpc) {
  auto fail = [&](int32_t code, std::string_view why) {
    Finish(call->done,
           Refusal<PublishReply>("publish refused", call->channel, code, why));
  };
  if (!rpc.ok()) {
    return fail(kInternal, "PublishStream failed: " + rpc.error_message());
  }
  int32_t code = ReplyCode(call->response.status());
  if (code != 0) return fail(code, "PublishStream status");
  if (!IsJsonOrEmpty(call->response.data())) {
    return fail(kInternal, "PublishStream reply data is not JSON");
  }
  Finish(call->done, PublishReply{0, "", call->response.data()});
}

void StreamManager::EnsureStream(const std::string& wire_channel,
                                 const Route& route, const ClientIdentity& who,
                                 const std::string& data) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_ || streams_.count(wire_channel) != 0) return;
  auto make_request = [this, route, who, data] {
    pluginv2::RunStreamRequest request;
    *request.mutable_plugincontext() = router_.MakePluginContext(route, who);
    request.set_path(route.path);
    request.set_data(data);
    return request;
  };
  auto stream = std::make_shared<RunningStream>(
      wire_channel, route.plugin, std::move(make_request), publish_, &counters_,
      [this](RunningStream* s) { OnStreamEnded(s); });
  streams_[wire_channel] = StreamEntry{stream, std::nullopt};
  ++runstream_starts_;
  log::Info("RunStream started",
            {{"channel", wire_channel}, {"plugin", route.plugin->id()}});
  stream->Start();
}

void StreamManager::OnStreamEnded(RunningStream* stream) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(stream->wire_channel());
  if (it != streams_.end() && it->second.stream.get() == stream) {
    retired_.push_back(it->second.stream);
    streams_.erase(it);
  }
}

void StreamManager::OnPluginRestarted(const std::string& plugin_id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [channel, entry] : streams_) {
    if (entry.stream->plugin_id() == plugin_id) entry.stream->PluginRestarted();
  }
}

void StreamManager::CheckLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!shut_down_) {
    check_cv_.wait_for(lock, options_.check_interval,
                       [this] { return shut_down_; });
    if (shut_down_) break;
    std::vector<std::shared_ptr<RunningStream>> finished;
    for (auto it = retired_.begin(); it != retired_.end();) {
      if ((*it)->finished()) {
        finished.push_back(std::move(*it));
        it = retired_.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<std::string> channels;
    for (const auto& [channel, entry] : streams_) channels.push_back(channel);
    lock.unlock();
    for (auto& stream : finished) stream->Join();
    finished.clear();
    std::vector<size_t> counts;
    for (const std::string& channel : channels) {
      counts.push_back(num_subscribers_(channel));
    }
    lock.lock();
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
        entry.stream->Cancel();
        retired_.push_back(std::move(entry.stream));
        streams_.erase(it);
      }
    }
  }
}

StreamStats StreamManager::Stats() const {
  StreamStats stats;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [channel, entry] : streams_) {
    stats.channels.push_back(channel);
  }
  stats.runstream_starts = runstream_starts_;
  stats.runstream_restarts = counters_.restarts.load();
  stats.packets = counters_.packets.load();
  stats.invalid_packets = counters_.invalid_packets.load();
  return stats;
}

void StreamManager::Shutdown() {
  std::vector<std::shared_ptr<RunningStream>> streams;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [channel, entry] : streams_) streams.push_back(entry.stream);
    streams_.clear();
    for (auto& stream : retired_) streams.push_back(stream);
    retired_.clear();
  }
  check_cv_.notify_all();
  if (checker_.joinable()) checker_.join();
  for (auto& [plugin, handle] : listener_handles_) {
    plugin->RemoveListener(handle);
  }
  std::vector<std::shared_ptr<grpc::ClientContext>> rpcs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    rpcs.assign(rpcs_in_flight_.begin(), rpcs_in_flight_.end());
  }
  // Unlocked: a cancelled RPC's callback may run inline and take mu_.
  for (auto& rpc : rpcs) rpc->TryCancel();
  for (auto& stream : streams) stream->Cancel();
  for (auto& stream : streams) stream->Join();
  // Calls waiting for a plugin run now and see shut_down_.
  workers_.reset();
  std::unique_lock<std::mutex> lock(mu_);
  calls_done_cv_.wait(lock, [this] { return pending_calls_ == 0; });
  for (auto& stream : retired_) stream->Join();  // ended during the above
  retired_.clear();
}

}  // namespace runnel::host
