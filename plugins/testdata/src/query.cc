#include "query.h"

#include <algorithm>

#include "random_walk.h"

namespace runnel::testdata {
namespace {

int64_t MaxPoints(const runnel::DataQuery& query) {
  return query.max_data_points > 0 ? query.max_data_points
                                   : kDefaultMaxDataPoints;
}

runnel::Frame RandomWalkFrame(const runnel::DataQuery& query) {
  runnel::Frame frame(query.ref_id);
  frame.set_ref_id(query.ref_id);
  frame.AddField("Time", runnel::FieldType::kTime);
  frame.AddField("Value", runnel::FieldType::kFloat64);
  const int64_t from = query.time_range.from_epoch_ms;
  const int64_t to = query.time_range.to_epoch_ms;
  if (to < from) return frame;
  const int64_t step = QueryStepMs(query);
  const int64_t points = std::min(MaxPoints(query), (to - from) / step + 1);
  auto& fields = frame.fields();
  fields[0].Reserve(points);
  fields[1].Reserve(points);
  RandomWalk walk;
  for (int64_t i = 0; i < points; ++i) {
    fields[0].AppendTime(runnel::Timestamp{(from + i * step) * 1000000});
    fields[1].AppendFloat64(walk.Step());
  }
  return frame;
}

}  // namespace

int64_t QueryStepMs(const runnel::DataQuery& query) {
  const int64_t interval =
      query.interval_ms > 0 ? query.interval_ms : kDefaultIntervalMs;
  const int64_t range = std::max<int64_t>(
      0, query.time_range.to_epoch_ms - query.time_range.from_epoch_ms);
  const int64_t max_points = MaxPoints(query);
  // Smallest step that fits the range into max_points points.
  const int64_t fit = (range + max_points - 1) / max_points;
  return std::max<int64_t>({1, interval, fit});
}

runnel::Status Query::QueryData(const runnel::QueryDataRequest& req,
                                runnel::QueryDataResponse* resp) {
  for (const runnel::DataQuery& query : req.queries) {
    runnel::DataResponse& out = resp->responses[query.ref_id];
    if (!query.query_type.empty() && query.query_type != kQueryTypeRandomWalk) {
      out.status = 400;
      out.error = "unknown queryType: " + query.query_type;
      out.error_source = "plugin";
      continue;
    }
    out.frames.push_back(RandomWalkFrame(query));
  }
  return runnel::Status::Ok();
}

}  // namespace runnel::testdata
