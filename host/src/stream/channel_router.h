// Channel routing: who serves a client's channel (after grafana
// pkg/services/live/live.go GetChannelHandler and its scope handlers).
//
// ScopeRouter: the ChannelHandler the Live server asks; it decides by scope.
//   ds/, plugin/           -> `plugin_channels` (the stream manager), or 404
//                             without one
//   stream/<id>/<measure>  -> the hub alone: subscribe OK, with the last
//                             pushed frame as initial data; publish 403 (the
//                             push API feeds it)
//   grafana/broadcast/...  -> the hub alone: subscribe OK, with the last
//                             message as initial data; a publication goes
//                             out as sent and is kept as the last message
//   grafana/dashboard/...  -> subscribe OK (dashboard events); publish 403
//   other grafana/...      -> subscribe 404; publish 403
//   any other scope        -> 404
// The hub-served scopes are answered on the caller's thread (the memory
// store answers at once). Thread-safe. Borrows `plugin_channels`, the hub
// and the store, which must outlive it.
//
// ChannelRouter: which plugin serves a ds/ or plugin/ channel, and the
// PluginContext to send it (handlePluginScope, handleDatasourceScope).
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
#include "live/hub.h"
#include "live/last_message_store.h"
#include "plugin/plugin_registry.h"
#include "runnel/live_channel.h"
#include "runnel/status.h"

namespace runnel::host {

// The host's scope policy, what the Live session asks about every
// subscribe and publish (grafana live.go GetChannelHandlerFactory): ds/ and
// plugin/ channels go to `plugin_channels` (the stream manager), 404 when
// there is none; stream/ and grafana/broadcast|dashboard are hub-only
// channels answered here; only broadcast may be published to by clients
// (stream/ is for push, the rest of grafana/ is refused with 403). The last
// message of stream/ and broadcast channels comes from `last_messages`.
class ScopeRouter : public ChannelHandler {
 public:
  ScopeRouter(ChannelHandler* plugin_channels, Hub& hub,
              LastMessageStore& last_messages)
      : plugin_channels_(plugin_channels),
        hub_(hub),
        last_messages_(last_messages) {}

  void OnSubscribe(const ClientIdentity& who, const std::string& wire_channel,
                   const LiveChannel& channel, const std::string& data,
                   std::function<void(SubscribeReply)> done) override;
  void OnPublish(const ClientIdentity& who, const std::string& wire_channel,
                 const LiveChannel& channel, const std::string& data,
                 std::function<void(PublishReply)> done) override;

 private:
  // Publishes a broadcast and keeps it as the channel's last message.
  PublishReply Broadcast(const std::string& wire_channel,
                         const std::string& data);

  ChannelHandler* const plugin_channels_;  // may be null
  Hub& hub_;
  LastMessageStore& last_messages_;
};

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
  // The same for a data source by uid (Route::path empty): NotFound for an
  // unknown uid or a type no plugin serves. What /api/ds/query and the
  // /api/datasources/uid/<uid>/... endpoints use.
  Status ResolveDataSource(const std::string& uid, Route* route) const;
  // A plugin by id or alias (/api/plugins/<id>/...): NotFound if unknown.
  Status ResolvePlugin(const std::string& id_or_alias, Route* route) const;

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
