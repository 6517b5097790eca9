// QueryData: the request/response pair behind Grafana panels' queries.
// Handlers are called concurrently; implementations must be thread-safe.
#ifndef RUNNEL_DATA_H_
#define RUNNEL_DATA_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runnel/frame.h"
#include "runnel/plugin_context.h"
#include "runnel/status.h"

namespace runnel {

struct TimeRange {
  int64_t from_epoch_ms = 0;
  int64_t to_epoch_ms = 0;
};

struct DataQuery {
  std::string ref_id;
  int64_t max_data_points = 0;
  int64_t interval_ms = 0;
  TimeRange time_range;
  std::string json;  // the query model as raw JSON
  std::string query_type;
};

struct QueryDataRequest {
  PluginContext plugin_context;
  std::map<std::string, std::string> headers;
  std::vector<DataQuery> queries;
};

// The answer to one query. The SDK encodes the frames in the format the host
// asked for.
struct DataResponse {
  std::vector<Frame> frames;
  std::string error;  // non-empty: the query failed
  int32_t status = 0; // HTTP-style; 0 means 200 (or 500 with an error)
  std::string error_source;  // "plugin" or "downstream"
};

struct QueryDataResponse {
  std::map<std::string, DataResponse> responses;  // keyed by refId
};

class QueryDataHandler {
 public:
  virtual ~QueryDataHandler() = default;
  virtual Status QueryData(const QueryDataRequest& req,
                           QueryDataResponse* resp) = 0;
};

}  // namespace runnel

#endif  // RUNNEL_DATA_H_
