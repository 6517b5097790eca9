// ResourceAdapter: pluginv2.Resource served from the author's
// CallResourceHandler: StreamResource's pieces go out as CallResourceResponse
// messages on the response stream (by default CallResource's reply, whole,
// as one message).
// Thread-safety: stateless; the handler must be thread-safe.
#ifndef RUNNEL_SDK_SRC_RESOURCE_ADAPTER_H_
#define RUNNEL_SDK_SRC_RESOURCE_ADAPTER_H_

#include <memory>

#include "backend.grpc.pb.h"
#include "runnel/resource.h"

namespace runnel::internal {

class ResourceAdapter final : public pluginv2::Resource::Service {
 public:
  explicit ResourceAdapter(std::shared_ptr<CallResourceHandler> handler);

  grpc::Status CallResource(
      grpc::ServerContext* context,
      const pluginv2::CallResourceRequest* request,
      grpc::ServerWriter<pluginv2::CallResourceResponse>* writer) override;

 private:
  std::shared_ptr<CallResourceHandler> handler_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_RESOURCE_ADAPTER_H_
