#include "query/health_check.h"

#include <nlohmann/json.hpp>

#include "backend.grpc.pb.h"
#include "runnel/log.h"

namespace runnel::host {
namespace {

const char* HealthStatusName(pluginv2::CheckHealthResponse::HealthStatus s) {
  switch (s) {
    case pluginv2::CheckHealthResponse::OK:
      return "OK";
    case pluginv2::CheckHealthResponse::ERROR:
      return "ERROR";
    default:
      return "UNKNOWN";
  }
}

}  // namespace

HttpResponse HealthResponse(const pluginv2::CheckHealthResponse& reply) {
  nlohmann::json payload = {{"status", HealthStatusName(reply.status())},
                            {"message", reply.message()}};
  if (!reply.jsondetails().empty()) {
    nlohmann::json details =
        nlohmann::json::parse(reply.jsondetails(), nullptr, false);
    if (!details.is_object()) {
      return JSONErrorResponse(500,
                               "Plugin health check failed: the details are "
                               "not a JSON object");
    }
    payload["details"] = std::move(details);
  }
  HttpResponse response;
  response.status =
      reply.status() == pluginv2::CheckHealthResponse::OK ? 200 : 400;
  response.body =
      payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

struct DataSourceHealth::Call {
  std::string uid;
  Supervisor* plugin = nullptr;
  HttpRespond respond;
  pluginv2::CheckHealthRequest request;
  pluginv2::CheckHealthResponse response;
  std::shared_ptr<grpc::ClientContext> context;
};

void DataSourceHealth::Check(const std::string& uid, const ClientIdentity& who,
                             HttpRespond respond) {
  Route route;
  if (!router_.ResolveDataSource(uid, &route).ok()) {
    return respond(JSONErrorResponse(404, "Data source not found: " + uid));
  }
  auto call = std::make_shared<Call>();
  call->uid = uid;
  call->plugin = route.plugin;
  call->respond = std::move(respond);
  *call->request.mutable_plugincontext() =
      router_.MakePluginContext(route, who);
  calls_.WhenRunning(route.plugin, [this, call](PluginConnection connection) {
    Send(call, connection);
  });
}

void DataSourceHealth::Send(const std::shared_ptr<Call>& call,
                            const PluginConnection& connection) {
  if (!connection.channel) {
    return call->respond(JSONErrorResponse(
        503, "Plugin unavailable: " + call->plugin->id() + " is not running"));
  }
  call->context = calls_.Begin();
  if (!call->context) {
    return call->respond(
        JSONErrorResponse(503, "Plugin unavailable: the host is stopping"));
  }
  pluginv2::Diagnostics::NewStub(connection.channel)
      ->async()
      ->CheckHealth(
          call->context.get(), &call->request, &call->response,
          [this, call](grpc::Status rpc) {
            std::shared_ptr<grpc::ClientContext> context = call->context;
            if (rpc.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
              pluginv2::CheckHealthResponse unknown;
              unknown.set_message("Health check not implemented");
              call->respond(HealthResponse(unknown));
            } else if (!rpc.ok()) {
              log::Info(
                  "health check failed",
                  {{"datasource", call->uid}, {"error", rpc.error_message()}});
              call->respond(JSONErrorResponse(
                  HttpStatusForRpc(rpc) == 503 ? 503 : 500,
                  "Plugin health check failed: " + rpc.error_message()));
            } else {
              call->respond(HealthResponse(call->response));
            }
            calls_.End(context);  // last: Shutdown may return now
          });
}

}  // namespace runnel::host
