#include "plugin/plugin_registry.h"

#include <thread>

namespace runnel::host {

PluginRegistry::~PluginRegistry() { StopAll(); }

Status PluginRegistry::Add(std::unique_ptr<Supervisor> supervisor) {
  std::vector<std::string> names = {supervisor->manifest().id};
  for (const std::string& alias : supervisor->manifest().alias_ids) {
    names.push_back(alias);
  }
  for (const std::string& name : names) {
    if (by_name_.count(name) != 0) {
      return Status::InvalidArgument("plugin id or alias \"" + name + "\" of " +
                                     supervisor->manifest().dir +
                                     " is already used by " +
                                     by_name_[name]->manifest().dir);
    }
  }
  for (const std::string& name : names) by_name_[name] = supervisor.get();
  supervisors_.push_back(std::move(supervisor));
  return Status::Ok();
}

Supervisor* PluginRegistry::Find(std::string_view id_or_alias) const {
  auto it = by_name_.find(id_or_alias);
  return it == by_name_.end() ? nullptr : it->second;
}

std::vector<Supervisor*> PluginRegistry::All() const {
  std::vector<Supervisor*> all;
  for (const auto& supervisor : supervisors_) all.push_back(supervisor.get());
  return all;
}

void PluginRegistry::StartAll() {
  for (const auto& supervisor : supervisors_) supervisor->Start();
}

void PluginRegistry::CancelStarts() {
  for (const auto& supervisor : supervisors_) supervisor->CancelStarts();
}

void PluginRegistry::StopAll() {
  std::vector<std::thread> stoppers;
  for (const auto& supervisor : supervisors_) {
    stoppers.emplace_back([s = supervisor.get()] { s->Stop(); });
  }
  for (std::thread& t : stoppers) t.join();
}

}  // namespace runnel::host
