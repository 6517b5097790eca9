// RedisEngine: several hosts on one Redis serve one audience (Grafana's
// `[live] ha_engine = redis`, and more):
//   - every publication made here goes to Redis PUB/SUB, pipelined on one
//     command connection, and every host's PUB/SUB connection delivers the
//     channels it has subscribers of to its hub (a host skips its own
//     publications, which its hub delivered already);
//   - the last messages live in Redis (RedisLastMessages);
//   - plugin channels have one RunStream in the cluster (RedisLeases), and
//     subscribers are counted across the hosts (RedisPresence);
//   - Redis unreachable, at start or later: this host serves its own
//     clients alone, says so once in the log and in Health(), and
//     reconnects with backoff; everything resumes with no restart.
// All Redis work runs on one thread of its own; nothing here blocks a hub,
// I/O or gRPC thread.
//
// Thread-safety: every method from any thread.
// Ownership: borrows the hub, which must outlive it; owns its thread.
#ifndef RUNNEL_HOST_ENGINE_REDIS_ENGINE_H_
#define RUNNEL_HOST_ENGINE_REDIS_ENGINE_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "engine/redis_connection.h"
#include "engine/redis_keys.h"
#include "engine/redis_last_messages.h"
#include "engine/redis_leases.h"
#include "engine/redis_options.h"
#include "engine/redis_presence.h"
#include "engine/redis_subscriber.h"
#include "live/hub.h"

namespace runnel::host {

struct RedisEngineOptions {
  RedisOptions redis;
  std::string ha_prefix;
  size_t max_kept_channels = 10000;
  // A lease outlives its holder's last renewal by this; renewals, presence
  // and claims run every third of it.
  std::chrono::milliseconds lease_ttl{3000};
};

class RedisEngine : public Engine {
 public:
  RedisEngine(Hub& hub, RedisEngineOptions options);
  ~RedisEngine() override;  // Shutdown()
  RedisEngine(const RedisEngine&) = delete;
  RedisEngine& operator=(const RedisEngine&) = delete;

  void Forward(const std::string& wire_channel,
               std::string_view data_json) override;
  void ChannelOccupied(const std::string& wire_channel) override;
  void ChannelVacated(const std::string& wire_channel) override;

  LastMessageStore& last_messages() override { return *last_messages_; }
  void WantLease(const std::string& wire_channel, LeaseFn on_change) override;
  void DropLease(const std::string& wire_channel) override;
  size_t ClusterSubscribers(const std::string& wire_channel) const override;
  std::vector<HubChannelInfo> ClusterChannels() const override;
  EngineHealth Health() const override;
  void Shutdown() override;

  const std::string& node_id() const { return node_; }

 private:
  // io thread.
  void ScheduleTick();
  void OnMessage(const std::string& pubsub_channel, const std::string& payload);
  void OnStateChange();  // either connection went up or down

  Hub& hub_;
  const RedisEngineOptions options_;
  const RedisKeys keys_;
  const std::string node_;  // random, fixed length: prefixes each payload
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  // Made and destroyed on the io thread.
  std::unique_ptr<RedisConnection> commands_;
  std::unique_ptr<RedisSubscriber> pubsub_;
  std::unique_ptr<RedisLastMessages> last_messages_;
  std::unique_ptr<RedisLeases> leases_;
  std::unique_ptr<RedisPresence> presence_;
  std::unique_ptr<boost::asio::steady_timer> tick_;
  bool was_degraded_ = false;  // io thread: the last state logged

  std::atomic<bool> commands_up_{false};
  std::atomic<bool> pubsub_up_{false};
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
  std::thread thread_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_ENGINE_H_
