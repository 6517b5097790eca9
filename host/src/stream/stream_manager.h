// StreamManager: the host's ChannelHandler for the ds/ and plugin/ scopes
// (reference §4). It routes a channel to its plugin, sends SubscribeStream
// and PublishStream with gRPC's callback API (never blocking the caller's
// thread; only waiting for a plugin that is not running uses a small worker
// pool), and keeps one RunStream per wire channel
// ("1/ds/testdata/random-20Hz-stream"), started with the first subscriber's
// data. Every packet of a RunStream is checked to be JSON and handed to
// `publish`.
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
//
// Thread-safety: all public methods may be called from any thread. `publish`
// and `num_subscribers` are called from the manager's threads with no
// manager lock held. `done` is called exactly once, from the caller's thread
// (unknown channel, shutting down), a worker or a gRPC callback thread.
// Ownership: borrows the registry (must outlive the manager); owns its
// threads and the calls in flight. The destructor calls Shutdown().
#ifndef RUNNEL_HOST_STREAM_STREAM_MANAGER_H_
#define RUNNEL_HOST_STREAM_STREAM_MANAGER_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/datasource.h"
#include "live/channel_handler.h"
#include "plugin/plugin_registry.h"
#include "stream/channel_router.h"
#include "stream/running_stream.h"
#include "stream/worker_pool.h"

namespace runnel::host {

struct StreamManagerOptions {
  std::chrono::milliseconds grace_period{5000};
  std::chrono::milliseconds check_interval{1000};
  // For Subscribe/Publish calls that wait for a plugin to (re)start.
  size_t worker_threads = 4;
  std::chrono::milliseconds rpc_timeout{10000};
  // How long Subscribe/Publish wait for a restarting plugin before 500.
  std::chrono::milliseconds unavailable_wait{3000};
};

struct StreamStats {
  std::vector<std::string> channels;  // wire channels with a live RunStream
  uint64_t runstream_starts = 0;      // new streams (not restarts)
  uint64_t runstream_restarts = 0;  // re-runs after an error or plugin restart
  uint64_t packets = 0;             // published packets
  uint64_t invalid_packets = 0;     // non-JSON packets (stream restarted)
};

class StreamManager : public ChannelHandler {
 public:
  using PublishFn = std::function<void(const std::string& wire_channel,
                                       std::string_view data_json)>;
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

  // Cancels every stream, joins all threads; later calls get 500 replies.
  void Shutdown();

 private:
  struct StreamEntry {
    std::shared_ptr<RunningStream> stream;
    // When num_subscribers was first seen at 0 (none: it has subscribers).
    std::optional<std::chrono::steady_clock::time_point> zero_since;
  };

  struct SubscribeCall;  // one OnSubscribe until its reply
  struct PublishCall;    // one OnPublish until its reply

  // Runs `then` with the plugin's current connection: at once if it is
  // running, else on a worker after waiting up to unavailable_wait (null
  // channel if it is not running by then or the manager is shutting down).
  void WhenRunning(Supervisor* plugin,
                   std::function<void(PluginConnection)> then);
  // Sends the call's RPC on `connection`; replies 500 if it is null or the
  // manager is shutting down.
  void SendSubscribe(std::shared_ptr<SubscribeCall> call,
                     const PluginConnection& connection);
  void OnSubscribeReply(std::shared_ptr<SubscribeCall> call,
                        const grpc::Status& rpc);
  void SendPublish(std::shared_ptr<PublishCall> call,
                   const PluginConnection& connection);
  void OnPublishReply(std::shared_ptr<PublishCall> call,
                      const grpc::Status& rpc);
  // Registers an RPC about to start (false once shutting down) / ended.
  bool BeginRpc(const std::shared_ptr<grpc::ClientContext>& context);
  void EndRpc(const std::shared_ptr<grpc::ClientContext>& context);
  // The last step of every counted call: replies, then uncounts it.
  template <typename Reply>
  void Finish(const std::function<void(Reply)>& done, Reply reply);
  // Starts the RunStream for wire_channel unless one is running.
  void EnsureStream(const std::string& wire_channel, const Route& route,
                    const ClientIdentity& who, const std::string& data);
  void OnStreamEnded(RunningStream* stream);  // from the stream's thread
  void CheckLoop();                           // the grace-period checker thread
  void OnPluginRestarted(const std::string& plugin_id);

  PluginRegistry* const registry_;
  const ChannelRouter router_;
  const PublishFn publish_;
  const NumSubscribersFn num_subscribers_;
  const StreamManagerOptions options_;
  RunningStreamCounters counters_;  // atomics; shared with the streams

  mutable std::mutex mu_;             // guards everything below
  std::condition_variable check_cv_;  // wakes CheckLoop on shutdown
  bool shut_down_ = false;
  std::map<std::string, StreamEntry> streams_;           // by wire channel
  std::vector<std::shared_ptr<RunningStream>> retired_;  // to be joined
  uint64_t runstream_starts_ = 0;
  std::vector<std::pair<Supervisor*, int>> listener_handles_;
  std::thread checker_;
  std::unique_ptr<WorkerPool> workers_;  // reset by Shutdown()
  // Cancelled by Shutdown(); shared so that cancelling needs no lock.
  std::set<std::shared_ptr<grpc::ClientContext>> rpcs_in_flight_;
  size_t pending_calls_ = 0;  // Subscribe/Publish calls not yet replied to
  std::condition_variable calls_done_cv_;  // pending_calls_ reached 0
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_STREAM_MANAGER_H_
