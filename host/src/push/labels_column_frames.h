// LabelsColumnFrames: builds the labels_column shape (grafana
// telegraf/convert.go convertWithLabelsColumn and metricFrame.append): one
// frame per measurement with "labels" (the line's tags as "k=v, k=v"),
// "time", then a nullable column per field key in the order the keys first
// appear (each line's keys taken in sorted order); a row per point, nulls
// where a line lacks a key. Used by one conversion on one thread; it views
// the batch it is fed from, which must outlive it.
#ifndef RUNNEL_HOST_PUSH_LABELS_COLUMN_FRAMES_H_
#define RUNNEL_HOST_PUSH_LABELS_COLUMN_FRAMES_H_

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "push/cell_budget.h"
#include "push/line_protocol.h"
#include "push/telegraf_frames.h"
#include "runnel/frame.h"
#include "runnel/status.h"

namespace runnel::host {

class LabelsColumnFrames {
 public:
  explicit LabelsColumnFrames(CellBudget& budget) : budget_(budget) {}

  Status Add(const PointBatch& batch, const Point& point, int64_t unix_nanos);
  // Fills the columns that end short with nulls and hands the frames over.
  void Finish(std::vector<MeasurementFrame>& out);

 private:
  struct Table {
    Frame frame;
    absl::flat_hash_map<std::string_view, size_t> columns;  // key -> index
    size_t rows = 0;
    // The previous point's sorted field keys with their columns. Lines of
    // one measurement mostly repeat their keys, and comparing a key with
    // the one at its place last time is cheaper than hashing it.
    std::vector<std::pair<std::string_view, size_t>> last_keys;
  };

  Table& TableFor(std::string_view measurement);
  // Finds the column of the point's `position`-th sorted field, adding it
  // (of `type`) if the table has none yet.
  Status ColumnFor(Table& table, size_t position, std::string_view key,
                   FieldType type, size_t* column);
  Status AddValue(Table& table, size_t position, const PointField& field);

  CellBudget& budget_;
  std::vector<Table> tables_;  // in first-appearance order
  absl::flat_hash_map<std::string_view, size_t> by_measurement_;
  size_t last_table_ = 0;  // the previous point's table, if tables_ has it
  std::vector<Tag> tags_;  // scratch
  std::vector<PointField> fields_;  // scratch
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_LABELS_COLUMN_FRAMES_H_
