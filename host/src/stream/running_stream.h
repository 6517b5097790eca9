// RunningStream: one RunStream call kept alive for one wire channel, on its
// own thread. It reads packets, checks each is JSON and publishes it; on an
// error end it runs again after RestartBackoff's delay (or at once when the
// plugin reports a new generation); on a clean end or Cancel() it stops.
// Thread-safety: Cancel, PluginRestarted, Join and the getters may be called
// from any thread. Ownership: owned by the StreamManager (shared_ptr);
// `on_ended` is called once from the stream's thread when it ends by itself
// (clean end), never after Cancel().
#ifndef RUNNEL_HOST_STREAM_RUNNING_STREAM_H_
#define RUNNEL_HOST_STREAM_RUNNING_STREAM_H_

#include <grpcpp/client_context.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "backend.pb.h"
#include "plugin/supervisor.h"

namespace runnel::host {

struct RunningStreamCounters {
  std::atomic<uint64_t> restarts{0};
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> invalid_packets{0};
};

class RunningStream {
 public:
  using MakeRequestFn = std::function<pluginv2::RunStreamRequest()>;
  using PublishFn = std::function<void(const std::string& wire_channel,
                                       std::string_view data_json)>;

  RunningStream(std::string wire_channel, Supervisor* plugin,
                MakeRequestFn make_request, PublishFn publish,
                RunningStreamCounters* counters,
                std::function<void(RunningStream*)> on_ended);
  ~RunningStream();  // Cancel() + Join()

  void Start();
  void Cancel();           // cancels the call in flight; no more runs
  void PluginRestarted();  // retry now if waiting
  void Join();
  bool finished() const { return finished_.load(); }

  const std::string& wire_channel() const { return wire_channel_; }
  const std::string& plugin_id() const { return plugin_->id(); }

 private:
  void Loop();
  // One RunStream call; returns when it ends. *clean = OK status.
  void RunOnce(const std::shared_ptr<grpc::Channel>& channel, bool* clean);

  const std::string wire_channel_;
  Supervisor* const plugin_;
  const MakeRequestFn make_request_;
  const PublishFn publish_;
  RunningStreamCounters* const counters_;
  const std::function<void(RunningStream*)> on_ended_;

  std::mutex mu_;  // guards cancelled_, restart_signal_, context_
  std::condition_variable cv_;
  bool cancelled_ = false;
  bool restart_signal_ = false;
  grpc::ClientContext* context_ = nullptr;  // the call in flight, if any
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_RUNNING_STREAM_H_
