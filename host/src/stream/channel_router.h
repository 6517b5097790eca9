// ChannelRouter: which plugin serves a ds/ or plugin/ channel, and the
// PluginContext to send it (after grafana pkg/services/live/live.go
// handlePluginScope, handleDatasourceScope).
//   ds/<uid>/<path>          -> the data source's plugin (type = id or
//                               alias), with DataSourceInstanceSettings
//   plugin/<id|alias>/<path> -> that plugin, no data source settings
// Immutable after construction; thread-safe.
#ifndef RUNNEL_HOST_STREAM_CHANNEL_ROUTER_H_
#define RUNNEL_HOST_STREAM_CHANNEL_ROUTER_H_

#include <map>
#include <string>
#include <vector>

#include "backend.pb.h"
#include "config/datasource.h"
#include "live/channel_handler.h"
#include "plugin/plugin_registry.h"
#include "runnel/live_channel.h"
#include "runnel/status.h"

namespace runnel::host {

struct Route {
  Supervisor* plugin = nullptr;
  std::string path;                         // the channel's path part
  const DataSource* data_source = nullptr;  // ds/ scope only
};

class ChannelRouter {
 public:
  ChannelRouter(const PluginRegistry* registry,
                std::vector<DataSource> data_sources);

  // NotFound for an unknown scope, data source or plugin (or a data source
  // whose type has no plugin).
  Status Resolve(const LiveChannel& channel, Route* route) const;

  // A fresh PluginContext for a call on `route` by `who`.
  pluginv2::PluginContext MakePluginContext(const Route& route,
                                            const ClientIdentity& who) const;

 private:
  const PluginRegistry* registry_;
  std::vector<DataSource> data_sources_;
  std::map<std::string, const DataSource*> by_uid_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_CHANNEL_ROUTER_H_
