#include "stream/running_stream.h"

#include <nlohmann/json.hpp>

#include "backend.grpc.pb.h"
#include "runnel/log.h"
#include "stream/restart_backoff.h"

namespace runnel::host {
namespace {
using Clock = std::chrono::steady_clock;
// While the plugin is down, how often to look again in case a restart
// notification was missed.
constexpr std::chrono::milliseconds kPluginDownPoll{500};
}  // namespace

RunningStream::RunningStream(std::string wire_channel, Supervisor* plugin,
                             MakeRequestFn make_request, PublishFn publish,
                             RunningStreamCounters* counters,
                             std::function<void(RunningStream*)> on_ended)
    : wire_channel_(std::move(wire_channel)),
      plugin_(plugin),
      make_request_(std::move(make_request)),
      publish_(std::move(publish)),
      counters_(counters),
      on_ended_(std::move(on_ended)) {}

RunningStream::~RunningStream() {
  Cancel();
  Join();
}

void RunningStream::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void RunningStream::Cancel() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  cv_.notify_all();
}

void RunningStream::PluginRestarted() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    restart_signal_ = true;
  }
  cv_.notify_all();
}

void RunningStream::Join() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

void RunningStream::Loop() {
  RestartBackoff backoff;
  bool first_run = true;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) break;
      restart_signal_ = false;
    }
    PluginConnection connection = plugin_->connection();
    if (!connection.channel) {  // the plugin is restarting
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kPluginDownPoll,
                   [this] { return cancelled_ || restart_signal_; });
      continue;
    }
    if (!first_run) counters_->restarts.fetch_add(1);
    first_run = false;
    const auto started = Clock::now();
    bool clean = false;
    RunOnce(connection.channel, &clean);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) break;
    }
    if (clean) {
      log::Info("stream finished without error, stopping it",
                {{"channel", wire_channel_}, {"plugin", plugin_->id()}});
      finished_.store(true);
      on_ended_(this);
      return;
    }
    auto delay =
        backoff.NextDelay(std::chrono::duration_cast<std::chrono::milliseconds>(
            Clock::now() - started));
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, delay, [this] { return cancelled_ || restart_signal_; });
    if (restart_signal_) backoff.Reset();  // a new plugin process: go now
  }
  finished_.store(true);
}

void RunningStream::RunOnce(const std::shared_ptr<grpc::Channel>& channel,
                            bool* clean) {
  auto stub = pluginv2::Stream::NewStub(channel);
  grpc::ClientContext context;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return;
    context_ = &context;
  }
  pluginv2::RunStreamRequest request = make_request_();
  std::unique_ptr<grpc::ClientReader<pluginv2::StreamPacket>> reader =
      stub->RunStream(&context, request);
  pluginv2::StreamPacket packet;
  bool invalid = false;
  while (reader->Read(&packet)) {
    if (invalid) continue;  // cancelled; drain what is left
    if (!nlohmann::json::accept(packet.data())) {
      invalid = true;
      counters_->invalid_packets.fetch_add(1);
      log::Warn("plugin sent a packet that is not JSON; restarting the stream",
                {{"channel", wire_channel_}, {"plugin", plugin_->id()}});
      context.TryCancel();
      continue;
    }
    counters_->packets.fetch_add(1);
    publish_(wire_channel_, packet.data());
  }
  grpc::Status status = reader->Finish();
  bool cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    context_ = nullptr;
    cancelled = cancelled_;
  }
  if (cancelled) return;
  *clean = status.ok() && !invalid;
  if (!status.ok() && !invalid) {
    log::Warn("RunStream ended with an error; restarting",
              {{"channel", wire_channel_},
               {"plugin", plugin_->id()},
               {"code", std::to_string(status.error_code())},
               {"error", status.error_message()}});
  }
}

}  // namespace runnel::host
