// LastMessageStore: the last message of each channel that keeps one, what a
// new subscriber gets as its subscribe reply's initial data (grafana
// pkg/services/live/managedstream cache_memory.go, and the broadcast
// feature's last message). Push keeps each stream/ channel's last full frame
// with its schema here; grafana/broadcast keeps its last publication.
//
// The memory store is the memory engine's; the Redis engine keeps the same
// in Redis, shared by every host (engine/redis_last_messages.h). So its
// calls take callbacks: the memory store calls them at once, inline; a
// networked one later, on its own thread. A callback owns what it uses.
//
// Ordering: `then` runs in the order the Puts were made (the memory store
// calls it under its lock), so what `then` publishes goes out in that
// order, and the stored message is always the last one published.
//
// Limit: at most max_channels channels are kept; a Put for a new channel
// beyond it is refused (nothing is stored, `then` is not called). Entries
// stay when their subscribers leave; a restart loses them, as Grafana's
// memory cache.
//
// Thread-safety: every method from any thread. `then` must not call back
// into the store.
#ifndef RUNNEL_HOST_LIVE_LAST_MESSAGE_STORE_H_
#define RUNNEL_HOST_LIVE_LAST_MESSAGE_STORE_H_

#include <absl/base/thread_annotations.h>
#include <absl/container/flat_hash_map.h>
#include <absl/synchronization/mutex.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runnel/status.h"

namespace runnel::host {

struct StoredMessage {
  // The frame schema JSON the message was encoded with ("" for messages
  // that are not frames). A Put whose schema differs reports a change.
  std::string schema;
  std::string message;  // raw JSON: the subscribe reply's data
  int64_t updated_unix_ms = 0;
};

struct StoredChannel {
  std::string channel;  // wire channel ("1/stream/telegraf/cpu")
  std::string schema;
  int64_t updated_unix_ms = 0;
};

class LastMessageStore {
 public:
  using KeptFn =
      std::function<void(bool schema_changed, const StoredMessage& kept)>;

  virtual ~LastMessageStore() = default;

  // Keeps `message` as the channel's last and calls then(schema_changed,
  // kept): schema_changed is true when the channel had no message or one
  // with another schema; `kept` is the stored message (valid during the
  // call), so a caller publishing it need not keep a copy of its own.
  // ResourceExhausted (and no call) for a new channel over the limit.
  virtual Status Put(const std::string& wire_channel, StoredMessage message,
                     KeptFn then) = 0;
  // Whether Puts to these channels would all be taken now.
  virtual bool HasRoomFor(const std::vector<std::string>& wire_channels) = 0;
  // The channel's last message, or nullopt.
  virtual void Get(
      const std::string& wire_channel,
      std::function<void(std::optional<StoredMessage>)> done) const = 0;
  // Every kept channel, sorted by name.
  virtual void List(
      std::function<void(std::vector<StoredChannel>)> done) const = 0;
};

class MemoryLastMessageStore : public LastMessageStore {
 public:
  explicit MemoryLastMessageStore(size_t max_channels)
      : max_channels_(max_channels) {}

  Status Put(const std::string& wire_channel, StoredMessage message,
             KeptFn then) override;
  bool HasRoomFor(const std::vector<std::string>& wire_channels) override;
  void Get(
      const std::string& wire_channel,
      std::function<void(std::optional<StoredMessage>)> done) const override;
  void List(
      std::function<void(std::vector<StoredChannel>)> done) const override;
  // List's answer, returned.
  std::vector<StoredChannel> Channels() const;

 private:
  const size_t max_channels_;
  // One lock: a Put holds it only to compare a schema, swap a string and
  // hand a buffer to the hub.
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, StoredMessage> channels_
      ABSL_GUARDED_BY(mutex_);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_LAST_MESSAGE_STORE_H_
