// QueryRequest: the body of POST /api/ds/query (grafana pkg/api/dtos
// MetricRequest), read into what the host sends each plugin, with Grafana's
// defaults (pkg/services/query/query.go parseMetricRequest):
//   {"from": "now-5m" | "<epoch ms>" | <epoch ms>, "to": ...,
//    "queries": [{"refId": "A", "datasource": {"uid": ".."},
//                 "queryType": "..", "maxDataPoints": 100,
//                 "intervalMs": 1000, ...}]}
// refId defaults to "A", maxDataPoints to 100, intervalMs to 1000; from/to
// to "now-6h"/"now" when absent. The data source is "datasource": {"uid"} or,
// as before Grafana 8.3, "datasource": "<uid>". Every query object is passed
// on whole as the DataQuery's json.
// Pure functions and plain values; thread-safe.
#ifndef RUNNEL_HOST_QUERY_QUERY_REQUEST_H_
#define RUNNEL_HOST_QUERY_QUERY_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runnel/status.h"

namespace runnel::host {

struct ParsedQuery {
  std::string ref_id = "A";
  std::string datasource_uid;
  std::string query_type;
  int64_t max_data_points = 100;
  int64_t interval_ms = 1000;
  std::string json;  // the query object as sent, minified
};

struct QueryRequest {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::vector<ParsedQuery> queries;
};

// InvalidArgument, with a message for the client, when the body is not
// JSON, not an object, has no queries, or a query has no data source uid or
// fields of the wrong type; `now_ms` resolves relative times.
Status ParseQueryRequest(std::string_view body, int64_t now_ms,
                         QueryRequest* out);

// The indexes into request.queries of each data source's queries, by uid,
// in the order they were sent.
std::map<std::string, std::vector<size_t>> GroupByDataSource(
    const QueryRequest& request);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_QUERY_REQUEST_H_
