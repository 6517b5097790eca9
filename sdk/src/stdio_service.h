// StdioService: go-plugin's plugin.GRPCStdio. Runnel plugins keep writing
// their logs to stderr (the host reads the pipe), so StreamStdio sends
// nothing: it holds the stream open until the plugin stops or the host
// cancels, which is what a go-plugin host expects from a plugin.
// Thread-safety: thread-safe; `lifetime` must outlive the service.
#ifndef RUNNEL_SDK_SRC_STDIO_SERVICE_H_
#define RUNNEL_SDK_SRC_STDIO_SERVICE_H_

#include "grpc_stdio.grpc.pb.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class StdioService final : public plugin::GRPCStdio::Service {
 public:
  explicit StdioService(ServeLifetime* lifetime) : lifetime_(lifetime) {}

  grpc::Status StreamStdio(
      grpc::ServerContext* context, const google::protobuf::Empty* request,
      grpc::ServerWriter<plugin::StdioData>* writer) override;

 private:
  ServeLifetime* lifetime_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_STDIO_SERVICE_H_
