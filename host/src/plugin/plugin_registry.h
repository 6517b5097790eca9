// PluginRegistry: every plugin's Supervisor, found by plugin id or alias id.
// Build it (Add) before sharing it; after that Find/All are read-only and
// thread-safe. Owns the supervisors.
#ifndef RUNNEL_HOST_PLUGIN_PLUGIN_REGISTRY_H_
#define RUNNEL_HOST_PLUGIN_PLUGIN_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/supervisor.h"
#include "runnel/status.h"

namespace runnel::host {

class PluginRegistry {
 public:
  PluginRegistry() = default;
  ~PluginRegistry();  // StopAll()
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // InvalidArgument if the id or an alias is already taken.
  Status Add(std::unique_ptr<Supervisor> supervisor);

  // By id or alias id; nullptr if unknown.
  Supervisor* Find(std::string_view id_or_alias) const;
  // In the order added.
  std::vector<Supervisor*> All() const;

  void StartAll();  // returns at once; each plugin starts on its own thread
  // Supervisor::CancelStarts() on each: nothing waits for a plugin that is
  // still starting any more. Does not block.
  void CancelStarts();
  void StopAll();  // stops in parallel (each takes up to the grace period)

 private:
  std::vector<std::unique_ptr<Supervisor>> supervisors_;
  std::map<std::string, Supervisor*, std::less<>> by_name_;  // id and aliases
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_PLUGIN_REGISTRY_H_
