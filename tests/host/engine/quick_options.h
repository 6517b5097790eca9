// QuickOptions: RedisOptions for the client tests: one Redis on loopback,
// with short backoffs and timeouts so outages are seen and healed within a
// test's patience.
// Thread-safety: a pure function.
#ifndef RUNNEL_TESTS_HOST_ENGINE_QUICK_OPTIONS_H_
#define RUNNEL_TESTS_HOST_ENGINE_QUICK_OPTIONS_H_

#include <chrono>

#include "engine/redis_options.h"

namespace runnel::host {

inline RedisOptions QuickOptions(int port) {
  using std::chrono::milliseconds;
  RedisOptions options;
  options.address.endpoints = {RedisEndpoint{"127.0.0.1", port}};
  options.backoff_min = milliseconds(20);
  options.backoff_max = milliseconds(200);
  options.command_timeout = milliseconds(1000);
  options.ping_interval = milliseconds(100);
  return options;
}

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_ENGINE_QUICK_OPTIONS_H_
