// Query: the testdata plugin's QueryData. A query of queryType "" or
// "random_walk" (Grafana testdata's scenario name) gets one frame named
// after its refId with a random walk over the query's time range: fields
// Time and Value, one point every max(intervalMS, range/maxDataPoints) ms,
// never more than maxDataPoints points. queryType "live" (the query JSON
// names a stream: {"path": "random-20Hz-stream"}) answers that stream's
// recent history, the testdata frame (Time, Value, Min, Max) at the same
// step, with meta.channel set to the stream's channel ("ds/<uid>/<path>",
// or "plugin/<plugin id>/<path>" without a data source), so a panel draws
// it and then subscribes for live rows. Any other queryType (or a live
// query whose path is no testdata stream) fails that query alone: status
// 400 and an error saying why.
// Thread-safety: stateless; each call has its own generator.
#ifndef RUNNEL_PLUGINS_TESTDATA_QUERY_H_
#define RUNNEL_PLUGINS_TESTDATA_QUERY_H_

#include <cstdint>

#include "runnel/data.h"
#include "runnel/metrics.h"

namespace runnel::testdata {

// Defaults when the query leaves the field at 0.
inline constexpr int64_t kDefaultMaxDataPoints = 1000;
inline constexpr int64_t kDefaultIntervalMs = 1000;
inline constexpr char kQueryTypeRandomWalk[] = "random_walk";
inline constexpr char kQueryTypeLive[] = "live";

// The step between points in ms (>= 1) for a query.
int64_t QueryStepMs(const runnel::DataQuery& query);

class Query final : public runnel::QueryDataHandler {
 public:
  // Counts every query answered into `queries` (owned by a MetricsRegistry
  // that outlives this), when given.
  explicit Query(runnel::Counter* queries = nullptr) : queries_(queries) {}

  runnel::Status QueryData(const runnel::QueryDataRequest& req,
                           runnel::QueryDataResponse* resp) override;

 private:
  runnel::Counter* const queries_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_QUERY_H_
