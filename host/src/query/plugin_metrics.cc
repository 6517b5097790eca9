#include "query/plugin_metrics.h"

#include <utility>

#include "backend.grpc.pb.h"

namespace runnel::host {
namespace {

HttpResponse PlainText(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = std::move(body);
  return response;
}

}  // namespace

struct PluginMetrics::Call {
  Supervisor* plugin = nullptr;
  HttpRespond respond;
  pluginv2::CollectMetricsRequest request;
  pluginv2::CollectMetricsResponse response;
  std::shared_ptr<grpc::ClientContext> context;
};

void PluginMetrics::Collect(const std::string& plugin_id,
                            const ClientIdentity& who, HttpRespond respond) {
  Route route;
  if (!router_.ResolvePlugin(plugin_id, &route).ok()) {
    return respond(PlainText(404, "plugin not found: " + plugin_id + "\n"));
  }
  auto call = std::make_shared<Call>();
  call->plugin = route.plugin;
  call->respond = std::move(respond);
  *call->request.mutable_plugincontext() =
      router_.MakePluginContext(route, who);
  calls_.WhenRunning(route.plugin, [this, call](PluginConnection connection) {
    Send(call, connection);
  });
}

void PluginMetrics::Send(const std::shared_ptr<Call>& call,
                         const PluginConnection& connection) {
  if (!connection.channel) {
    return call->respond(
        PlainText(503, call->plugin->id() + " is not running\n"));
  }
  call->context = calls_.Begin();
  if (!call->context) {
    return call->respond(PlainText(503, "the host is stopping\n"));
  }
  pluginv2::Diagnostics::NewStub(connection.channel)
      ->async()
      ->CollectMetrics(
          call->context.get(), &call->request, &call->response,
          [this, call](grpc::Status rpc) {
            std::shared_ptr<grpc::ClientContext> context = call->context;
            if (rpc.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
              call->respond(
                  PlainText(404, call->plugin->id() + " exposes no metrics\n"));
            } else if (!rpc.ok()) {
              call->respond(
                  PlainText(HttpStatusForRpc(rpc) == 503 ? 503 : 500,
                            "collecting the plugin's metrics failed: " +
                                rpc.error_message() + "\n"));
            } else {
              call->respond(PlainText(
                  200, std::string(call->response.metrics().prometheus())));
            }
            calls_.End(context);  // last: Shutdown may return now
          });
}

}  // namespace runnel::host
