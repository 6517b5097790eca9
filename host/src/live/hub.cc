#include "live/hub.h"

#include <algorithm>

#include "live/protocol.h"
#include "runnel/log.h"

namespace runnel::host {
namespace {

// FNV-1a 64, as centrifuge's node.go index().
uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// How many channels the once-per-channel log remembers; past it, oversized
// publications on further channels are only counted.
constexpr size_t kMaxRefusedChannelsLogged = 10000;

}  // namespace

Hub::Shard& Hub::ShardFor(std::string_view wire_channel) {
  return shards_[Fnv1a64(wire_channel) % kShards];
}

const Hub::Shard& Hub::ShardFor(std::string_view wire_channel) const {
  return shards_[Fnv1a64(wire_channel) % kShards];
}

std::vector<std::shared_ptr<Hub::Group>>::iterator Hub::FindGroup(
    Channel& channel, DeliveryLoop* loop) {
  return std::find_if(
      channel.groups.begin(), channel.groups.end(),
      [loop](const std::shared_ptr<Group>& g) { return g->loop == loop; });
}

bool Hub::Subscribe(const std::string& wire_channel, Subscriber* subscriber) {
  DeliveryLoop* loop = subscriber->delivery_loop();
  Shard& shard = ShardFor(wire_channel);
  absl::MutexLock lock(&shard.mutex);
  auto [it, created] = shard.channels.try_emplace(wire_channel);
  Channel& channel = it->second;
  auto group = FindGroup(channel, loop);
  if (group == channel.groups.end()) {
    channel.groups.push_back(std::make_shared<Group>());
    channel.groups.back()->loop = loop;
    group = channel.groups.end() - 1;
  }
  if (!(*group)->subscribers.insert(subscriber).second) return false;
  ++channel.subscribers;
  if (created) {
    channels_.fetch_add(1, std::memory_order_relaxed);
    if (link_ != nullptr) link_->ChannelOccupied(wire_channel);
  }
  subscriptions_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool Hub::Unsubscribe(const std::string& wire_channel, Subscriber* subscriber) {
  DeliveryLoop* loop = subscriber->delivery_loop();
  Shard& shard = ShardFor(wire_channel);
  absl::MutexLock lock(&shard.mutex);
  auto it = shard.channels.find(wire_channel);
  if (it == shard.channels.end()) return false;
  Channel& channel = it->second;
  auto group = FindGroup(channel, loop);
  if (group == channel.groups.end() ||
      (*group)->subscribers.erase(subscriber) == 0) {
    return false;
  }
  subscriptions_.fetch_sub(1, std::memory_order_relaxed);
  if ((*group)->subscribers.empty()) channel.groups.erase(group);
  if (--channel.subscribers == 0) {
    shard.channels.erase(it);
    channels_.fetch_sub(1, std::memory_order_relaxed);
    if (link_ != nullptr) link_->ChannelVacated(wire_channel);
  }
  return true;
}

void Hub::DeliverLocked([[maybe_unused]] const Shard& shard,
                        const Channel& channel, const SharedBuffer& message) {
  // Counted before the hand-over: a loop can deliver, and its client read,
  // before this thread runs again, and /metrics must not lag what a
  // client has already seen.
  messages_out_.fetch_add(channel.subscribers, std::memory_order_relaxed);
  for (const std::shared_ptr<Group>& group : channel.groups) {
    if (group->loop == nullptr) {
      for (Subscriber* subscriber : group->subscribers) {
        subscriber->Deliver(message);
      }
      continue;
    }
    // Only this loop's thread changes the group, and this task runs there.
    group->loop->Post([group, message]() {
      for (Subscriber* subscriber : group->subscribers) {
        subscriber->Deliver(message);
      }
    });
  }
}

Status Hub::CheckSize(const std::string& wire_channel, size_t bytes) {
  if (max_publication_size_ == 0 || bytes <= max_publication_size_) {
    return Status::Ok();
  }
  publications_refused_.fetch_add(1, std::memory_order_relaxed);
  std::string why = "publication of " + std::to_string(bytes) +
                    " bytes is over max_publication_size (" +
                    std::to_string(max_publication_size_) + ")";
  bool first = false;
  {
    absl::MutexLock lock(&refused_log_mu_);
    if (refused_logged_.size() < kMaxRefusedChannelsLogged) {
      first = refused_logged_.insert(wire_channel).second;
    }
  }
  if (first) {
    log::Warn("publication refused: too large (logged once per channel)",
              {{"channel", wire_channel}, {"error", why}});
  }
  return Status::InvalidArgument(why);
}

Status Hub::Publish(const std::string& wire_channel,
                    std::string_view data_json) {
  if (link_ == nullptr) return DeliverHere(wire_channel, data_json);
  // Checked here too: with no subscriber here DeliverHere encodes nothing,
  // and the other hosts must not get what this one would refuse.
  Status size = CheckPublicationSize(wire_channel, data_json.size());
  if (!size.ok()) return size;
  Status delivered = DeliverHere(wire_channel, data_json);
  if (delivered.ok()) link_->Forward(wire_channel, data_json);
  return delivered;
}

Status Hub::DeliverFromPeer(const std::string& wire_channel,
                            std::string_view data_json) {
  return DeliverHere(wire_channel, data_json);
}

Status Hub::DeliverHere(const std::string& wire_channel,
                        std::string_view data_json) {
  publications_in_.fetch_add(1, std::memory_order_relaxed);
  Shard& shard = ShardFor(wire_channel);
  absl::ReaderMutexLock lock(&shard.mutex);
  auto it = shard.channels.find(wire_channel);
  if (it == shard.channels.end()) return Status::Ok();
  // Encoded once, under the lock only so that no encoding happens for a
  // channel nobody listens to.
  SharedBuffer message =
      MakeSharedBuffer(EncodePublicationPush(wire_channel, data_json));
  Status size = CheckSize(wire_channel, message->size());
  if (!size.ok()) return size;
  DeliverLocked(shard, it->second, message);
  return Status::Ok();
}

Status Hub::CheckPublicationSize(const std::string& wire_channel,
                                 size_t data_json_bytes) {
  // The size EncodePublicationPush gives it, or a byte or two more.
  std::string envelope = "{\"push\":{\"channel\":,\"pub\":{\"data\":}}}";
  AppendJSONString(wire_channel, envelope);
  return CheckSize(wire_channel, envelope.size() + data_json_bytes);
}

size_t Hub::NumSubscribers(const std::string& wire_channel) const {
  const Shard& shard = ShardFor(wire_channel);
  absl::ReaderMutexLock lock(&shard.mutex);
  auto it = shard.channels.find(wire_channel);
  return it == shard.channels.end() ? 0 : it->second.subscribers;
}

std::vector<HubChannelInfo> Hub::Channels() const {
  std::vector<HubChannelInfo> out;
  for (const Shard& shard : shards_) {
    absl::ReaderMutexLock lock(&shard.mutex);
    for (const auto& [name, channel] : shard.channels) {
      out.push_back({name, channel.subscribers});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const HubChannelInfo& a, const HubChannelInfo& b) {
              return a.channel < b.channel;
            });
  return out;
}

size_t Hub::NumChannels() const {
  return channels_.load(std::memory_order_relaxed);
}

size_t Hub::NumSubscriptions() const {
  return subscriptions_.load(std::memory_order_relaxed);
}

HubCounters Hub::Counters() const {
  return {publications_in_.load(std::memory_order_relaxed),
          messages_out_.load(std::memory_order_relaxed),
          publications_refused_.load(std::memory_order_relaxed)};
}

}  // namespace runnel::host
