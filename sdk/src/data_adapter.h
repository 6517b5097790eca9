// DataAdapter: pluginv2.Data (QueryData) served from the author's
// QueryDataHandler. Frames go out as Grafana frame JSON when the host asks
// for JSON; an Arrow request gets a clear per-query error (Arrow encoding
// is not implemented yet). QueryChunkedData answers UNIMPLEMENTED.
// Thread-safety: stateless; the handler must be thread-safe.
#ifndef RUNNEL_SDK_SRC_DATA_ADAPTER_H_
#define RUNNEL_SDK_SRC_DATA_ADAPTER_H_

#include <memory>

#include "backend.grpc.pb.h"
#include "runnel/data.h"

namespace runnel::internal {

// The per-query error an Arrow request gets.
inline constexpr const char* kArrowNotSupportedError =
    "Arrow frame encoding is not supported yet by the Runnel SDK; request JSON "
    "(format=1)";
inline constexpr int kArrowNotSupportedStatus = 501;

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
