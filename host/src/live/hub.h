// Hub: the in-process pub/sub core. Maps a wire channel (the org-prefixed id,
// "1/ds/testdata/random-20Hz-stream") to its subscribers and fans
// publications out to them. No sockets in here.
//
// A publication is encoded once into a SharedBuffer (a Centrifuge push
// reply) and the same buffer goes to every subscriber.
//
// Delivery: subscribers that live on an event loop (client sessions) are
// grouped per loop. A publication is handed to each loop once, and the loop
// delivers it to its subscribers of the channel on its own thread, one after
// another, with no lock and no per-subscriber hand-off. Subscribers without
// a loop (test fakes) get Deliver on the publishing thread.
//
// Thread-safety: every method may be called from any thread, except that a
// subscriber with a loop must subscribe and unsubscribe on that loop's
// thread (that is what lets the loop walk its group without a lock).
// Publish is called from plugin stream threads. Channels are spread over
// shards by hash; each shard has its own lock. Deliver must be quick and
// must never call back into the Hub.
//
// Size limit: a publication whose encoded message is bigger than
// max_publication_size is refused by Publish/Broadcast (an error, counted,
// logged once per channel) and delivered to nobody. A client's queue could
// never hold it, so delivering it would only close every subscriber with
// 3008 "slow"; the channel goes on with the next publication.
//
// Ownership: the Hub does not own subscribers. A subscriber must remove
// itself (Unsubscribe/UnsubscribeAll) before it is destroyed; once that call
// returns no Deliver to it is running or will start.
#ifndef RUNNEL_HOST_LIVE_HUB_H_
#define RUNNEL_HOST_LIVE_HUB_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "live/shared_buffer.h"
#include "runnel/status.h"

namespace runnel::host {

// An event loop that runs posted tasks one after another on its thread.
class DeliveryLoop {
 public:
  virtual ~DeliveryLoop() = default;
  virtual void Post(std::function<void()> task) = 0;
};

// Where publications go beyond this host: the engine (engine/engine.h).
// The hub delivers every publication to its own subscribers first, then
// forwards it, so local delivery never waits for, or depends on, other
// hosts. It also reports which channels have subscribers here, so the
// engine listens only for those.
// The hub calls these with a shard lock held, in order per channel: they
// must hand the work on (post it) and return, never block or call back.
class HubLink {
 public:
  virtual ~HubLink() = default;
  // A publication made on this host (Publish), for the other hosts.
  virtual void Forward(const std::string& wire_channel,
                       std::string_view data_json) = 0;
  // The channel's first subscriber on this host came / its last one left.
  virtual void ChannelOccupied(const std::string& wire_channel) = 0;
  virtual void ChannelVacated(const std::string& wire_channel) = 0;
};

// Implemented by client sessions (and by fakes in tests).
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Runs on delivery_loop()'s thread, or, without a loop, on the publishing
  // thread with a shard lock held: enqueue or write and return, never block.
  virtual void Deliver(const SharedBuffer& message) = 0;
  // The loop Deliver runs on; null: the publishing thread.
  virtual DeliveryLoop* delivery_loop() const { return nullptr; }
};

struct HubChannelInfo {
  std::string channel;
  size_t subscribers = 0;
};

struct HubCounters {
  uint64_t publications_in = 0;       // Publish/Broadcast calls
  uint64_t messages_out = 0;          // Deliver calls (one per subscriber)
  uint64_t publications_refused = 0;  // over max_publication_size
};

class Hub {
 public:
  // max_publication_size: bytes of an encoded publication; 0 = no limit.
  explicit Hub(size_t max_publication_size = 0)
      : max_publication_size_(max_publication_size) {}
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Returns false if `subscriber` already was in the channel.
  bool Subscribe(const std::string& wire_channel, Subscriber* subscriber);
  // Returns false if it was not subscribed.
  bool Unsubscribe(const std::string& wire_channel, Subscriber* subscriber);

  // Encodes {"push":{"channel":..,"pub":{"data":<data_json>}}} once and
  // delivers it to every subscriber of the channel. `data_json` is raw JSON,
  // embedded as is (raw '\n' bytes are dropped). InvalidArgument when the
  // message is over max_publication_size (nothing is delivered); OK with no
  // subscribers.
  // With a link, the publication is then forwarded to the other hosts
  // (even with no subscriber here), unless it is over the limit.
  Status Publish(const std::string& wire_channel, std::string_view data_json);
  // A publication another host made, from the link: delivered to this
  // host's subscribers only, as Publish, and not forwarded again.
  Status DeliverFromPeer(const std::string& wire_channel,
                         std::string_view data_json);

  // Sets the link once, before the hub is used; null: this host alone.
  void SetLink(HubLink* link) { link_ = link; }

  // Bytes of an encoded publication Publish accepts; 0 = no limit.
  size_t max_publication_size() const { return max_publication_size_; }
  // Checks a publication of `data_json_bytes` into `wire_channel` against
  // the limit before it goes anywhere (it may be kept too, or be one of a
  // batch that must go out whole). A refusal is counted and logged as
  // Publish's is.
  Status CheckPublicationSize(const std::string& wire_channel,
                              size_t data_json_bytes);

  size_t NumSubscribers(const std::string& wire_channel) const;
  std::vector<HubChannelInfo> Channels() const;  // sorted by channel
  size_t NumChannels() const;
  size_t NumSubscriptions() const;  // sum of subscribers over channels
  HubCounters Counters() const;

 private:
  static constexpr size_t kShards = 64;
  // A channel's subscribers on one loop. Changed under the shard's exclusive
  // lock, on the loop's thread; read under the shared lock or on that loop.
  // Posted deliveries hold it, so it outlives its channel's last subscriber.
  struct Group {
    DeliveryLoop* loop = nullptr;
    std::unordered_set<Subscriber*> subscribers;
  };
  struct Channel {
    std::vector<std::shared_ptr<Group>> groups;  // one per loop
    size_t subscribers = 0;
  };
  struct Shard {
    // Publish/NumSubscribers take it shared, Subscribe/Unsubscribe
    // exclusive.
    mutable absl::Mutex mutex;
    std::unordered_map<std::string, Channel> channels ABSL_GUARDED_BY(mutex);
  };
  // The channel's group for `loop`, or groups.end().
  static std::vector<std::shared_ptr<Group>>::iterator FindGroup(
      Channel& channel, DeliveryLoop* loop);
  Shard& ShardFor(std::string_view wire_channel);
  const Shard& ShardFor(std::string_view wire_channel) const;
  // Hands `message` to every group of `channel`, one of `shard`'s.
  void DeliverLocked(const Shard& shard, const Channel& channel,
                     const SharedBuffer& message)
      ABSL_SHARED_LOCKS_REQUIRED(shard.mutex);
  // Checks the limit; counts and logs (once per channel) a refusal.
  Status CheckSize(const std::string& wire_channel, size_t bytes);

  // Publish and DeliverFromPeer: encodes and delivers to this host's
  // subscribers.
  Status DeliverHere(const std::string& wire_channel,
                     std::string_view data_json);

  HubLink* link_ = nullptr;  // set before use, then only read
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> publications_in_{0};
  std::atomic<uint64_t> messages_out_{0};
  std::atomic<size_t> subscriptions_{0};
  std::atomic<size_t> channels_{0};
  const size_t max_publication_size_;
  std::atomic<uint64_t> publications_refused_{0};
  // Channels whose oversized publication was already logged; bounded, so a
  // storm over many channels cannot grow it without end.
  absl::Mutex refused_log_mu_;
  std::unordered_set<std::string> refused_logged_
      ABSL_GUARDED_BY(refused_log_mu_);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_HUB_H_
