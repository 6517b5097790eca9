#include "engine/redis_leases.h"

#include <boost/asio/post.hpp>
#include <memory>

#include "runnel/log.h"

namespace runnel::host {
namespace {

// KEYS[1] lease, ARGV[1] node, ARGV[2] ttl ms. Renews the lease if this
// node holds it, takes it if it is free: 1; another node holds it: 0.
constexpr char kClaimScript[] = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
)lua";

// KEYS[1] lease, ARGV[1] node: deletes it only if this node holds it.
constexpr char kReleaseScript[] = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

}  // namespace

RedisLeases::RedisLeases(boost::asio::io_context& io, RedisConnection& redis,
                         const RedisKeys& keys, std::string node,
                         std::chrono::milliseconds ttl)
    : io_(io),
      redis_(redis),
      keys_(keys),
      node_(std::move(node)),
      ttl_ms_(std::to_string(ttl.count())) {}

void RedisLeases::Want(const std::string& channel, LeaseFn on_change) {
  {
    absl::MutexLock lock(&mu_);
    callbacks_[channel] = std::move(on_change);
  }
  boost::asio::post(io_, [this, channel] { OnWant(channel); });
}

void RedisLeases::Drop(const std::string& channel) {
  {
    absl::MutexLock lock(&mu_);
    callbacks_.erase(channel);
    // On the io thread the running callback, if any, is our caller.
    if (!io_.get_executor().running_in_this_thread()) {
      NotNotifying done_with_it{this, &channel};
      mu_.Await(absl::Condition(&done_with_it));
    }
  }
  boost::asio::post(io_, [this, channel] { OnDrop(channel); });
}

bool RedisLeases::Wanted(const std::string& channel) const {
  absl::MutexLock lock(&mu_);
  return callbacks_.contains(channel);
}

void RedisLeases::OnWant(const std::string& channel) {
  if (!Wanted(channel) || leases_.contains(channel)) return;
  leases_[channel] = Lease{};
  if (redis_.up()) {
    Claim(channel);
  } else {
    SetHeld(channel, true);  // no one to ask: serve this host's subscribers
  }
}

void RedisLeases::OnDrop(const std::string& channel) {
  if (Wanted(channel)) return;  // wanted again meanwhile: keep the lease
  auto it = leases_.find(channel);
  if (it == leases_.end()) return;
  const bool held = it->second.held;
  leases_.erase(it);
  if (held) Release(channel, [] {});
}

void RedisLeases::Claim(const std::string& channel) {
  redis_.Command(
      {"EVAL", kClaimScript, "1", keys_.Lease(channel), node_, ttl_ms_},
      [this, channel](const RedisReply& reply) {
        // An error is transient (Redis went down): the next tick
        // or the down state decides.
        if (reply.error() || !leases_.contains(channel)) return;
        SetHeld(channel, reply.integer == 1);
      });
}

void RedisLeases::Release(const std::string& channel,
                          std::function<void()> done) {
  if (!redis_.up()) return done();  // it expires by itself
  redis_.Command({"EVAL", kReleaseScript, "1", keys_.Lease(channel), node_},
                 [done = std::move(done)](const RedisReply&) { done(); });
}

void RedisLeases::SetHeld(const std::string& channel, bool held) {
  Lease& lease = leases_[channel];
  if (lease.held == held) return;
  lease.held = held;
  LeaseFn on_change;
  {
    absl::MutexLock lock(&mu_);
    auto it = callbacks_.find(channel);
    if (it == callbacks_.end()) return;
    on_change = it->second;
    notifying_ = channel;
  }
  on_change(held);
  absl::MutexLock lock(&mu_);
  notifying_.clear();
}

void RedisLeases::Tick() {
  if (!redis_.up()) return;
  for (const auto& [channel, lease] : leases_) Claim(channel);
}

void RedisLeases::OnRedisState(bool up) {
  if (up) return Tick();
  std::vector<std::string> waiting;
  for (const auto& [channel, lease] : leases_) {
    if (!lease.held) waiting.push_back(channel);
  }
  if (!waiting.empty()) {
    log::Warn(
        "Redis unreachable: this host runs the streams of its own "
        "subscribers",
        {{"streams", std::to_string(waiting.size())}});
  }
  for (const std::string& channel : waiting) SetHeld(channel, true);
}

void RedisLeases::ReleaseAll(std::function<void()> done) {
  auto remaining = std::make_shared<size_t>(1);
  auto one_done = [remaining, done = std::move(done)] {
    if (--*remaining == 0) done();
  };
  for (const auto& [channel, lease] : leases_) {
    if (!lease.held) continue;
    ++*remaining;
    Release(channel, one_done);
  }
  leases_.clear();
  one_done();
}

size_t RedisLeases::held_count() const {
  size_t held = 0;
  for (const auto& [channel, lease] : leases_) held += lease.held ? 1 : 0;
  return held;
}

}  // namespace runnel::host
