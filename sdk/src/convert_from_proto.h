// Conversions between pluginv2 proto messages and the SDK's author types
// (PluginContext, settings, user, requests and responses). The only place
// that knows both shapes; the adapters call these.
// Thread-safety: pure functions.
#ifndef RUNNEL_SDK_SRC_CONVERT_FROM_PROTO_H_
#define RUNNEL_SDK_SRC_CONVERT_FROM_PROTO_H_

#include "backend.pb.h"
#include "runnel/data.h"
#include "runnel/diagnostics.h"
#include "runnel/plugin_context.h"
#include "runnel/resource.h"
#include "runnel/stream.h"

namespace runnel::internal {

PluginContext FromProto(const pluginv2::PluginContext& proto);
DataSourceInstanceSettings FromProto(
    const pluginv2::DataSourceInstanceSettings& proto);
AppInstanceSettings FromProto(const pluginv2::AppInstanceSettings& proto);
User FromProto(const pluginv2::User& proto);

// The three stream requests share one shape.
template <typename StreamRequestProto>
StreamRequest StreamRequestFromProto(const StreamRequestProto& proto) {
  StreamRequest req;
  req.plugin_context = FromProto(proto.plugincontext());
  req.path = proto.path();
  req.data = proto.data();
  req.headers.insert(proto.headers().begin(), proto.headers().end());
  return req;
}

// Frames are not part of the request; DataResponse encoding lives in the
// data adapter because it depends on the requested format.
QueryDataRequest FromProto(const pluginv2::QueryDataRequest& proto);
CheckHealthRequest FromProto(const pluginv2::CheckHealthRequest& proto);
CallResourceRequest FromProto(const pluginv2::CallResourceRequest& proto);

void ToProto(const CheckHealthResult& result,
             pluginv2::CheckHealthResponse* proto);
void ToProto(const CallResourceResponse& resp,
             pluginv2::CallResourceResponse* proto);
void ToProto(const SubscribeStreamResponse& resp,
             pluginv2::SubscribeStreamResponse* proto);
void ToProto(const PublishStreamResponse& resp,
             pluginv2::PublishStreamResponse* proto);

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_CONVERT_FROM_PROTO_H_
