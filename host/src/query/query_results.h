// QueryResults: what /api/ds/query answers, per refId, written as Grafana
// writes a QueryDataResponse (grafana-plugin-sdk-go backend/json.go):
//   {"results": {"<refId>": {"error"?: "..", "errorSource"?: "..",
//                            "status": 200, "frames": [<frame JSON>]}}}
// refIds in sorted order; "error" and "errorSource" only on a failed one.
// Plain values and pure functions; thread-safe.
#ifndef RUNNEL_HOST_QUERY_QUERY_RESULTS_H_
#define RUNNEL_HOST_QUERY_QUERY_RESULTS_H_

#include <map>
#include <string>
#include <vector>

namespace runnel::host {

struct QueryResult {
  int status = 200;
  std::string error;                     // non-empty: the query failed
  std::string error_source;              // "plugin" or "downstream"
  std::vector<std::string> frames_json;  // each a whole frame JSON object
};

using QueryResults = std::map<std::string, QueryResult>;  // by refId

// A failed result: `status`, the message, and where the failure came from.
QueryResult FailedResult(int status, std::string error,
                         std::string error_source = "plugin");

std::string QueryResultsJSON(const QueryResults& results);

// The HTTP status of the whole answer: 200 when every query succeeded; 207
// (Multi-Status) when some failed and others did not, as Grafana answers
// with its datasourceQueryMultiStatus feature (pkg/api/ds_query.go
// toJsonStreamingResponse); 400 when all failed, Grafana's default for an
// answer holding an error.
int QueryHttpStatus(const QueryResults& results);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_QUERY_QUERY_RESULTS_H_
