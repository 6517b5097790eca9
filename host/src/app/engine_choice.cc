#include "app/engine_choice.h"

#include "engine/memory_engine.h"
#include "engine/redis_address.h"
#include "engine/redis_engine.h"

namespace runnel::host {

Status MakeEngine(const LiveSettings& live, Hub& hub,
                  std::unique_ptr<Engine>* engine) {
  const auto kept = static_cast<size_t>(live.push_max_channels);
  if (live.ha_engine.empty()) {
    *engine = std::make_unique<MemoryEngine>(hub, kept);
    return Status::Ok();
  }
  RedisEngineOptions options;
  Status address =
      ParseRedisAddress(live.ha_engine_address, &options.redis.address);
  if (!address.ok()) {
    return Status::InvalidArgument("[live] ha_engine_address: " +
                                   address.message());
  }
  options.redis.password = live.ha_engine_password;
  options.ha_prefix = live.ha_prefix;
  options.max_kept_channels = kept;
  options.lease_ttl = live.ha_lease_ttl;
  *engine = std::make_unique<RedisEngine>(hub, std::move(options));
  return Status::Ok();
}

}  // namespace runnel::host
