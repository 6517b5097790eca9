#include "push/wide_frames.h"

#include <string>
#include <utility>

#include "push/grafana_value.h"
#include "push/point_sets.h"

namespace runnel::host {

Frame& WideFrames::FrameFor(std::string_view measurement, int64_t unix_nanos) {
  auto [it, inserted] = by_key_.try_emplace({measurement, unix_nanos}, 0);
  if (!inserted) return frames_[it->second];
  it->second = frames_.size();
  Frame& frame = frames_.emplace_back(std::string(measurement));
  frame.AddField("time", FieldType::kTime).AppendTime(Timestamp{unix_nanos});
  return frame;
}

Status WideFrames::Add(const PointBatch& batch, const Point& point,
                       int64_t unix_nanos) {
  std::span<const PointField> fields =
      SortedFields(batch.fields(point), fields_);
  // The time cell of a new frame is counted with the fields: at most one.
  if (Status taken = budget_.Take(fields.size() + 1); !taken.ok()) {
    return taken;
  }
  Frame& frame = FrameFor(point.measurement, unix_nanos);
  Labels labels = ToLabels(SortedTags(batch.tags(point), tags_));
  for (const PointField& field : fields) {
    GrafanaValue value = ToGrafanaValue(field.value);
    frame
        .AddField(std::string(field.key), value.type, /*nullable=*/true, labels)
        .Append(value.value);
  }
  return Status::Ok();
}

void WideFrames::Finish(std::vector<MeasurementFrame>& out) {
  for (Frame& frame : frames_) {
    std::string key = frame.name();
    out.push_back({std::move(key), std::move(frame)});
  }
  frames_.clear();
  by_key_.clear();
}

}  // namespace runnel::host
