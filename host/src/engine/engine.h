// Engine: what the hosts of one audience share (after centrifuge's Broker
// and PresenceManager, and grafana pkg/services/live's ha_engine). The hub
// forwards every publication to it (HubLink) and gets the other hosts'
// publications back; it keeps the last message of channels that have one;
// it holds a lease per plugin channel, so that one host in the cluster runs
// that channel's RunStream; and it counts subscribers across the hosts.
//
// Backends: MemoryEngine, one host alone (Grafana's default, and what
// Runnel does without `[live] ha_engine`), and RedisEngine, any number of
// hosts on one Redis (engine/redis_engine.h).
//
// Thread-safety: every method from any thread. Callbacks run on the
// engine's thread (Redis) or inline (memory); they must not block.
// Ownership: the host owns the engine; it outlives the hub's use of it and
// the stream manager.
#ifndef RUNNEL_HOST_ENGINE_ENGINE_H_
#define RUNNEL_HOST_ENGINE_ENGINE_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "live/hub.h"
#include "live/last_message_store.h"

namespace runnel::host {

struct EngineHealth {
  std::string name;       // "memory" or "redis"
  bool degraded = false;  // the hosts cannot reach each other now
  std::string message;    // why, when degraded
};

class Engine : public HubLink {
 public:
  // Called with true when this host holds the channel's lease (it runs
  // the RunStream) and false when it lost it.
  using LeaseFn = std::function<void(bool held)>;

  // The last message of stream/ and broadcast channels.
  virtual LastMessageStore& last_messages() = 0;

  // This host wants to run the channel's RunStream: on_change(true) once it
  // holds the lease, on_change(false) if it loses it later (another host
  // took it). While the hosts cannot reach each other, every host that
  // wants a lease holds it, so local subscribers are served. Until
  // DropLease, the engine keeps trying.
  virtual void WantLease(const std::string& wire_channel,
                         LeaseFn on_change) = 0;
  // No more calls of the channel's on_change; a held lease is released,
  // so another host can take it at once.
  virtual void DropLease(const std::string& wire_channel) = 0;

  // Subscribers of the channel on every host (this one's counted live,
  // the others' as last reported).
  virtual size_t ClusterSubscribers(const std::string& wire_channel) const = 0;
  // Every channel with subscribers on some host, sorted by name.
  virtual std::vector<HubChannelInfo> ClusterChannels() const = 0;

  virtual EngineHealth Health() const = 0;
  // Stops talking to the other hosts (leases are released); idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_ENGINE_ENGINE_H_
