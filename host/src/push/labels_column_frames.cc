#include "push/labels_column_frames.h"

#include <string>
#include <utility>
#include <variant>

#include "push/grafana_value.h"
#include "push/point_sets.h"

namespace runnel::host {
namespace {

constexpr size_t kLabelsColumn = 0;
constexpr size_t kTimeColumn = 1;

void PadNulls(Field& field, size_t rows) {
  while (field.size() < rows) field.AppendNull();
}

}  // namespace

LabelsColumnFrames::Table& LabelsColumnFrames::TableFor(
    std::string_view measurement) {
  // A body is mostly one measurement: check the previous point's first.
  if (last_table_ < tables_.size() &&
      tables_[last_table_].frame.name() == measurement) {
    return tables_[last_table_];
  }
  auto [it, inserted] = by_measurement_.try_emplace(measurement, 0);
  if (inserted) {
    it->second = tables_.size();
    Table& table = tables_.emplace_back();
    table.frame = Frame(std::string(measurement));
    table.frame.AddField("labels", FieldType::kString);
    table.frame.AddField("time", FieldType::kTime);
  }
  last_table_ = it->second;
  return tables_[last_table_];
}

Status LabelsColumnFrames::Add(const PointBatch& batch, const Point& point,
                               int64_t unix_nanos) {
  Table& table = TableFor(point.measurement);
  if (Status taken = budget_.Take(table.frame.fields().size()); !taken.ok()) {
    return taken;
  }
  table.frame.fields()[kLabelsColumn].AppendString(
      LabelsString(SortedTags(batch.tags(point), tags_)));
  table.frame.fields()[kTimeColumn].AppendTime(Timestamp{unix_nanos});
  ++table.rows;
  std::span<const PointField> fields =
      SortedFields(batch.fields(point), fields_);
  for (size_t position = 0; position < fields.size(); ++position) {
    Status status = AddValue(table, position, fields[position]);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status LabelsColumnFrames::ColumnFor(Table& table, size_t position,
                                     std::string_view key, FieldType type,
                                     size_t* column) {
  if (position < table.last_keys.size() &&
      table.last_keys[position].first == key) {
    *column = table.last_keys[position].second;
    return Status::Ok();
  }
  auto [it, inserted] =
      table.columns.try_emplace(key, table.frame.fields().size());
  if (inserted) {
    // A new column: null in the rows before this one.
    if (Status taken = budget_.Take(table.rows); !taken.ok()) return taken;
    table.frame.AddField(std::string(key), type, /*nullable=*/true);
  }
  if (position >= table.last_keys.size()) {
    table.last_keys.resize(position + 1);
  }
  table.last_keys[position] = {key, it->second};
  *column = it->second;
  return Status::Ok();
}

Status LabelsColumnFrames::AddValue(Table& table, size_t position,
                                    const PointField& field) {
  GrafanaValue value = ToGrafanaValue(field.value);
  size_t index = 0;
  if (Status found = ColumnFor(table, position, field.key, value.type, &index);
      !found.ok()) {
    return found;
  }
  Field& column = table.frame.fields()[index];
  if (value.type != column.type()) {
    // The column's type is its first value's (convert.go append: "error
    // appending values"): a string column keeps the value's text.
    bool to_text = column.type() == FieldType::kString &&
                   !std::holds_alternative<std::monostate>(value.value);
    value.value =
        to_text ? Field::Value(GoValueString(field.value)) : Field::Value();
  }
  PadNulls(column, table.rows - 1);
  column.Append(value.value);
  return Status::Ok();
}

void LabelsColumnFrames::Finish(std::vector<MeasurementFrame>& out) {
  for (Table& table : tables_) {
    for (Field& field : table.frame.fields()) PadNulls(field, table.rows);
    std::string key = table.frame.name();
    out.push_back({std::move(key), std::move(table.frame)});
  }
  tables_.clear();
  by_measurement_.clear();
  last_table_ = 0;
}

}  // namespace runnel::host
