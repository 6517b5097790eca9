#include "stream/channel_router.h"

#include <string_view>

#include "live/errors.h"
#include "runnel/frame.h"

namespace runnel::host {

namespace {

constexpr std::string_view kScopeDataSource = "ds";
constexpr std::string_view kScopePlugin = "plugin";
constexpr std::string_view kScopeStream = "stream";
constexpr std::string_view kScopeGrafana = "grafana";
constexpr std::string_view kFeatureBroadcast = "broadcast";
constexpr std::string_view kFeatureDashboard = "dashboard";

bool IsPluginScope(const LiveChannel& channel) {
  return channel.scope == kScopeDataSource || channel.scope == kScopePlugin;
}

bool IsGrafanaFeature(const LiveChannel& channel, std::string_view feature) {
  return channel.scope == kScopeGrafana && channel.namespace_ == feature;
}

template <typename Reply>
Reply Refused(const ReplyError& error) {
  return Reply{error.code, std::string(error.message), ""};
}

}  // namespace

void ScopeRouter::OnSubscribe(const ClientIdentity& who,
                              const std::string& wire_channel,
                              const LiveChannel& channel,
                              const std::string& data,
                              std::function<void(SubscribeReply)> done) {
  if (IsPluginScope(channel)) {
    if (plugin_channels_ == nullptr) {
      return done(Refused<SubscribeReply>(kErrorNotFound));
    }
    return plugin_channels_->OnSubscribe(who, wire_channel, channel, data,
                                         std::move(done));
  }
  if (channel.scope == kScopeStream ||
      IsGrafanaFeature(channel, kFeatureBroadcast)) {
    return last_messages_.Get(
        wire_channel,
        [done = std::move(done)](std::optional<StoredMessage> last) {
          done(SubscribeReply{0, "", last ? std::move(last->message) : ""});
        });
  }
  if (IsGrafanaFeature(channel, kFeatureDashboard)) {
    return done(SubscribeReply{});
  }
  done(Refused<SubscribeReply>(kErrorNotFound));
}

void ScopeRouter::OnPublish(const ClientIdentity& who,
                            const std::string& wire_channel,
                            const LiveChannel& channel, const std::string& data,
                            std::function<void(PublishReply)> done) {
  if (IsPluginScope(channel)) {
    if (plugin_channels_ == nullptr) {
      return done(Refused<PublishReply>(kErrorNotFound));
    }
    return plugin_channels_->OnPublish(who, wire_channel, channel, data,
                                       std::move(done));
  }
  if (IsGrafanaFeature(channel, kFeatureBroadcast)) {
    return done(Broadcast(wire_channel, data));
  }
  if (channel.scope == kScopeStream || channel.scope == kScopeGrafana) {
    return done(Refused<PublishReply>(kErrorForbidden));
  }
  done(Refused<PublishReply>(kErrorNotFound));
}

PublishReply ScopeRouter::Broadcast(const std::string& wire_channel,
                                    const std::string& data) {
  if (!hub_.CheckPublicationSize(wire_channel, data.size()).ok()) {
    return PublishReply{kErrorLimitExceeded.code, "publication too large", ""};
  }
  StoredMessage last{"", data, Timestamp::Now().unix_nanos / 1'000'000};
  // The callback may run later (a Redis store), so it owns its data.
  Status kept = last_messages_.Put(
      wire_channel, std::move(last),
      [&hub = hub_, wire_channel, data](bool, const StoredMessage&) {
        (void)hub.Publish(wire_channel, data);
      });
  // With no room to keep it, it still goes out to the subscribers.
  if (!kept.ok()) (void)hub_.Publish(wire_channel, data);
  return PublishReply{};
}

ChannelRouter::ChannelRouter(const PluginRegistry* registry,
                             std::vector<DataSource> data_sources)
    : registry_(registry), data_sources_(std::move(data_sources)) {
  for (const DataSource& ds : data_sources_) by_uid_[ds.uid] = &ds;
}

Status ChannelRouter::Resolve(const LiveChannel& channel, Route* route) const {
  Route resolved;
  Status found;
  if (channel.scope == kScopeDataSource) {
    found = ResolveDataSource(channel.namespace_, &resolved);
  } else if (channel.scope == kScopePlugin) {
    found = ResolvePlugin(channel.namespace_, &resolved);
  } else {
    return Status::NotFound("scope not served by plugins: " + channel.scope);
  }
  if (!found.ok()) return found;
  resolved.path = channel.path;
  *route = std::move(resolved);
  return Status::Ok();
}

Status ChannelRouter::ResolveDataSource(const std::string& uid,
                                        Route* route) const {
  auto it = by_uid_.find(uid);
  if (it == by_uid_.end()) {
    return Status::NotFound("data source not found: " + uid);
  }
  Supervisor* plugin = registry_->Find(it->second->type);
  if (plugin == nullptr) {
    return Status::NotFound("data source " + uid + " has type " +
                            it->second->type + ", which no plugin serves");
  }
  *route = Route{plugin, "", it->second};
  return Status::Ok();
}

Status ChannelRouter::ResolvePlugin(const std::string& id_or_alias,
                                    Route* route) const {
  Supervisor* plugin = registry_->Find(id_or_alias);
  if (plugin == nullptr) {
    return Status::NotFound("plugin not found: " + id_or_alias);
  }
  *route = Route{plugin, "", nullptr};
  return Status::Ok();
}

pluginv2::PluginContext ChannelRouter::MakePluginContext(
    const Route& route, const ClientIdentity& who) const {
  pluginv2::PluginContext context;
  context.set_orgid(who.org_id);
  context.set_pluginid(route.plugin->manifest().id);
  context.set_pluginversion(route.plugin->manifest().version);
  pluginv2::User* user = context.mutable_user();
  user->set_login(who.login);
  user->set_role(who.role);
  if (const DataSource* ds = route.data_source) {
    pluginv2::DataSourceInstanceSettings* settings =
        context.mutable_datasourceinstancesettings();
    settings->set_id(ds->id);
    settings->set_name(ds->name);
    settings->set_url(ds->url);
    settings->set_user(ds->user);
    settings->set_database(ds->database);
    settings->set_basicauthenabled(ds->basic_auth);
    settings->set_basicauthuser(ds->basic_auth_user);
    settings->set_jsondata(ds->json_data);
    for (const auto& [key, value] : ds->secure_json_data) {
      (*settings->mutable_decryptedsecurejsondata())[key] = value;
    }
    settings->set_lastupdatedms(ds->updated_ms);
    settings->set_uid(ds->uid);
  }
  return context;
}

}  // namespace runnel::host
