// RedisOptions: how a Redis client (RedisConnection, RedisSubscriber)
// reaches Redis and how it notices and recovers from failures.
// Thread-safety: a plain value.
#ifndef RUNNEL_HOST_ENGINE_REDIS_OPTIONS_H_
#define RUNNEL_HOST_ENGINE_REDIS_OPTIONS_H_

#include <chrono>
#include <string>

#include "engine/redis_address.h"

namespace runnel::host {

struct RedisOptions {
  RedisAddress address;
  std::string password;  // AUTH <password> when set (not sent to Sentinels)
  // A TCP connect (to Redis or a Sentinel) not done by then fails.
  std::chrono::milliseconds connect_timeout{1000};
  // The wait before a reconnect doubles from backoff_min up to backoff_max
  // and starts again from backoff_min once a connection is up.
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
  // A command (or the idle PING) unanswered this long drops the connection:
  // hiredis 0.14 has no timeouts of its own, and a stopped Redis or a cut
  // link would otherwise hang every command for good.
  std::chrono::milliseconds command_timeout{3000};
  // An idle connection sends a PING this often, so the above catches a
  // dead peer even when nothing else is sent.
  std::chrono::milliseconds ping_interval{1000};
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_REDIS_OPTIONS_H_
