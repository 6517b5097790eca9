// RedisPresence: subscriber counts across the hosts (after centrifuge's
// PresenceManager, by count rather than by client). Every tick each node
// writes its hub's channel counts into its own hash (replaced whole, with a
// TTL) and its expiry into the node set, then reads the hashes of the other
// live nodes. A node that dies drops out after its TTL (three ticks).
// Expiry times are the hosts' wall clocks, in ms: hosts of one cluster are
// expected to keep their clocks in step (NTP), as Redis's own TTLs are not
// used to compare across hosts.
//
// Thread-safety: Tick and OnRedisDown on the io thread; the counts from any
// thread.
// Ownership: borrows the connection and the hub, which outlive it.
#ifndef RUNNEL_HOST_ENGINE_REDIS_PRESENCE_H_
#define RUNNEL_HOST_ENGINE_REDIS_PRESENCE_H_

#include <absl/base/thread_annotations.h>
#include <absl/container/flat_hash_map.h>
#include <absl/synchronization/mutex.h>

#include <chrono>
#include <string>
#include <vector>

#include "engine/redis_connection.h"
#include "engine/redis_keys.h"
#include "live/hub.h"

namespace runnel::host {

class RedisPresence {
 public:
  RedisPresence(RedisConnection& redis, const RedisKeys& keys, std::string node,
                const Hub& hub, std::chrono::milliseconds tick);

  // io thread: writes this node's counts, then reads the others'.
  void Tick();
  // io thread: the other nodes cannot be seen; only this one counts.
  void OnRedisDown();
  // io thread, shutting down: removes this node at once.
  void Leave();

  // Subscribers of the channel on the other nodes, as last read.
  size_t OthersCount(const std::string& channel) const;
  // The other nodes' channels and counts, as last read.
  absl::flat_hash_map<std::string, size_t> Others() const;

 private:
  void Write(int64_t now_ms);
  void Read(int64_t now_ms);

  RedisConnection& redis_;
  const RedisKeys& keys_;
  const std::string node_;
  const Hub& hub_;
  const std::chrono::milliseconds ttl_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, size_t> others_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_PRESENCE_H_
