#include "engine/redis_keys.h"

namespace runnel::host {

RedisKeys::RedisKeys(std::string_view ha_prefix)
    : prefix_(ha_prefix.empty() ? "gf_live"
                                : std::string(ha_prefix) + ".gf_live"),
      pubsub_prefix_(prefix_ + ".pub."),
      index_(prefix_ + ".managed_stream_index"),
      nodes_(prefix_ + ".nodes") {}

std::string RedisKeys::LastMessage(std::string_view channel) const {
  return prefix_ + ".managed_stream." + std::string(channel);
}

std::string RedisKeys::PubSub(std::string_view channel) const {
  return pubsub_prefix_ + std::string(channel);
}

std::optional<std::string> RedisKeys::ChannelOfPubSub(
    std::string_view name) const {
  if (!name.starts_with(pubsub_prefix_)) return std::nullopt;
  return std::string(name.substr(pubsub_prefix_.size()));
}

std::string RedisKeys::Lease(std::string_view channel) const {
  return prefix_ + ".lease." + std::string(channel);
}

std::string RedisKeys::Presence(std::string_view node) const {
  return prefix_ + ".presence." + std::string(node);
}

}  // namespace runnel::host
