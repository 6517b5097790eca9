// MemoryEngine: one host alone. Publications stay on this host, the last
// messages are kept in memory (lost on restart, as Grafana's memory cache),
// every lease is held at once, and the cluster is this host.
// Thread-safety: every method from any thread.
// Ownership: borrows the hub, which must outlive it.
#ifndef RUNNEL_HOST_ENGINE_MEMORY_ENGINE_H_
#define RUNNEL_HOST_ENGINE_MEMORY_ENGINE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "live/hub.h"
#include "live/last_message_store.h"

namespace runnel::host {

class MemoryEngine : public Engine {
 public:
  // max_kept_channels: channels whose last message is kept.
  MemoryEngine(const Hub& hub, size_t max_kept_channels)
      : hub_(hub), last_messages_(max_kept_channels) {}

  void Forward(const std::string&, std::string_view) override {}
  void ChannelOccupied(const std::string&) override {}
  void ChannelVacated(const std::string&) override {}

  LastMessageStore& last_messages() override { return last_messages_; }
  void WantLease(const std::string& wire_channel, LeaseFn on_change) override;
  void DropLease(const std::string&) override {}
  size_t ClusterSubscribers(const std::string& wire_channel) const override;
  std::vector<HubChannelInfo> ClusterChannels() const override;
  EngineHealth Health() const override;
  void Shutdown() override {}

 private:
  const Hub& hub_;
  MemoryLastMessageStore last_messages_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_MEMORY_ENGINE_H_
