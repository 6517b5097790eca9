#include "convert_from_proto.h"

namespace runnel::internal {
namespace {

template <typename ProtoMap>
std::map<std::string, std::string> ToStdMap(const ProtoMap& m) {
  return std::map<std::string, std::string>(m.begin(), m.end());
}

}  // namespace

User FromProto(const pluginv2::User& proto) {
  User user;
  user.login = proto.login();
  user.name = proto.name();
  user.email = proto.email();
  user.role = proto.role();
  return user;
}

DataSourceInstanceSettings FromProto(
    const pluginv2::DataSourceInstanceSettings& proto) {
  DataSourceInstanceSettings s;
  s.id = proto.id();
  s.name = proto.name();
  s.url = proto.url();
  s.user = proto.user();
  s.database = proto.database();
  s.basic_auth_enabled = proto.basicauthenabled();
  s.basic_auth_user = proto.basicauthuser();
  s.json_data = proto.jsondata();
  s.decrypted_secure_json_data = ToStdMap(proto.decryptedsecurejsondata());
  s.last_updated_ms = proto.lastupdatedms();
  s.uid = proto.uid();
  s.api_version = proto.apiversion();
  return s;
}

AppInstanceSettings FromProto(const pluginv2::AppInstanceSettings& proto) {
  AppInstanceSettings s;
  s.json_data = proto.jsondata();
  s.decrypted_secure_json_data = ToStdMap(proto.decryptedsecurejsondata());
  s.last_updated_ms = proto.lastupdatedms();
  s.api_version = proto.apiversion();
  return s;
}

PluginContext FromProto(const pluginv2::PluginContext& proto) {
  PluginContext ctx;
  ctx.org_id = proto.orgid();
  ctx.plugin_id = proto.pluginid();
  if (proto.has_user()) ctx.user = FromProto(proto.user());
  if (proto.has_appinstancesettings()) {
    ctx.app_instance_settings = FromProto(proto.appinstancesettings());
  }
  if (proto.has_datasourceinstancesettings()) {
    ctx.data_source_instance_settings =
        FromProto(proto.datasourceinstancesettings());
  }
  ctx.grafana_config = ToStdMap(proto.grafanaconfig());
  ctx.plugin_version = proto.pluginversion();
  ctx.user_agent = proto.useragent();
  ctx.api_version = proto.apiversion();
  return ctx;
}

QueryDataRequest FromProto(const pluginv2::QueryDataRequest& proto) {
  QueryDataRequest req;
  req.plugin_context = FromProto(proto.plugincontext());
  req.headers = ToStdMap(proto.headers());
  req.queries.reserve(proto.queries_size());
  for (const pluginv2::DataQuery& q : proto.queries()) {
    DataQuery query;
    query.ref_id = q.refid();
    query.max_data_points = q.maxdatapoints();
    query.interval_ms = q.intervalms();
    query.time_range.from_epoch_ms = q.timerange().fromepochms();
    query.time_range.to_epoch_ms = q.timerange().toepochms();
    query.json = q.json();
    query.query_type = q.querytype();
    req.queries.push_back(std::move(query));
  }
  return req;
}

CheckHealthRequest FromProto(const pluginv2::CheckHealthRequest& proto) {
  CheckHealthRequest req;
  req.plugin_context = FromProto(proto.plugincontext());
  req.headers = ToStdMap(proto.headers());
  return req;
}

CallResourceRequest FromProto(const pluginv2::CallResourceRequest& proto) {
  CallResourceRequest req;
  req.plugin_context = FromProto(proto.plugincontext());
  req.path = proto.path();
  req.method = proto.method();
  req.url = proto.url();
  for (const auto& [name, list] : proto.headers()) {
    req.headers[name].assign(list.values().begin(), list.values().end());
  }
  req.body = proto.body();
  return req;
}

void ToProto(const CheckHealthResult& result,
             pluginv2::CheckHealthResponse* proto) {
  switch (result.status) {
    case HealthStatus::kOk:
      proto->set_status(pluginv2::CheckHealthResponse::OK);
      break;
    case HealthStatus::kError:
      proto->set_status(pluginv2::CheckHealthResponse::ERROR);
      break;
    case HealthStatus::kUnknown:
      proto->set_status(pluginv2::CheckHealthResponse::UNKNOWN);
      break;
  }
  proto->set_message(result.message);
  proto->set_jsondetails(result.json_details);
}

void ToProto(const CallResourceResponse& resp,
             pluginv2::CallResourceResponse* proto) {
  proto->set_code(resp.code);
  for (const auto& [name, values] : resp.headers) {
    pluginv2::StringList& list = (*proto->mutable_headers())[name];
    for (const std::string& v : values) list.add_values(v);
  }
  proto->set_body(resp.body);
}

void ToProto(const SubscribeStreamResponse& resp,
             pluginv2::SubscribeStreamResponse* proto) {
  switch (resp.status) {
    case StreamStatus::kOk:
      proto->set_status(pluginv2::SubscribeStreamResponse::OK);
      break;
    case StreamStatus::kNotFound:
      proto->set_status(pluginv2::SubscribeStreamResponse::NOT_FOUND);
      break;
    case StreamStatus::kPermissionDenied:
      proto->set_status(pluginv2::SubscribeStreamResponse::PERMISSION_DENIED);
      break;
  }
  proto->set_data(resp.initial_data);
}

void ToProto(const PublishStreamResponse& resp,
             pluginv2::PublishStreamResponse* proto) {
  switch (resp.status) {
    case StreamStatus::kOk:
      proto->set_status(pluginv2::PublishStreamResponse::OK);
      break;
    case StreamStatus::kNotFound:
      proto->set_status(pluginv2::PublishStreamResponse::NOT_FOUND);
      break;
    case StreamStatus::kPermissionDenied:
      proto->set_status(pluginv2::PublishStreamResponse::PERMISSION_DENIED);
      break;
  }
  proto->set_data(resp.data);
}

}  // namespace runnel::internal
