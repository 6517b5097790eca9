#include "data_adapter.h"

#include <string>
#include <utility>
#include <vector>

#include "convert_from_proto.h"
#include "grpc_status.h"
#include "runnel/frame_arrow.h"
#include "runnel/frame_json.h"

namespace runnel::internal {

DataAdapter::DataAdapter(std::shared_ptr<QueryDataHandler> handler)
    : handler_(std::move(handler)) {}

namespace {

// One response's frames in the requested format. The frames get the
// response's refId when they have none (grafana-plugin-sdk-go
// backend/convert_to_protobuf.go QueryDataResponse).
Status EncodeFrames(const std::string& ref_id, std::vector<Frame>& frames,
                    pluginv2::DataFrameFormat format,
                    pluginv2::DataResponse& out) {
  for (Frame& frame : frames) {
    if (frame.ref_id().empty()) frame.set_ref_id(ref_id);
    if (format == pluginv2::JSON) {
      AppendFrameJSON(frame, FrameInclude::kAll, *out.add_frames());
      continue;
    }
    Status status = FrameToArrow(frame, out.add_frames());
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace

grpc::Status DataAdapter::QueryData(grpc::ServerContext* /*context*/,
                                    const pluginv2::QueryDataRequest* request,
                                    pluginv2::QueryDataResponse* response) {
  // ARROW (0, also what an unset field reads as) or JSON; Go's SDK refuses
  // any other value the same way, before answering anything.
  const pluginv2::DataFrameFormat format = request->format();
  if (format != pluginv2::ARROW && format != pluginv2::JSON) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "unsupported data frame format " +
                            std::to_string(static_cast<int>(format)));
  }
  const QueryDataRequest req = FromProto(*request);
  QueryDataResponse resp;
  Status status = CallHandler([&] { return handler_->QueryData(req, &resp); });
  if (!status.ok()) return ToGrpcStatus(status);
  auto& responses = *response->mutable_responses();
  for (auto& [ref_id, data] : resp.responses) {
    pluginv2::DataResponse& out = responses[ref_id];
    out.set_format(format);
    out.set_error(data.error);
    out.set_status(data.status);
    out.set_errorsource(data.error_source);
    status = EncodeFrames(ref_id, data.frames, format, out);
    if (!status.ok()) {
      // Go fails the whole call here; one query's frame that cannot be
      // encoded fails only that query, with the reason.
      out.clear_frames();
      out.set_error("frame encoding failed: " + status.message());
      out.set_status(500);
      out.set_errorsource("plugin");
    }
  }
  return grpc::Status::OK;
}

}  // namespace runnel::internal
