// Instance management: one plugin instance per data source (keyed by uid),
// made by the author's factory from the data source's settings. When the
// settings' lastUpdatedMS changes, a new instance replaces the old one, and
// the old one is disposed once no call uses it any more.
// Thread-safety: InstanceManager is safe under concurrent calls.
// Ownership: the manager owns its live instances (shared with the calls that
// use them); its lock and map are private to the SDK (a pimpl keeps the
// header free of the SDK's Abseil lock).
#ifndef RUNNEL_INSTANCE_MANAGER_H_
#define RUNNEL_INSTANCE_MANAGER_H_

#include <cstddef>
#include <functional>
#include <memory>

#include "runnel/plugin_context.h"
#include "runnel/status.h"

namespace runnel {

// Base of an author's per-data-source state. An instance may also implement
// any of the handler interfaces (QueryDataHandler, RunStreamHandler, ...);
// ManageInstances() dispatches each call to the instance when it does.
class Instance {
 public:
  virtual ~Instance() = default;
  // Called once when this instance has been replaced or the plugin stops.
  // In-flight calls may still hold it; the destructor runs after the last.
  virtual void Dispose() {}
};

// Makes an instance from the settings. Calls without a data source (the
// plugin/<id>/... channels) get default-constructed settings with uid "".
using InstanceFactory =
    std::function<Status(const DataSourceInstanceSettings& settings,
                         std::unique_ptr<Instance>* instance)>;

class InstanceManager {
 public:
  explicit InstanceManager(InstanceFactory factory);
  ~InstanceManager();  // disposes every live instance

  InstanceManager(const InstanceManager&) = delete;
  InstanceManager& operator=(const InstanceManager&) = delete;

  // Returns the instance for the context's data source, making it (or a
  // replacement, when lastUpdatedMS changed) as needed.
  Status Get(const PluginContext& ctx, std::shared_ptr<Instance>* instance);

  // Number of live instances (for tests and diagnostics).
  size_t size() const;

 private:
  struct Instances;  // the instances by uid, under their lock
  InstanceFactory factory_;
  std::unique_ptr<Instances> instances_;
};

}  // namespace runnel

#endif  // RUNNEL_INSTANCE_MANAGER_H_
