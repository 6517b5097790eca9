#include "engine/redis_engine.h"

#include <boost/asio/post.hpp>
#include <future>
#include <map>
#include <random>

#include "runnel/log.h"

namespace runnel::host {
namespace {

constexpr size_t kNodeIdLength = 16;

// 16 hex digits, random: a host's identity in leases, presence and the
// payloads it publishes.
std::string NewNodeId() {
  std::random_device random;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string id;
  for (size_t i = 0; i < kNodeIdLength; ++i) {
    id.push_back("0123456789abcdef"[digit(random)]);
  }
  return id;
}

// How long Shutdown waits for the leases to be released before it stops
// anyway (they then expire by themselves).
constexpr auto kReleaseWait = std::chrono::seconds(2);

}  // namespace

RedisEngine::RedisEngine(Hub& hub, RedisEngineOptions options)
    : hub_(hub),
      options_(std::move(options)),
      keys_(options_.ha_prefix),
      node_(NewNodeId()),
      work_(boost::asio::make_work_guard(io_)) {
  auto on_state = [this](bool) { OnStateChange(); };
  commands_ = std::make_unique<RedisConnection>(io_, options_.redis, on_state);
  pubsub_ = std::make_unique<RedisSubscriber>(
      io_, options_.redis,
      [this](const std::string& channel, const std::string& payload) {
        OnMessage(channel, payload);
      },
      on_state);
  last_messages_ = std::make_unique<RedisLastMessages>(
      io_, *commands_, keys_, options_.max_kept_channels);
  leases_ = std::make_unique<RedisLeases>(io_, *commands_, keys_, node_,
                                          options_.lease_ttl);
  presence_ = std::make_unique<RedisPresence>(*commands_, keys_, node_, hub_,
                                              options_.lease_ttl / 3);
  tick_ = std::make_unique<boost::asio::steady_timer>(io_);
  boost::asio::post(io_, [this] {
    commands_->Start();
    pubsub_->Start();
    ScheduleTick();
  });
  thread_ = std::thread([this] { io_.run(); });
  log::Info("Redis engine",
            {{"address", options_.redis.address.ToString()}, {"node", node_}});
}

RedisEngine::~RedisEngine() { Shutdown(); }

void RedisEngine::ScheduleTick() {
  tick_->expires_after(options_.lease_ttl / 3);
  tick_->async_wait([this](const boost::system::error_code& error) {
    if (error) return;  // cancelled: shutting down
    OnStateChange();
    leases_->Tick();
    presence_->Tick();
    ScheduleTick();
  });
}

void RedisEngine::OnStateChange() {
  const bool commands_up = commands_->up();
  if (commands_up != commands_up_.exchange(commands_up)) {
    if (!commands_up) presence_->OnRedisDown();
    leases_->OnRedisState(commands_up);
  }
  pubsub_up_ = pubsub_->up();
  const bool degraded = !commands_up || !pubsub_up_;
  if (degraded == was_degraded_) return;
  was_degraded_ = degraded;
  if (degraded) {
    log::Warn(
        "Redis unreachable: this host serves its own clients only "
        "and keeps reconnecting",
        {{"address", options_.redis.address.ToString()}});
  } else {
    log::Info("Redis reachable: delivery across hosts resumed",
              {{"address", options_.redis.address.ToString()}});
  }
}

void RedisEngine::Forward(const std::string& wire_channel,
                          std::string_view data_json) {
  std::string payload;
  payload.reserve(node_.size() + data_json.size());
  payload.append(node_).append(data_json);
  boost::asio::post(io_, [this, channel = keys_.PubSub(wire_channel),
                          payload = std::move(payload)]() mutable {
    // Down: dropped. The other hosts cannot be reached; this host's
    // subscribers have it already.
    if (!commands_->up()) return;
    commands_->Command({"PUBLISH", std::move(channel), std::move(payload)},
                       [](const RedisReply&) {});
  });
}

void RedisEngine::OnMessage(const std::string& pubsub_channel,
                            const std::string& payload) {
  std::optional<std::string> channel = keys_.ChannelOfPubSub(pubsub_channel);
  if (!channel || payload.size() < kNodeIdLength) return;
  std::string_view origin(payload.data(), kNodeIdLength);
  if (origin == node_) return;  // delivered here when it was published
  (void)hub_.DeliverFromPeer(*channel,
                             std::string_view(payload).substr(kNodeIdLength));
}

void RedisEngine::ChannelOccupied(const std::string& wire_channel) {
  boost::asio::post(io_, [this, name = keys_.PubSub(wire_channel)] {
    pubsub_->Subscribe(name);
  });
}

void RedisEngine::ChannelVacated(const std::string& wire_channel) {
  boost::asio::post(io_, [this, name = keys_.PubSub(wire_channel)] {
    pubsub_->Unsubscribe(name);
  });
}

void RedisEngine::WantLease(const std::string& wire_channel,
                            LeaseFn on_change) {
  leases_->Want(wire_channel, std::move(on_change));
}

void RedisEngine::DropLease(const std::string& wire_channel) {
  leases_->Drop(wire_channel);
}

size_t RedisEngine::ClusterSubscribers(const std::string& wire_channel) const {
  return hub_.NumSubscribers(wire_channel) +
         presence_->OthersCount(wire_channel);
}

std::vector<HubChannelInfo> RedisEngine::ClusterChannels() const {
  std::map<std::string, size_t> merged;
  for (const HubChannelInfo& info : hub_.Channels()) {
    merged[info.channel] += info.subscribers;
  }
  for (const auto& [channel, count] : presence_->Others()) {
    merged[channel] += count;
  }
  std::vector<HubChannelInfo> out;
  out.reserve(merged.size());
  for (auto& [channel, count] : merged) out.push_back({channel, count});
  return out;
}

EngineHealth RedisEngine::Health() const {
  EngineHealth health;
  health.name = "redis";
  health.degraded = !commands_up_ || !pubsub_up_;
  if (health.degraded) {
    health.message = "Redis at " + options_.redis.address.ToString() +
                     " is unreachable: this host serves its own clients only";
  }
  return health;
}

void RedisEngine::Shutdown() {
  absl::MutexLock lock(&shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  // Leases first, so other hosts take the streams over at once.
  auto released = std::make_shared<std::promise<void>>();
  std::future<void> released_future = released->get_future();
  boost::asio::post(io_, [this, released] {
    presence_->Leave();
    leases_->ReleaseAll([released] { released->set_value(); });
  });
  released_future.wait_for(kReleaseWait);
  boost::asio::post(io_, [this] {
    tick_->cancel();
    commands_->Stop();
    pubsub_->Stop();
  });
  work_.reset();
  thread_.join();
}

}  // namespace runnel::host
