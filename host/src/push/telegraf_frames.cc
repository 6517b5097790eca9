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

// A batch that grew past this is given back after its body, so that a rare
// huge body pins nothing; a 1,000-line body's batch is ~0.4 MB.
constexpr size_t kKeptBatchBytes = 4 << 20;

// Each thread's batch, reused from body to body: a steady stream of bodies
// then allocates, and faults in, no memory for its points (growing a fresh
// batch took ~15% of a 1,000-line body's conversion, mostly page faults).
PointBatch& ThreadBatch() {
  thread_local PointBatch batch;
  return batch;
}

// Lets go of what `batch` views (the body) and of its memory when too big.
void Recycle(PointBatch& batch) {
  if (batch.capacity_bytes() > kKeptBatchBytes) {
    batch = PointBatch();
  } else {
    batch.Clear();
  }
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
  PointBatch& batch = ThreadBatch();
  Status status;
  if (auto error = ParseLineProtocol(body, options.parse, batch)) {
    status =
        Status::InvalidArgument("error parsing metrics: " + error->ToString());
  } else {
    status = ConvertPoints(batch, options.format, now, options.limits, out);
  }
  Recycle(batch);
  return status;
}

}  // namespace runnel::host
