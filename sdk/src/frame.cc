// Field and Frame: typed columns in contiguous vectors (see frame.h).
#include "runnel/frame.h"

#include <time.h>

#include <cassert>
#include <string>
#include <utility>

namespace runnel {
namespace {

const char* TypeName(FieldType type) {
  switch (type) {
    case FieldType::kTime:
      return "time";
    case FieldType::kFloat64:
      return "float64";
    case FieldType::kInt64:
      return "int64";
    case FieldType::kString:
      return "string";
    case FieldType::kBool:
      return "bool";
  }
  return "unknown";
}

// The FieldType a non-null Value alternative carries; nullopt for monostate.
std::optional<FieldType> ValueType(const Field::Value& v) {
  switch (v.index()) {
    case 1:
      return FieldType::kTime;
    case 2:
      return FieldType::kFloat64;
    case 3:
      return FieldType::kInt64;
    case 4:
      return FieldType::kString;
    case 5:
      return FieldType::kBool;
    default:
      return std::nullopt;
  }
}

}  // namespace

Timestamp Timestamp::Now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Timestamp{static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec};
}

Field::Field(std::string name, FieldType type, bool nullable, Labels labels)
    : name_(std::move(name)),
      type_(type),
      nullable_(nullable),
      labels_(std::move(labels)) {}

size_t Field::size() const {
  switch (type_) {
    case FieldType::kTime:
    case FieldType::kInt64:
      return ints_.size();
    case FieldType::kFloat64:
      return floats_.size();
    case FieldType::kString:
      return strings_.size();
    case FieldType::kBool:
      return bools_.size();
  }
  return 0;
}

void Field::Reserve(size_t rows) {
  switch (type_) {
    case FieldType::kTime:
    case FieldType::kInt64:
      ints_.reserve(rows);
      break;
    case FieldType::kFloat64:
      floats_.reserve(rows);
      break;
    case FieldType::kString:
      strings_.reserve(rows);
      break;
    case FieldType::kBool:
      bools_.reserve(rows);
      break;
  }
  if (nullable_) valid_.reserve(rows);
}

void Field::Clear() {
  ints_.clear();
  floats_.clear();
  strings_.clear();
  bools_.clear();
  valid_.clear();
}

// Each typed append pushes into the column of the field's own type. On a type
// mismatch (a programming error) debug builds abort; release builds append
// the column's zero value so every column keeps the same length.

void Field::AppendTime(Timestamp t) {
  assert(type_ == FieldType::kTime && "AppendTime on a non-time field");
  if (type_ != FieldType::kTime) return AppendNull();
  ints_.push_back(t.unix_nanos);
  if (nullable_) valid_.push_back(1);
}

void Field::AppendFloat64(double v) {
  assert(type_ == FieldType::kFloat64 && "AppendFloat64 on a non-float field");
  if (type_ != FieldType::kFloat64) return AppendNull();
  floats_.push_back(v);
  if (nullable_) valid_.push_back(1);
}

void Field::AppendInt64(int64_t v) {
  assert(type_ == FieldType::kInt64 && "AppendInt64 on a non-int64 field");
  if (type_ != FieldType::kInt64) return AppendNull();
  ints_.push_back(v);
  if (nullable_) valid_.push_back(1);
}

void Field::AppendString(std::string v) {
  assert(type_ == FieldType::kString && "AppendString on a non-string field");
  if (type_ != FieldType::kString) return AppendNull();
  strings_.push_back(std::move(v));
  if (nullable_) valid_.push_back(1);
}

void Field::AppendBool(bool v) {
  assert(type_ == FieldType::kBool && "AppendBool on a non-bool field");
  if (type_ != FieldType::kBool) return AppendNull();
  bools_.push_back(v ? 1 : 0);
  if (nullable_) valid_.push_back(1);
}

void Field::AppendNull() {
  // On a non-nullable field a null is a programming error; release builds
  // store the zero value (no validity vector exists to mark it).
  assert(nullable_ && "AppendNull on a non-nullable field");
  switch (type_) {
    case FieldType::kTime:
    case FieldType::kInt64:
      ints_.push_back(0);
      break;
    case FieldType::kFloat64:
      floats_.push_back(0.0);
      break;
    case FieldType::kString:
      strings_.emplace_back();
      break;
    case FieldType::kBool:
      bools_.push_back(0);
      break;
  }
  if (nullable_) valid_.push_back(0);
}

void Field::Append(const Value& v) {
  switch (v.index()) {
    case 0:
      AppendNull();
      break;
    case 1:
      AppendTime(std::get<Timestamp>(v));
      break;
    case 2:
      AppendFloat64(std::get<double>(v));
      break;
    case 3:
      AppendInt64(std::get<int64_t>(v));
      break;
    case 4:
      AppendString(std::get<std::string>(v));
      break;
    case 5:
      AppendBool(std::get<bool>(v));
      break;
  }
}

bool Field::IsNull(size_t row) const { return nullable_ && valid_[row] == 0; }

Timestamp Field::TimeAt(size_t row) const {
  assert(type_ == FieldType::kTime);
  return Timestamp{ints_[row]};
}

double Field::Float64At(size_t row) const {
  assert(type_ == FieldType::kFloat64);
  return floats_[row];
}

int64_t Field::Int64At(size_t row) const {
  assert(type_ == FieldType::kInt64);
  return ints_[row];
}

const std::string& Field::StringAt(size_t row) const {
  assert(type_ == FieldType::kString);
  return strings_[row];
}

bool Field::BoolAt(size_t row) const {
  assert(type_ == FieldType::kBool);
  return bools_[row] != 0;
}

Field& Frame::AddField(std::string name, FieldType type, bool nullable,
                       Labels labels) {
  fields_.emplace_back(std::move(name), type, nullable, std::move(labels));
  return fields_.back();
}

Status Frame::AppendRow(const std::vector<Field::Value>& row) {
  if (row.size() != fields_.size()) {
    return Status::InvalidArgument(
        "frame row has " + std::to_string(row.size()) + " values, frame has " +
        std::to_string(fields_.size()) + " fields");
  }
  // Check the whole row first so a bad row leaves the frame unchanged.
  for (size_t i = 0; i < row.size(); ++i) {
    const Field& field = fields_[i];
    std::optional<FieldType> type = ValueType(row[i]);
    if (!type) {
      if (!field.nullable()) {
        return Status::InvalidArgument("null value for non-nullable field " +
                                       std::to_string(i) + " \"" +
                                       field.name() + "\"");
      }
    } else if (*type != field.type()) {
      return Status::InvalidArgument(std::string(TypeName(*type)) +
                                     " value for " + TypeName(field.type()) +
                                     " field " + std::to_string(i) + " \"" +
                                     field.name() + "\"");
    }
  }
  for (size_t i = 0; i < row.size(); ++i) fields_[i].Append(row[i]);
  return Status::Ok();
}

void Frame::ClearRows() {
  for (Field& field : fields_) field.Clear();
}

}  // namespace runnel
