// StartLimiter: whether one more RunStream may start. Three limits, each
// answered with its own Centrifuge error by the stream manager:
//   - starts per connection per second, a token bucket per client id (111
//     "too many requests": centrifuge-js retries it with backoff);
//   - concurrent streams per plugin (106 "limit exceeded");
//   - concurrent streams on this host (106).
// A limit of 0 means none. Time is passed in; no clocks inside.
// Thread-safety: none; the stream manager calls it under its lock.
#ifndef RUNNEL_HOST_STREAM_STREAM_LIMITS_H_
#define RUNNEL_HOST_STREAM_STREAM_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "stream/token_bucket.h"

namespace runnel::host {

struct StreamLimits {
  double starts_per_second = 10;  // per connection
  double starts_burst = 20;       // starts allowed at once per connection
  size_t max_per_plugin = 10000;
  size_t max_total = 20000;
};

enum class StartRefusal { kNone, kRate, kPluginLimit, kHostLimit };

// For logs and the metric's `reason` label: "rate", "plugin_limit", ...
const char* StartRefusalName(StartRefusal refusal);

class StartLimiter {
 public:
  explicit StartLimiter(const StreamLimits& limits) : limits_(limits) {}

  // Takes a token from client_id's bucket: kNone or kRate.
  StartRefusal TakeStartToken(const std::string& client_id,
                              TokenBucket::TimePoint now);
  // Whether one more stream of `plugin_id` fits: kNone or a count limit.
  StartRefusal CheckCounts(const std::string& plugin_id) const;
  void Started(const std::string& plugin_id);
  void Stopped(const std::string& plugin_id);
  // Drops the buckets that have refilled (clients gone or idle): a new
  // bucket would be the same, and the map stays as small as the busy set.
  void ForgetIdleClients(TokenBucket::TimePoint now);

  size_t total() const { return total_; }
  size_t tracked_clients() const { return buckets_.size(); }

 private:
  const StreamLimits limits_;
  std::unordered_map<std::string, TokenBucket> buckets_;  // by client id
  std::map<std::string, size_t> per_plugin_;              // running streams
  size_t total_ = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_STREAM_LIMITS_H_
