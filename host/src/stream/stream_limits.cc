#include "stream/stream_limits.h"

namespace runnel::host {

const char* StartRefusalName(StartRefusal refusal) {
  switch (refusal) {
    case StartRefusal::kNone:
      return "none";
    case StartRefusal::kRate:
      return "rate";
    case StartRefusal::kPluginLimit:
      return "plugin_limit";
    case StartRefusal::kHostLimit:
      return "host_limit";
  }
  return "unknown";
}

StartRefusal StartLimiter::TakeStartToken(const std::string& client_id,
                                          TokenBucket::TimePoint now) {
  if (limits_.starts_per_second <= 0) return StartRefusal::kNone;
  auto it = buckets_.find(client_id);
  if (it == buckets_.end()) {
    it = buckets_
             .emplace(client_id, TokenBucket(limits_.starts_per_second,
                                             limits_.starts_burst, now))
             .first;
  }
  return it->second.TryTake(now) ? StartRefusal::kNone : StartRefusal::kRate;
}

StartRefusal StartLimiter::CheckCounts(const std::string& plugin_id) const {
  if (limits_.max_total > 0 && total_ >= limits_.max_total) {
    return StartRefusal::kHostLimit;
  }
  if (limits_.max_per_plugin > 0) {
    auto it = per_plugin_.find(plugin_id);
    if (it != per_plugin_.end() && it->second >= limits_.max_per_plugin) {
      return StartRefusal::kPluginLimit;
    }
  }
  return StartRefusal::kNone;
}

void StartLimiter::Started(const std::string& plugin_id) {
  ++per_plugin_[plugin_id];
  ++total_;
}

void StartLimiter::Stopped(const std::string& plugin_id) {
  auto it = per_plugin_.find(plugin_id);
  if (it == per_plugin_.end() || it->second == 0) return;
  if (--it->second == 0) per_plugin_.erase(it);
  --total_;
}

void StartLimiter::ForgetIdleClients(TokenBucket::TimePoint now) {
  std::erase_if(buckets_,
                [now](const auto& entry) { return entry.second.Full(now); });
}

}  // namespace runnel::host
