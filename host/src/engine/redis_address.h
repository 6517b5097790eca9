// RedisAddress: where the Redis engine connects, parsed from the config
// value [live] ha_engine_address:
//   host[:port]                               one Redis (port 6379 if omitted)
//   [ipv6]:port                               an IPv6 literal in brackets
//   sentinel://host1:26379,host2:26379/name   ask these Sentinels (port
//                                             26379 if omitted) for the
//                                             master called `name`
// Thread-safety: plain values and a pure function.
#ifndef RUNNEL_HOST_ENGINE_REDIS_ADDRESS_H_
#define RUNNEL_HOST_ENGINE_REDIS_ADDRESS_H_

#include <string>
#include <string_view>
#include <vector>

#include "runnel/status.h"

namespace runnel::host {

inline constexpr int kRedisDefaultPort = 6379;
inline constexpr int kSentinelDefaultPort = 26379;

struct RedisEndpoint {
  std::string host;  // a name or an IP literal, without brackets
  int port = kRedisDefaultPort;

  std::string ToString() const;  // "host:port", "[::1]:port"
  bool operator==(const RedisEndpoint&) const = default;
};

struct RedisAddress {
  // Direct: endpoints holds exactly the one Redis. Sentinel: the Sentinels,
  // asked in order, and master_name is the monitored master's name.
  bool sentinel = false;
  std::vector<RedisEndpoint> endpoints;
  std::string master_name;

  std::string ToString() const;  // the config syntax again
};

// Parses `text` into *address. InvalidArgument naming what is wrong (the
// value and the part of it) otherwise; *address is then unchanged.
Status ParseRedisAddress(std::string_view text, RedisAddress* address);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_ADDRESS_H_
