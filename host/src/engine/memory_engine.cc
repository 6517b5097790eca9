#include "engine/memory_engine.h"

namespace runnel::host {

void MemoryEngine::WantLease(const std::string&, LeaseFn on_change) {
  on_change(true);  // no other host could hold it
}

size_t MemoryEngine::ClusterSubscribers(const std::string& wire_channel) const {
  return hub_.NumSubscribers(wire_channel);
}

std::vector<HubChannelInfo> MemoryEngine::ClusterChannels() const {
  return hub_.Channels();
}

EngineHealth MemoryEngine::Health() const {
  EngineHealth health;
  health.name = "memory";
  return health;
}

}  // namespace runnel::host
