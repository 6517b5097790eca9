#include "engine/redis_presence.h"

#include <memory>

namespace runnel::host {
namespace {

// Field-value pairs per HSET, so no single command grows without bound.
constexpr size_t kPairsPerCommand = 1000;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Ignore(const RedisReply&) {}

}  // namespace

RedisPresence::RedisPresence(RedisConnection& redis, const RedisKeys& keys,
                             std::string node, const Hub& hub,
                             std::chrono::milliseconds tick)
    : redis_(redis),
      keys_(keys),
      node_(std::move(node)),
      hub_(hub),
      ttl_(3 * tick) {}

void RedisPresence::Tick() {
  if (!redis_.up()) return;
  const int64_t now_ms = NowUnixMs();
  Write(now_ms);
  Read(now_ms);
}

void RedisPresence::Write(int64_t now_ms) {
  const std::string key = keys_.Presence(node_);
  const std::string ttl_ms = std::to_string(ttl_.count());
  // One transaction, so readers never see the hash half rewritten. The
  // commands go out back to back on the io thread: nothing interleaves.
  redis_.Command({"MULTI"}, Ignore);
  redis_.Command({"DEL", key}, Ignore);
  std::vector<std::string> hset{"HSET", key};
  for (const HubChannelInfo& info : hub_.Channels()) {
    hset.push_back(info.channel);
    hset.push_back(std::to_string(info.subscribers));
    if (hset.size() >= 2 + 2 * kPairsPerCommand) {
      redis_.Command(std::move(hset), Ignore);
      hset = {"HSET", key};
    }
  }
  if (hset.size() > 2) redis_.Command(std::move(hset), Ignore);
  redis_.Command({"PEXPIRE", key, ttl_ms}, Ignore);
  redis_.Command(
      {"ZADD", keys_.Nodes(), std::to_string(now_ms + ttl_.count()), node_},
      Ignore);
  redis_.Command(
      {"ZREMRANGEBYSCORE", keys_.Nodes(), "-inf", std::to_string(now_ms)},
      Ignore);
  redis_.Command({"EXEC"}, Ignore);
}

void RedisPresence::Read(int64_t now_ms) {
  redis_.Command(
      {"ZRANGEBYSCORE", keys_.Nodes(), std::to_string(now_ms), "+inf"},
      [this](const RedisReply& nodes) {
        if (nodes.error()) return;
        auto merged =
            std::make_shared<absl::flat_hash_map<std::string, size_t>>();
        auto publish = [this, merged] {
          absl::MutexLock lock(&mu_);
          others_ = std::move(*merged);
        };
        std::vector<std::string> others;
        for (const RedisReply& node : nodes.elements) {
          if (node.str != node_) others.push_back(node.str);
        }
        if (others.empty()) return publish();
        auto remaining = std::make_shared<size_t>(others.size());
        for (const std::string& node : others) {
          redis_.Command(
              {"HGETALL", keys_.Presence(node)},
              [merged, remaining, publish](const RedisReply& hash) {
                for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
                  (*merged)[hash.elements[i].str] +=
                      static_cast<size_t>(std::strtoull(
                          hash.elements[i + 1].str.c_str(), nullptr, 10));
                }
                if (--*remaining == 0) publish();
              });
        }
      });
}

void RedisPresence::OnRedisDown() {
  absl::MutexLock lock(&mu_);
  others_.clear();
}

void RedisPresence::Leave() {
  if (!redis_.up()) return;
  redis_.Command({"DEL", keys_.Presence(node_)}, Ignore);
  redis_.Command({"ZREM", keys_.Nodes(), node_}, Ignore);
}

size_t RedisPresence::OthersCount(const std::string& channel) const {
  absl::MutexLock lock(&mu_);
  auto it = others_.find(channel);
  return it == others_.end() ? 0 : it->second;
}

absl::flat_hash_map<std::string, size_t> RedisPresence::Others() const {
  absl::MutexLock lock(&mu_);
  return others_;
}

}  // namespace runnel::host
