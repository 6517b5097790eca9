// Hub: the in-process pub/sub core. Maps a wire channel (the org-prefixed id,
// "1/ds/testdata/random-20Hz-stream") to its subscribers and fans
// publications out to them. No sockets in here.
//
// A publication is encoded once into a SharedBuffer (a Centrifuge push
// reply) and the same buffer goes to every subscriber.
//
// Thread-safety: every method may be called from any thread. Publish is
// called from plugin stream threads, Subscribe/Unsubscribe from I/O threads.
// Channels are spread over shards by hash; each shard has its own lock.
// Subscriber::Deliver is called with the channel's shard lock held (shared),
// so it must be quick and must never call back into the Hub.
//
// Ownership: the Hub does not own subscribers. A subscriber must remove
// itself (Unsubscribe/UnsubscribeAll) before it is destroyed; once that call
// returns no Deliver to it is running or will start.
#ifndef RUNNEL_HOST_LIVE_HUB_H_
#define RUNNEL_HOST_LIVE_HUB_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "live/shared_buffer.h"

namespace runnel::host {

// Implemented by client sessions (and by fakes in tests).
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Called with a shard lock held: enqueue and return, never block.
  virtual void Deliver(const SharedBuffer& message) = 0;
};

struct HubChannelInfo {
  std::string channel;
  size_t subscribers = 0;
};

struct HubCounters {
  uint64_t publications_in = 0;  // Publish/Broadcast calls
  uint64_t messages_out = 0;     // Deliver calls (one per subscriber)
};

class Hub {
 public:
  Hub() = default;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Returns false if `subscriber` already was in the channel.
  bool Subscribe(const std::string& wire_channel, Subscriber* subscriber);
  // Returns false if it was not subscribed.
  bool Unsubscribe(const std::string& wire_channel, Subscriber* subscriber);

  // Encodes {"push":{"channel":..,"pub":{"data":<data_json>}}} once and
  // delivers it to every subscriber of the channel. `data_json` is raw JSON,
  // embedded as is (raw '\n' bytes are dropped).
  void Publish(const std::string& wire_channel, std::string_view data_json);

  // Delivers an already encoded message to every subscriber of the channel.
  void Broadcast(const std::string& wire_channel, const SharedBuffer& message);

  size_t NumSubscribers(const std::string& wire_channel) const;
  std::vector<HubChannelInfo> Channels() const;  // sorted by channel
  size_t NumChannels() const;
  size_t NumSubscriptions() const;  // sum of subscribers over channels
  HubCounters Counters() const;

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    // Guards `channels`. Publish/NumSubscribers take it shared,
    // Subscribe/Unsubscribe exclusive.
    mutable std::shared_mutex mutex;
    std::unordered_map<std::string, std::unordered_set<Subscriber*>> channels;
  };
  Shard& ShardFor(std::string_view wire_channel);
  const Shard& ShardFor(std::string_view wire_channel) const;
  // Delivers to every subscriber of a channel; REQUIRES: shard.mutex held.
  void DeliverLocked(const std::unordered_set<Subscriber*>& subscribers,
                     const SharedBuffer& message);

  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> publications_in_{0};
  std::atomic<uint64_t> messages_out_{0};
  std::atomic<size_t> subscriptions_{0};
  std::atomic<size_t> channels_{0};
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_HUB_H_
