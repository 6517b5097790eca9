// ManageInstances(): ServeOptions whose every handler looks up the calling
// data source's instance and forwards to it when the instance implements
// that handler interface (dynamic_cast); otherwise the call answers
// Unimplemented. The instance's shared_ptr is held for the whole call.
#include <memory>
#include <string>
#include <utility>

#include "runnel/serve.h"

namespace runnel {
namespace {

class InstanceDispatcher final : public QueryDataHandler,
                                 public CheckHealthHandler,
                                 public CallResourceHandler,
                                 public SubscribeStreamHandler,
                                 public PublishStreamHandler,
                                 public RunStreamHandler {
 public:
  explicit InstanceDispatcher(InstanceFactory factory)
      : manager_(std::move(factory)) {}

  Status QueryData(const QueryDataRequest& req,
                   QueryDataResponse* resp) override {
    return Dispatch<QueryDataHandler>(
        req.plugin_context, "QueryData",
        [&](QueryDataHandler& h) { return h.QueryData(req, resp); });
  }
  Status CheckHealth(const CheckHealthRequest& req,
                     CheckHealthResult* result) override {
    return Dispatch<CheckHealthHandler>(
        req.plugin_context, "CheckHealth",
        [&](CheckHealthHandler& h) { return h.CheckHealth(req, result); });
  }
  Status CallResource(const CallResourceRequest& req,
                      CallResourceResponse* resp) override {
    return Dispatch<CallResourceHandler>(
        req.plugin_context, "CallResource",
        [&](CallResourceHandler& h) { return h.CallResource(req, resp); });
  }
  Status SubscribeStream(const SubscribeStreamRequest& req,
                         SubscribeStreamResponse* resp) override {
    return Dispatch<SubscribeStreamHandler>(
        req.plugin_context, "SubscribeStream", [&](SubscribeStreamHandler& h) {
          return h.SubscribeStream(req, resp);
        });
  }
  Status PublishStream(const PublishStreamRequest& req,
                       PublishStreamResponse* resp) override {
    return Dispatch<PublishStreamHandler>(
        req.plugin_context, "PublishStream",
        [&](PublishStreamHandler& h) { return h.PublishStream(req, resp); });
  }
  Status RunStream(const RunStreamRequest& req, StreamSender& sender) override {
    return Dispatch<RunStreamHandler>(
        req.plugin_context, "RunStream",
        [&](RunStreamHandler& h) { return h.RunStream(req, sender); });
  }

 private:
  template <typename Handler, typename Call>
  Status Dispatch(const PluginContext& ctx, const char* rpc, Call&& call) {
    std::shared_ptr<Instance> instance;
    Status status = manager_.Get(ctx, &instance);
    if (!status.ok()) return status;
    auto* handler = dynamic_cast<Handler*>(instance.get());
    if (handler == nullptr) {
      return Status::Unimplemented(std::string(rpc) +
                                   " is not implemented by this plugin");
    }
    return call(*handler);
  }

  InstanceManager manager_;
};

}  // namespace

ServeOptions ManageInstances(InstanceFactory factory) {
  auto dispatcher = std::make_shared<InstanceDispatcher>(std::move(factory));
  ServeOptions options;
  options.query_data = dispatcher;
  options.check_health = dispatcher;
  options.call_resource = dispatcher;
  options.subscribe_stream = dispatcher;
  options.publish_stream = dispatcher;
  options.run_stream = dispatcher;
  return options;
}

}  // namespace runnel
