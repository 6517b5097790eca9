// WideFrames: builds the wide shape (grafana telegraf/convert.go
// convertWideFields and metricFrame.extend): one frame per measurement and
// timestamp with a one-row "time" column, then for each point of that key,
// in line order, one nullable one-row column per field (sorted by key)
// labelled with the point's tags. Used by one conversion on one thread; it
// views the batch it is fed from, which must outlive it.
#ifndef RUNNEL_HOST_PUSH_WIDE_FRAMES_H_
#define RUNNEL_HOST_PUSH_WIDE_FRAMES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "push/cell_budget.h"
#include "push/line_protocol.h"
#include "push/telegraf_frames.h"
#include "runnel/status.h"

namespace runnel::host {

class WideFrames {
 public:
  explicit WideFrames(CellBudget& budget) : budget_(budget) {}

  Status Add(const PointBatch& batch, const Point& point, int64_t unix_nanos);
  void Finish(std::vector<MeasurementFrame>& out);

 private:
  Frame& FrameFor(std::string_view measurement, int64_t unix_nanos);

  CellBudget& budget_;
  std::vector<Frame> frames_;  // in first-appearance order
  absl::flat_hash_map<std::pair<std::string_view, int64_t>, size_t> by_key_;
  std::vector<Tag> tags_;           // scratch
  std::vector<PointField> fields_;  // scratch
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_WIDE_FRAMES_H_
