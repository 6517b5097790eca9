// RunningStream: one RunStream call kept alive for one wire channel, with
// no thread of its own. The call is read with gRPC's callback API
// (RunStreamCall); waits (restart backoff, a plugin that is restarting) are
// timers on the manager's TimerLoop. Each packet is checked to be JSON and
// published; a non-JSON packet or an error end runs the stream again after
// RestartBackoff's delay (at once when the plugin reports a new process); a
// clean end or Cancel() stops it.
//
// Thread-safety: every method may be called from any thread. `publish` runs
// on gRPC callback threads, one packet at a time, with no lock held.
// `on_ended` is called once, from the TimerLoop's thread, when the stream
// ends by itself (clean end), never after Cancel().
// Ownership: shared; the manager holds it, and so do its call and its timer
// while they are pending. Borrows the plugin, the counters and the loop,
// which must outlive every stream (the manager waits with WaitStopped).
#ifndef RUNNEL_HOST_STREAM_RUNNING_STREAM_H_
#define RUNNEL_HOST_STREAM_RUNNING_STREAM_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "backend.pb.h"
#include "plugin/supervisor.h"
#include "runnel/status.h"
#include "stream/restart_backoff.h"
#include "stream/run_stream_call.h"
#include "stream/timer_loop.h"

namespace runnel::host {

struct RunningStreamCounters {
  std::atomic<uint64_t> restarts{0};
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> invalid_packets{0};
};

class RunningStream : public std::enable_shared_from_this<RunningStream> {
 public:
  using MakeRequestFn = std::function<pluginv2::RunStreamRequest()>;
  using PublishFn = std::function<void(const std::string& wire_channel,
                                       std::string_view data_json)>;

  RunningStream(std::string wire_channel, Supervisor* plugin,
                MakeRequestFn make_request, PublishFn publish,
                RunningStreamCounters* counters, TimerLoop* timers,
                std::function<void(RunningStream*)> on_ended);
  ~RunningStream();

  // The first run: starts the call now (or a wait if the plugin is down).
  // An error means nothing was started and nothing is pending; call once.
  Status Start();
  void Cancel();           // cancels the call or wait; no more runs
  void PluginRestarted();  // a wait for a retry ends now
  // After Cancel(): returns once no call and no timer of this stream is
  // pending, so nothing borrowed is touched any more.
  void WaitStopped();
  bool stopped() const;  // true when WaitStopped would not wait
  bool finished() const { return finished_.load(); }  // ended by itself

  const std::string& wire_channel() const { return wire_channel_; }
  const std::string& plugin_id() const { return plugin_->id(); }

 private:
  // Starts a call if the plugin runs, else waits for it. Throws only what
  // making the request or the call throws, before anything is pending.
  void Attempt();
  // The timer's handler: attempts again unless cancelled.
  void OnWaitOver();
  bool OnPacket(const std::string& data);       // false: stop reading
  void OnCallDone(const grpc::Status& status);  // on the timer loop
  void WaitLocked(std::chrono::milliseconds delay)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IdleLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return call_ == nullptr && !waiting_;
  }

  const std::string wire_channel_;
  Supervisor* const plugin_;
  const MakeRequestFn make_request_;
  const PublishFn publish_;
  RunningStreamCounters* const counters_;
  const std::function<void(RunningStream*)> on_ended_;
  TimerLoop* const timer_loop_;

  mutable absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  // The plugin restarted while a call ran: the next run goes at once.
  bool restart_signal_ ABSL_GUARDED_BY(mu_) = false;
  bool first_run_ ABSL_GUARDED_BY(mu_) = true;
  // Set by a packet that is not JSON: the run ends as an error.
  bool invalid_packet_ ABSL_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point run_started_ ABSL_GUARDED_BY(mu_);
  RestartBackoff backoff_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<RunStreamCall> call_ ABSL_GUARDED_BY(mu_);  // in flight
  boost::asio::steady_timer timer_ ABSL_GUARDED_BY(mu_);
  bool waiting_ ABSL_GUARDED_BY(mu_) = false;  // until OnWaitOver's attempt
  std::atomic<bool> finished_{false};
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_RUNNING_STREAM_H_
