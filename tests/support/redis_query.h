// QueryRedis: one blocking command to a Redis (or Sentinel) on loopback,
// on a fresh connection, for tests that check or steer a server from the
// outside (is it up, who is master, publish). Independent of the client
// under test: plain sockets and a small RESP2 reader.
// Thread-safety: free functions, safe from any thread.
#ifndef RUNNEL_TESTS_SUPPORT_REDIS_QUERY_H_
#define RUNNEL_TESTS_SUPPORT_REDIS_QUERY_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace runnel::testing {

struct RespValue {
  char type = 0;     // '+', '-', ':', '$', '*'; '$' with nil: null bulk
  bool nil = false;  // $-1 or *-1
  std::string text;  // status, error, integer digits or bulk bytes
  std::vector<RespValue> elements;
};

// Connects to 127.0.0.1:port, sends AUTH first when `password` is set,
// then `args`; the reply to `args`, or nullopt when the server cannot be
// reached or does not answer within `timeout`.
std::optional<RespValue> QueryRedis(
    int port, const std::vector<std::string>& args,
    const std::string& password = "",
    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_REDIS_QUERY_H_
