#include "query.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "random_walk.h"
#include "runnel/frame_meta.h"
#include "stream_paths.h"
#include "testdata_frames.h"

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

// The stream path a live query names, if it is a testdata-frame stream.
std::optional<std::string> LivePath(const runnel::DataQuery& query) {
  nlohmann::json model = nlohmann::json::parse(query.json, nullptr, false);
  if (!model.is_object() || !model.contains("path") ||
      !model["path"].is_string()) {
    return std::nullopt;
  }
  std::string path = model["path"].get<std::string>();
  std::optional<StreamSpec> spec = ParseStreamPath(path);
  if (!spec || spec->kind != StreamKind::kTestdata) return std::nullopt;
  return path;
}

std::string ChannelOf(const runnel::PluginContext& context,
                      const std::string& path) {
  if (context.data_source_instance_settings) {
    return "ds/" + context.data_source_instance_settings->uid + "/" + path;
  }
  return "plugin/" + context.plugin_id + "/" + path;
}

// The stream's history over the query's range, in the stream's frame.
runnel::Frame LiveHistoryFrame(const runnel::DataQuery& query,
                               const std::string& channel) {
  runnel::Frame frame = TestdataFrame();
  frame.set_ref_id(query.ref_id);
  runnel::FrameMeta meta;
  meta.channel = channel;
  runnel::SetFrameMeta(frame, meta);
  const int64_t from = query.time_range.from_epoch_ms;
  const int64_t to = query.time_range.to_epoch_ms;
  if (to < from) return frame;
  const int64_t step = QueryStepMs(query);
  const int64_t points = std::min(MaxPoints(query), (to - from) / step + 1);
  auto& fields = frame.fields();
  RandomWalk walk;
  for (int64_t i = 0; i < points; ++i) {
    fields[0].AppendTime(runnel::Timestamp{(from + i * step) * 1000000});
    fields[1].AppendFloat64(walk.Step());
    fields[2].AppendFloat64(walk.Min());
    fields[3].AppendFloat64(walk.Max());
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
  if (queries_ != nullptr)
    queries_->Add(static_cast<double>(req.queries.size()));
  for (const runnel::DataQuery& query : req.queries) {
    runnel::DataResponse& out = resp->responses[query.ref_id];
    if (query.query_type == kQueryTypeLive) {
      std::optional<std::string> path = LivePath(query);
      if (!path) {
        out.status = 400;
        out.error =
            "a live query needs {\"path\": \"<testdata stream path>\"}, "
            "e.g. random-20Hz-stream";
        out.error_source = "plugin";
        continue;
      }
      out.frames.push_back(
          LiveHistoryFrame(query, ChannelOf(req.plugin_context, *path)));
      continue;
    }
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
