// StreamManager: the host's ChannelHandler for the ds/ and plugin/ scopes
// (after grafana pkg/services/live/runstream/manager.go). It routes a
// channel to its plugin, sends SubscribeStream and PublishStream with gRPC's
// callback API (never blocking the caller's thread; only waiting for a
// plugin that is not running uses a small worker pool), and keeps one
// RunStream per wire channel ("1/ds/testdata/random-20Hz-stream"), started
// with the first subscriber's data. Every packet of a RunStream is checked
// to be JSON and handed to `publish`. No thread is made per stream: the
// calls are gRPC reactors and every wait is a timer on one TimerLoop
// thread, so the thread count does not grow with the number of streams.
//   - A stream is cancelled once `num_subscribers` has returned 0 for the
//     whole grace period (polled every check_interval; non-zero resets), so
//     between grace and grace + 2 * check_interval after the last one left.
//   - A RunStream that ends with an error (or sends a non-JSON packet) is
//     run again with Grafana's backoff: 0, 200 ms, 400 ms ... 5 s for runs
//     shorter than 100 ms; a longer run resets the delay to 0.
//   - One that ends cleanly (OK) is removed and not restarted; a later new
//     subscription starts a new one.
//   - When a plugin's supervisor reports a restart, that plugin's streams are
//     retried at once against the new process.
// Reply codes: unknown data source / plugin 404 "Not Found"; SubscribeStream
// or PublishStream NOT_FOUND 404, PERMISSION_DENIED 403; a plugin that is not
// running (restarting) or an RPC failure 500 with the reason in the message.
// A subscribe that would start a new RunStream is refused over the limits
// (StreamLimits): 111 "too many requests" over the connection's start rate,
// 106 "limit exceeded" over the per-plugin or per-host count. A RunStream
// that cannot be started (whatever threw) is answered 100 "internal server
// error", which centrifuge-js retries; nothing thrown reaches gRPC.
//
// Thread-safety: all public methods may be called from any thread. `publish`
// and `num_subscribers` are called from gRPC and timer threads with no
// manager lock held. `done` is called exactly once, from the caller's thread
// (unknown channel, refused, shutting down), a worker or a gRPC callback
// thread.
// Ownership: borrows the registry (must outlive the manager); owns its
// threads and the calls in flight. The destructor calls Shutdown().
#ifndef RUNNEL_HOST_STREAM_STREAM_MANAGER_H_
#define RUNNEL_HOST_STREAM_STREAM_MANAGER_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/datasource.h"
#include "live/channel_handler.h"
#include "plugin/plugin_registry.h"
#include "stream/channel_router.h"
#include "stream/running_stream.h"
#include "stream/stream_limits.h"
#include "stream/timer_loop.h"
#include "stream/worker_pool.h"

namespace runnel::host {

// Several hosts on one engine: one RunStream per channel across them (the
// engine's lease, engine/engine.h). Null functions: this host alone, every
// stream starts with its first subscriber.
struct StreamLeases {
  // want(channel, on_change): on_change(true) once this host holds the
  // channel's lease, (false) when it lost it. drop(channel): no more calls.
  // Neither is called with the manager's lock held.
  std::function<void(const std::string&, std::function<void(bool)>)> want;
  std::function<void(const std::string&)> drop;
  // Subscribers on every host: the lease holder's stream runs while any
  // host has some.
  std::function<size_t(const std::string&)> cluster_subscribers;
};

struct StreamManagerOptions {
  std::chrono::milliseconds grace_period{5000};
  std::chrono::milliseconds check_interval{1000};
  // For Subscribe/Publish calls that wait for a plugin to (re)start.
  size_t worker_threads = 4;
  std::chrono::milliseconds rpc_timeout{10000};
  // How long Subscribe/Publish wait for a restarting plugin before 500.
  std::chrono::milliseconds unavailable_wait{3000};
  StreamLimits limits;
  // Test seam: runs before each new RunStream is started; whatever it
  // throws stands for a failure to start one (say std::system_error when a
  // resource cannot be made). Null in production.
  std::function<void(const std::string& wire_channel)> before_stream_start;
  StreamLeases leases;
};

struct StreamStats {
  std::vector<std::string> channels;  // wire channels with a live RunStream
  // With leases: channels subscribed here whose RunStream another host
  // runs (its frames come through the engine).
  std::vector<std::string> followed;
  uint64_t runstream_starts = 0;    // new streams (not restarts)
  uint64_t runstream_restarts = 0;  // re-runs after an error or plugin restart
  uint64_t packets = 0;             // published packets
  uint64_t invalid_packets = 0;     // non-JSON packets (stream restarted)
  // Subscribes refused instead of starting a RunStream, by reason.
  uint64_t refused_rate = 0;          // 111: the connection's start rate
  uint64_t refused_plugin_limit = 0;  // 106: streams of one plugin
  uint64_t refused_host_limit = 0;    // 106: streams of this host
  uint64_t start_failures = 0;        // 100: could not start one
};

class StreamManager : public ChannelHandler {
 public:
  // Hands one packet of a RunStream to the hub; shared with every stream.
  using PublishFn = RunningStream::PublishFn;
  using NumSubscribersFn =
      std::function<size_t(const std::string& wire_channel)>;

  StreamManager(PluginRegistry* registry, std::vector<DataSource> data_sources,
                PublishFn publish, NumSubscribersFn num_subscribers,
                StreamManagerOptions options = {});
  ~StreamManager() override;
  StreamManager(const StreamManager&) = delete;
  StreamManager& operator=(const StreamManager&) = delete;

  void OnSubscribe(const ClientIdentity& who, const std::string& wire_channel,
                   const LiveChannel& channel, const std::string& data,
                   std::function<void(SubscribeReply)> done) override;
  void OnPublish(const ClientIdentity& who, const std::string& wire_channel,
                 const LiveChannel& channel, const std::string& data,
                 std::function<void(PublishReply)> done) override;

  StreamStats Stats() const;

  // Cancels every stream, answers every call in flight and joins all
  // threads; later calls get 500 replies. Idempotent: a call made while
  // another runs returns once that one is done.
  void Shutdown();

 private:
  struct StreamEntry {
    std::shared_ptr<RunningStream> stream;
    // When num_subscribers was first seen at 0 (none: it has subscribers).
    std::optional<std::chrono::steady_clock::time_point> zero_since;
    // With leases: a fresh stream for the channel (a cancelled one does not
    // run again), whether this host holds the lease, and whether `stream`
    // was started.
    std::function<std::shared_ptr<RunningStream>()> make_stream;
    bool leased = false;
    bool started = false;
  };

  struct SubscribeCall;  // one OnSubscribe until its reply
  struct PublishCall;    // one OnPublish until its reply

  // Runs `then` with the plugin's current connection: at once if it is
  // running, else on a worker after waiting up to unavailable_wait (null
  // channel if it is not running by then or the manager is shutting down).
  void WhenRunning(Supervisor* plugin,
                   std::function<void(PluginConnection)> then);
  // What SendSubscribe and SendPublish share: a 500 (logged as `refused`)
  // if `connection` is null or the manager is shutting down; otherwise a
  // fresh context with the RPC deadline, registered for Shutdown to cancel,
  // and issue(async stub, context, ended) starts the RPC, whose completion
  // calls ended() first.
  template <typename Call, typename Issue>
  void SendRpc(const std::shared_ptr<Call>& call,
               const PluginConnection& connection, const char* refused,
               const std::string& channel, const std::string& plugin_id,
               Issue issue);
  // Sends the call's RPC on `connection` (SendRpc).
  void SendSubscribe(std::shared_ptr<SubscribeCall> call,
                     const PluginConnection& connection);
  void OnSubscribeReply(std::shared_ptr<SubscribeCall> call,
                        const grpc::Status& rpc);
  void SendPublish(std::shared_ptr<PublishCall> call,
                   const PluginConnection& connection);
  void OnPublishReply(std::shared_ptr<PublishCall> call,
                      const grpc::Status& rpc);
  // Runs step(); if it throws, answers the call with 100 instead. Every
  // callback body (gRPC, workers) goes through here.
  template <typename Call, typename Step>
  void Guarded(const std::shared_ptr<Call>& call, const char* where,
               Step&& step);
  // Registers an RPC about to start (false once shutting down) / ended.
  bool BeginRpc(const std::shared_ptr<grpc::ClientContext>& context);
  void EndRpc(const std::shared_ptr<grpc::ClientContext>& context);
  // The last step of every counted call: replies once, then uncounts it.
  template <typename Call, typename Reply>
  void Finish(Call& call, Reply reply);
  // Whether a subscribe to wire_channel may go on: a running stream, or
  // room for a new one (the connection's start token is taken here).
  StartRefusal AdmitLocked(const ClientIdentity& who,
                           const std::string& wire_channel,
                           const std::string& plugin_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CountRefusalLocked(StartRefusal refusal)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts the RunStream for wire_channel unless one is running; the reply
  // for the subscriber: OK, or why no stream could be started.
  SubscribeReply EnsureStream(const std::string& wire_channel,
                              const Route& route, const ClientIdentity& who,
                              const std::string& data);
  // EnsureStream's first step: makes the stream into *stream and records it
  // in streams_ (not started yet). Instead, a reply for the subscriber when
  // shutting down, one is running already (OK), the limits refuse, or
  // making it threw.
  std::optional<SubscribeReply> AddStreamLocked(
      const std::string& wire_channel, const Route& route,
      const ClientIdentity& who, const std::string& data,
      std::shared_ptr<RunningStream>* stream)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops streams_[it] and its place in the limits.
  void EraseStreamLocked(std::map<std::string, StreamEntry>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnStreamEnded(RunningStream* stream);  // from the timer loop
  bool leased() const { return static_cast<bool>(options_.leases.want); }
  // With leases (stream_manager_leases.cc): asks for the new entry's lease;
  // the stream starts when it is held and stops when it is lost.
  void WantLease(const std::string& wire_channel);
  void OnLeaseChange(const std::string& wire_channel, bool held);
  // Starts the stream this host now holds the lease of; on failure the
  // entry goes and the lease is dropped.
  void StartLeased(const std::string& wire_channel,
                   std::shared_ptr<RunningStream> stream);
  void DropLeases(const std::vector<std::string>& wire_channels);
  // The subscribers that keep an entry: on every host for the lease holder,
  // on this one for a host that follows another's stream.
  size_t SubscribersFor(const std::string& wire_channel, bool leased) const;
  // The grace-period check, every check_interval on the timer loop.
  void ScheduleCheckLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CheckOnce();
  void OnPluginRestarted(const std::string& plugin_id);
  bool NoPendingCallsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return pending_calls_ == 0;
  }

  PluginRegistry* const registry_;
  const ChannelRouter router_;
  const PublishFn publish_;
  const NumSubscribersFn num_subscribers_;
  const StreamManagerOptions options_;
  RunningStreamCounters counters_;  // atomics; shared with the streams
  // Before everything that holds timers: destroyed after them.
  TimerLoop timers_;

  // Serializes Shutdown(): a second call (say the destructor's while
  // another thread shuts down) returns only once the first is done, not
  // while it still removes listeners and joins threads. Never taken by a
  // callback, so holding it across those waits cannot deadlock.
  absl::Mutex shutdown_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // This manager's listener on each plugin's supervisor: added by the
  // constructor, removed by Shutdown().
  std::vector<std::pair<Supervisor*, int>> listener_handles_
      ABSL_GUARDED_BY(shutdown_mu_);

  mutable absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, StreamEntry> streams_
      ABSL_GUARDED_BY(mu_);  // by wire channel
  // Cancelled or ended streams, until they have stopped.
  std::vector<std::shared_ptr<RunningStream>> retired_ ABSL_GUARDED_BY(mu_);
  StartLimiter limiter_ ABSL_GUARDED_BY(mu_);
  uint64_t runstream_starts_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_rate_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_plugin_limit_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t refused_host_limit_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t start_failures_ ABSL_GUARDED_BY(mu_) = 0;
  boost::asio::steady_timer check_timer_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<WorkerPool> workers_ ABSL_GUARDED_BY(mu_);
  // Cancelled by Shutdown(); shared so that cancelling needs no lock.
  std::set<std::shared_ptr<grpc::ClientContext>> rpcs_in_flight_
      ABSL_GUARDED_BY(mu_);
  // Subscribe/Publish calls not yet replied to.
  size_t pending_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_STREAM_MANAGER_H_
