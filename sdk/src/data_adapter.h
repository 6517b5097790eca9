// DataAdapter: pluginv2.Data (QueryData) served from the author's
// QueryDataHandler. Frames go out in the format the host asks for: Arrow IPC
// files when it asks ARROW or leaves the format unset (Grafana's default),
// frame JSON when it asks JSON; DataResponse.format says which.
// QueryChunkedData answers UNIMPLEMENTED.
// Thread-safety: stateless; the handler must be thread-safe.
#ifndef RUNNEL_SDK_SRC_DATA_ADAPTER_H_
#define RUNNEL_SDK_SRC_DATA_ADAPTER_H_

#include <memory>

#include "backend.grpc.pb.h"
#include "runnel/data.h"

namespace runnel::internal {

class DataAdapter final : public pluginv2::Data::Service {
 public:
  explicit DataAdapter(std::shared_ptr<QueryDataHandler> handler);

  grpc::Status QueryData(grpc::ServerContext* context,
                         const pluginv2::QueryDataRequest* request,
                         pluginv2::QueryDataResponse* response) override;

 private:
  std::shared_ptr<QueryDataHandler> handler_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_DATA_ADAPTER_H_
