// InstanceManager: one instance per data source uid. The factory runs under
// the lock, so two racing first calls for one uid make exactly one instance;
// Dispose() of a replaced instance runs outside the lock, and the shared_ptr
// keeps it alive for calls that still hold it.
#include "runnel/instance_manager.h"

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace runnel {

struct InstanceManager::Instances {
  struct Entry {
    int64_t last_updated_ms = 0;
    std::shared_ptr<Instance> instance;
  };
  mutable absl::Mutex mu;
  std::map<std::string, Entry> by_uid ABSL_GUARDED_BY(mu);
};

namespace {

// The version an instance is made for: the data source's lastUpdatedMS. An
// app plugin's calls have no data source: its one instance (uid "") follows
// the app settings' version instead.
int64_t InstanceVersion(const PluginContext& ctx,
                        const DataSourceInstanceSettings& settings) {
  return ctx.data_source_instance_settings || !ctx.app_instance_settings
             ? settings.last_updated_ms
             : ctx.app_instance_settings->last_updated_ms;
}

}  // namespace

InstanceManager::InstanceManager(InstanceFactory factory)
    : factory_(std::move(factory)), instances_(std::make_unique<Instances>()) {}

InstanceManager::~InstanceManager() {
  std::map<std::string, Instances::Entry> live;
  {
    absl::MutexLock lock(&instances_->mu);
    live.swap(instances_->by_uid);
  }
  for (auto& [uid, entry] : live) {
    if (entry.instance) entry.instance->Dispose();
  }
}

Status InstanceManager::Get(const PluginContext& ctx,
                            std::shared_ptr<Instance>* instance) {
  const DataSourceInstanceSettings settings =
      ctx.data_source_instance_settings.value_or(DataSourceInstanceSettings{});
  const int64_t version = InstanceVersion(ctx, settings);
  std::shared_ptr<Instance> replaced;
  {
    absl::MutexLock lock(&instances_->mu);
    auto& by_uid = instances_->by_uid;
    auto it = by_uid.find(settings.uid);
    if (it != by_uid.end() && it->second.last_updated_ms == version) {
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
    if (it != by_uid.end()) {
      replaced = std::move(it->second.instance);
      it->second = Instances::Entry{version, fresh};
    } else {
      by_uid.emplace(settings.uid, Instances::Entry{version, fresh});
    }
    *instance = std::move(fresh);
  }
  if (replaced) replaced->Dispose();
  return Status::Ok();
}

size_t InstanceManager::size() const {
  absl::MutexLock lock(&instances_->mu);
  return instances_->by_uid.size();
}

}  // namespace runnel
