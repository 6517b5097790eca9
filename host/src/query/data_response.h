// A plugin's DataResponse (pluginv2) to the QueryResult the HTTP answer
// carries: each frame decoded from Arrow (runnel::FrameFromArrow; what the
// host asks for, as Grafana does, and all a Go SDK plugin answers) or taken
// as frame JSON when the response says format JSON, then written as frame
// JSON with schema and data. The status is the response's, or 200 (500 with
// an error) when unset, as the Go SDK reads it. A frame that cannot be
// decoded fails its refId with 500 and says which frame and why.
// Pure function; thread-safe.
#ifndef RUNNEL_HOST_QUERY_DATA_RESPONSE_H_
#define RUNNEL_HOST_QUERY_DATA_RESPONSE_H_

#include "backend.pb.h"
#include "query/query_results.h"

namespace runnel::host {

QueryResult ResultFromDataResponse(const pluginv2::DataResponse& response);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_DATA_RESPONSE_H_
