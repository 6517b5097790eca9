#include "live/last_message_store.h"

#include <algorithm>
#include <utility>

namespace runnel::host {

Status MemoryLastMessageStore::Put(const std::string& wire_channel,
                                   StoredMessage message, KeptFn then) {
  absl::MutexLock lock(&mutex_);
  auto it = channels_.find(wire_channel);
  if (it == channels_.end()) {
    if (channels_.size() >= max_channels_) {
      return Status::ResourceExhausted(
          "the host keeps the last message of at most " +
          std::to_string(max_channels_) + " channels");
    }
    it = channels_.emplace(wire_channel, StoredMessage{}).first;
    it->second = std::move(message);
    then(true, it->second);
    return Status::Ok();
  }
  const bool schema_changed = it->second.schema != message.schema;
  it->second = std::move(message);
  then(schema_changed, it->second);
  return Status::Ok();
}

bool MemoryLastMessageStore::HasRoomFor(
    const std::vector<std::string>& wire_channels) {
  absl::MutexLock lock(&mutex_);
  size_t added = 0;
  for (const std::string& channel : wire_channels) {
    if (!channels_.contains(channel)) ++added;
  }
  return channels_.size() + added <= max_channels_;
}

void MemoryLastMessageStore::Get(
    const std::string& wire_channel,
    std::function<void(std::optional<StoredMessage>)> done) const {
  std::optional<StoredMessage> found;
  {
    absl::MutexLock lock(&mutex_);
    auto it = channels_.find(wire_channel);
    if (it != channels_.end()) found = it->second;
  }
  done(std::move(found));
}

void MemoryLastMessageStore::List(
    std::function<void(std::vector<StoredChannel>)> done) const {
  done(Channels());
}

std::vector<StoredChannel> MemoryLastMessageStore::Channels() const {
  std::vector<StoredChannel> out;
  {
    absl::MutexLock lock(&mutex_);
    out.reserve(channels_.size());
    for (const auto& [channel, stored] : channels_) {
      out.push_back({channel, stored.schema, stored.updated_unix_ms});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const StoredChannel& a, const StoredChannel& b) {
              return a.channel < b.channel;
            });
  return out;
}

}  // namespace runnel::host
