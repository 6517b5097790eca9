// InstanceManager: one instance per data source uid. The factory runs under
// the lock, so two racing first calls for one uid make exactly one instance;
// Dispose() of a replaced instance runs outside the lock, and the shared_ptr
// keeps it alive for calls that still hold it.
#include "runnel/instance_manager.h"

#include <utility>
#include <vector>

namespace runnel {

InstanceManager::InstanceManager(InstanceFactory factory)
    : factory_(std::move(factory)) {}

InstanceManager::~InstanceManager() {
  std::map<std::string, Entry> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    live.swap(instances_);
  }
  for (auto& [uid, entry] : live) {
    if (entry.instance) entry.instance->Dispose();
  }
}

Status InstanceManager::Get(const PluginContext& ctx,
                            std::shared_ptr<Instance>* instance) {
  const DataSourceInstanceSettings settings =
      ctx.data_source_instance_settings.value_or(DataSourceInstanceSettings{});
  // An app plugin's calls have no data source: its one instance (uid "")
  // follows the app settings' version instead.
  const int64_t version =
      ctx.data_source_instance_settings || !ctx.app_instance_settings
          ? settings.last_updated_ms
          : ctx.app_instance_settings->last_updated_ms;
  std::shared_ptr<Instance> replaced;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = instances_.find(settings.uid);
    if (it != instances_.end() && it->second.last_updated_ms == version) {
      *instance = it->second.instance;
      return Status::Ok();
    }
    std::unique_ptr<Instance> made;
    Status status = factory_(settings, &made);
    if (!status.ok()) return status;
    if (!made) {
      return Status::Internal(
          "the instance factory returned no instance for "
          "data source \"" +
          settings.uid + "\"");
    }
    std::shared_ptr<Instance> fresh(std::move(made));
    if (it != instances_.end()) {
      replaced = std::move(it->second.instance);
      it->second = Entry{version, fresh};
    } else {
      instances_.emplace(settings.uid, Entry{version, fresh});
    }
    *instance = std::move(fresh);
  }
  if (replaced) replaced->Dispose();
  return Status::Ok();
}

size_t InstanceManager::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return instances_.size();
}

}  // namespace runnel
