#include "push/telegraf_frames.h"

#include "push/cell_budget.h"
#include "push/labels_column_frames.h"
#include "push/wide_frames.h"

namespace runnel::host {
namespace {

template <typename Builder>
Status Build(const PointBatch& batch, Timestamp now, CellBudget& budget,
             std::vector<MeasurementFrame>& out) {
  Builder builder(budget);
  for (const Point& point : batch.points()) {
    Status status =
        builder.Add(batch, point, point.unix_nanos.value_or(now.unix_nanos));
    if (!status.ok()) return status;
  }
  builder.Finish(out);
  return Status::Ok();
}

}  // namespace

Status ConvertPoints(const PointBatch& batch, FrameFormat format, Timestamp now,
                     const ConvertLimits& limits,
                     std::vector<MeasurementFrame>& out) {
  out.clear();
  CellBudget budget(limits.max_cells);
  Status status = format == FrameFormat::kWide
                      ? Build<WideFrames>(batch, now, budget, out)
                      : Build<LabelsColumnFrames>(batch, now, budget, out);
  if (!status.ok()) out.clear();
  return status;
}

Status ConvertLineProtocol(std::string_view body, const ConvertOptions& options,
                           Timestamp now, std::vector<MeasurementFrame>& out) {
  out.clear();
  PointBatch batch;
  if (auto error = ParseLineProtocol(body, options.parse, batch)) {
    return Status::InvalidArgument("error parsing metrics: " +
                                   error->ToString());
  }
  return ConvertPoints(batch, options.format, now, options.limits, out);
}

}  // namespace runnel::host
