#include "data_adapter.h"

#include <utility>

#include "convert_from_proto.h"
#include "grpc_status.h"
#include "runnel/frame_json.h"

namespace runnel::internal {

DataAdapter::DataAdapter(std::shared_ptr<QueryDataHandler> handler)
    : handler_(std::move(handler)) {}

grpc::Status DataAdapter::QueryData(grpc::ServerContext* /*context*/,
                                    const pluginv2::QueryDataRequest* request,
                                    pluginv2::QueryDataResponse* response) {
  auto& responses = *response->mutable_responses();
  if (request->format() != pluginv2::JSON) {
    // Every query gets the same clear error; the handler is not called,
    // since nothing it returns could be sent.
    for (const pluginv2::DataQuery& query : request->queries()) {
      pluginv2::DataResponse& out = responses[query.refid()];
      out.set_error(kArrowNotSupportedError);
      out.set_status(kArrowNotSupportedStatus);
      out.set_errorsource("plugin");
      out.set_format(request->format());
    }
    return grpc::Status::OK;
  }
  const QueryDataRequest req = FromProto(*request);
  QueryDataResponse resp;
  Status status = CallHandler([&] { return handler_->QueryData(req, &resp); });
  if (!status.ok()) return ToGrpcStatus(status);
  for (const auto& [ref_id, data] : resp.responses) {
    pluginv2::DataResponse& out = responses[ref_id];
    out.set_format(pluginv2::JSON);
    for (const Frame& frame : data.frames) {
      AppendFrameJSON(frame, FrameInclude::kAll, *out.add_frames());
    }
    out.set_error(data.error);
    out.set_status(data.status);
    out.set_errorsource(data.error_source);
  }
  return grpc::Status::OK;
}

}  // namespace runnel::internal
