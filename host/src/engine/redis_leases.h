// RedisLeases: this host's leases on plugin channels, so that one host in
// the cluster runs a channel's RunStream (beyond Grafana, whose hosts each
// run their own). A lease is a key holding the node id with a TTL:
//   - a host that wants the channel claims it (SET NX PX) at once and then
//     every tick: a held lease is renewed, a free one taken;
//   - a host that dies stops renewing, and another host that wants the
//     channel takes it within ttl + one tick;
//   - a host that no longer wants it releases it (only if it still holds
//     it), so another host takes it over at its next tick;
//   - while Redis cannot be reached, every host that wants a channel holds
//     it locally, so its own subscribers are served. When Redis is back the
//     claims sort it out again: the losers are told they lost.
//
// Thread-safety: Want and Drop from any thread; everything else on the io
// thread (the engine's Redis thread). Callbacks run there, one at a time.
// After Drop returns the channel's callback is not running (unless Drop is
// called from inside it) and is not called again.
// Ownership: borrows the io_context and the connection, which outlive it.
#ifndef RUNNEL_HOST_ENGINE_REDIS_LEASES_H_
#define RUNNEL_HOST_ENGINE_REDIS_LEASES_H_

#include <absl/base/thread_annotations.h>
#include <absl/container/flat_hash_map.h>
#include <absl/synchronization/mutex.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "engine/redis_connection.h"
#include "engine/redis_keys.h"

namespace runnel::host {

class RedisLeases {
 public:
  using LeaseFn = std::function<void(bool held)>;

  RedisLeases(boost::asio::io_context& io, RedisConnection& redis,
              const RedisKeys& keys, std::string node,
              std::chrono::milliseconds ttl);

  void Want(const std::string& channel, LeaseFn on_change);
  void Drop(const std::string& channel);

  // io thread: claims or renews every wanted lease.
  void Tick();
  // io thread: Redis went down (everyone wanted is held here) or came up
  // (claims at once).
  void OnRedisState(bool up);
  // io thread: releases every held lease (shutting down); then `done`.
  void ReleaseAll(std::function<void()> done);

  size_t held_count() const;  // io thread

 private:
  struct Lease {
    bool held = false;
  };

  void OnWant(const std::string& channel);
  void OnDrop(const std::string& channel);
  void Claim(const std::string& channel);
  void Release(const std::string& channel, std::function<void()> done);
  void SetHeld(const std::string& channel, bool held);
  bool Wanted(const std::string& channel) const;

  // Drop's wait: the channel's callback is not running. Evaluated by
  // Await with mu_ held.
  struct NotNotifying {
    const RedisLeases* leases;
    const std::string* channel;
    bool operator()() const ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return leases->notifying_ != *channel;
    }
  };

  boost::asio::io_context& io_;
  RedisConnection& redis_;
  const RedisKeys& keys_;
  const std::string node_;
  const std::string ttl_ms_;

  absl::flat_hash_map<std::string, Lease> leases_;  // io thread only

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, LeaseFn> callbacks_ ABSL_GUARDED_BY(mu_);
  // The channel whose callback runs now ("" for none): Drop waits for it.
  std::string notifying_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_LEASES_H_
