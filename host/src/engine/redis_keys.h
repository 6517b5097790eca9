// RedisKeys: the names the Redis engine uses, all under one prefix:
// "gf_live", or "<ha_prefix>.gf_live" (grafana pkg/services/live
// managedstream cache_redis.go and ha_prefix).
//   <p>.managed_stream.<channel>   hash {schema, frame, updated}: the last
//                                  message of a stream/ or broadcast
//                                  channel (Grafana's layout, plus the
//                                  update time), 7-day TTL
//   <p>.managed_stream_index       sorted set: kept channels by update time
//   <p>.pub.<channel>              PUB/SUB channel of a wire channel
//   <p>.lease.<channel>            the node holding a plugin channel's
//                                  RunStream, with a TTL
//   <p>.presence.<node>            hash {channel: subscribers} of one node
//   <p>.nodes                      sorted set: live nodes by expiry time
// Channels are wire channels ("1/stream/telegraf/cpu").
// Thread-safety: a plain value.
#ifndef RUNNEL_HOST_ENGINE_REDIS_KEYS_H_
#define RUNNEL_HOST_ENGINE_REDIS_KEYS_H_

#include <optional>
#include <string>
#include <string_view>

namespace runnel::host {

class RedisKeys {
 public:
  explicit RedisKeys(std::string_view ha_prefix);

  std::string LastMessage(std::string_view channel) const;
  const std::string& LastMessageIndex() const { return index_; }
  std::string PubSub(std::string_view channel) const;
  // The wire channel of a PUB/SUB channel name, or nullopt if it is not
  // one of ours.
  std::optional<std::string> ChannelOfPubSub(std::string_view name) const;
  std::string Lease(std::string_view channel) const;
  std::string Presence(std::string_view node) const;
  const std::string& Nodes() const { return nodes_; }

 private:
  std::string prefix_;  // "gf_live" or "<ha_prefix>.gf_live"
  std::string pubsub_prefix_;
  std::string index_;
  std::string nodes_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_KEYS_H_
