// Field and Frame: typed columns in contiguous vectors (see frame.h).
#include "runnel/frame.h"

#include <time.h>

#include <bit>
#include <cassert>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "field_type_names.h"

namespace runnel {
namespace {

// Value alternative i + 1 holds FieldType i; ValueType relies on it.
static_assert(
    std::is_same_v<std::variant_alternative_t<
                       static_cast<size_t>(FieldType::kTime) + 1, Field::Value>,
                   Timestamp>);
static_assert(
    std::is_same_v<std::variant_alternative_t<
                       static_cast<size_t>(FieldType::kEnum) + 1, Field::Value>,
                   EnumIndex>);
static_assert(std::variant_size_v<Field::Value> ==
              static_cast<size_t>(FieldType::kEnum) + 2);

// The FieldType a non-null Value alternative carries; nullopt for monostate.
std::optional<FieldType> ValueType(const Field::Value& v) {
  if (v.index() == 0) return std::nullopt;
  return static_cast<FieldType>(v.index() - 1);
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

Field::Storage Field::StorageOf(FieldType type) {
  switch (type) {
    case FieldType::kFloat64:
    case FieldType::kFloat32:
      return Storage::kFloats;
    case FieldType::kString:
    case FieldType::kJSON:
      return Storage::kStrings;
    case FieldType::kBool:
      return Storage::kBools;
    default:
      return Storage::kInts;
  }
}

size_t Field::size() const {
  switch (StorageOf(type_)) {
    case Storage::kInts:
      return ints_.size();
    case Storage::kFloats:
      return floats_.size();
    case Storage::kStrings:
      return strings_.size();
    case Storage::kBools:
      return bools_.size();
  }
  return 0;
}

void Field::Reserve(size_t rows) {
  switch (StorageOf(type_)) {
    case Storage::kInts:
      ints_.reserve(rows);
      break;
    case Storage::kFloats:
      floats_.reserve(rows);
      break;
    case Storage::kStrings:
      strings_.reserve(rows);
      break;
    case Storage::kBools:
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

void Field::AppendInteger(FieldType type, int64_t v) {
  assert(type_ == type && "typed append of the wrong type");
  if (type_ != type) return AppendNull();
  ints_.push_back(v);
  if (nullable_) valid_.push_back(1);
}

void Field::AppendFloating(FieldType type, double v) {
  assert(type_ == type && "typed append of the wrong type");
  if (type_ != type) return AppendNull();
  floats_.push_back(v);
  if (nullable_) valid_.push_back(1);
}

void Field::AppendText(FieldType type, std::string v) {
  assert(type_ == type && "typed append of the wrong type");
  if (type_ != type) return AppendNull();
  strings_.push_back(std::move(v));
  if (nullable_) valid_.push_back(1);
}

void Field::AppendTime(Timestamp t) {
  AppendInteger(FieldType::kTime, t.unix_nanos);
}
void Field::AppendFloat64(double v) { AppendFloating(FieldType::kFloat64, v); }
void Field::AppendInt64(int64_t v) { AppendInteger(FieldType::kInt64, v); }
void Field::AppendString(std::string v) {
  AppendText(FieldType::kString, std::move(v));
}
void Field::AppendInt8(int8_t v) { AppendInteger(FieldType::kInt8, v); }
void Field::AppendInt16(int16_t v) { AppendInteger(FieldType::kInt16, v); }
void Field::AppendInt32(int32_t v) { AppendInteger(FieldType::kInt32, v); }
void Field::AppendUint8(uint8_t v) { AppendInteger(FieldType::kUint8, v); }
void Field::AppendUint16(uint16_t v) { AppendInteger(FieldType::kUint16, v); }
void Field::AppendUint32(uint32_t v) { AppendInteger(FieldType::kUint32, v); }
void Field::AppendUint64(uint64_t v) {
  AppendInteger(FieldType::kUint64, std::bit_cast<int64_t>(v));
}
void Field::AppendFloat32(float v) { AppendFloating(FieldType::kFloat32, v); }
void Field::AppendJSON(std::string json_text) {
  AppendText(FieldType::kJSON, std::move(json_text));
}
void Field::AppendEnum(uint16_t index) {
  AppendInteger(FieldType::kEnum, index);
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
  switch (StorageOf(type_)) {
    case Storage::kInts:
      ints_.push_back(0);
      break;
    case Storage::kFloats:
      floats_.push_back(0.0);
      break;
    case Storage::kStrings:
      strings_.emplace_back();
      break;
    case Storage::kBools:
      bools_.push_back(0);
      break;
  }
  if (nullable_) valid_.push_back(0);
}

void Field::Append(const Value& v) {
  std::optional<FieldType> type = ValueType(v);
  if (!type) return AppendNull();
  switch (*type) {
    case FieldType::kTime:
      return AppendTime(std::get<Timestamp>(v));
    case FieldType::kFloat64:
      return AppendFloat64(std::get<double>(v));
    case FieldType::kInt64:
      return AppendInt64(std::get<int64_t>(v));
    case FieldType::kString:
      return AppendString(std::get<std::string>(v));
    case FieldType::kBool:
      return AppendBool(std::get<bool>(v));
    case FieldType::kInt8:
      return AppendInt8(std::get<int8_t>(v));
    case FieldType::kInt16:
      return AppendInt16(std::get<int16_t>(v));
    case FieldType::kInt32:
      return AppendInt32(std::get<int32_t>(v));
    case FieldType::kUint8:
      return AppendUint8(std::get<uint8_t>(v));
    case FieldType::kUint16:
      return AppendUint16(std::get<uint16_t>(v));
    case FieldType::kUint32:
      return AppendUint32(std::get<uint32_t>(v));
    case FieldType::kUint64:
      return AppendUint64(std::get<uint64_t>(v));
    case FieldType::kFloat32:
      return AppendFloat32(std::get<float>(v));
    case FieldType::kJSON:
      return AppendJSON(std::get<RawJSON>(v).text);
    case FieldType::kEnum:
      return AppendEnum(std::get<EnumIndex>(v).index);
  }
}

// The narrow integer reads return what the matching append widened, so the
// casts only undo that widening.

int8_t Field::Int8At(size_t row) const {
  assert(type_ == FieldType::kInt8);
  return static_cast<int8_t>(ints_[row]);
}

int16_t Field::Int16At(size_t row) const {
  assert(type_ == FieldType::kInt16);
  return static_cast<int16_t>(ints_[row]);
}

int32_t Field::Int32At(size_t row) const {
  assert(type_ == FieldType::kInt32);
  return static_cast<int32_t>(ints_[row]);
}

uint8_t Field::Uint8At(size_t row) const {
  assert(type_ == FieldType::kUint8);
  return static_cast<uint8_t>(ints_[row]);
}

uint16_t Field::Uint16At(size_t row) const {
  assert(type_ == FieldType::kUint16);
  return static_cast<uint16_t>(ints_[row]);
}

uint32_t Field::Uint32At(size_t row) const {
  assert(type_ == FieldType::kUint32);
  return static_cast<uint32_t>(ints_[row]);
}

uint64_t Field::Uint64At(size_t row) const {
  assert(type_ == FieldType::kUint64);
  return std::bit_cast<uint64_t>(ints_[row]);
}

float Field::Float32At(size_t row) const {
  assert(type_ == FieldType::kFloat32);
  return static_cast<float>(floats_[row]);
}

const std::string& Field::JSONAt(size_t row) const {
  assert(type_ == FieldType::kJSON);
  return strings_[row];
}

uint16_t Field::EnumAt(size_t row) const {
  assert(type_ == FieldType::kEnum);
  return static_cast<uint16_t>(ints_[row]);
}

Field::Value Field::ValueAt(size_t row) const {
  if (IsNull(row)) return std::monostate{};
  switch (type_) {
    case FieldType::kTime:
      return TimeAt(row);
    case FieldType::kFloat64:
      return Float64At(row);
    case FieldType::kInt64:
      return Int64At(row);
    case FieldType::kString:
      return StringAt(row);
    case FieldType::kBool:
      return BoolAt(row);
    case FieldType::kInt8:
      return Int8At(row);
    case FieldType::kInt16:
      return Int16At(row);
    case FieldType::kInt32:
      return Int32At(row);
    case FieldType::kUint8:
      return Uint8At(row);
    case FieldType::kUint16:
      return Uint16At(row);
    case FieldType::kUint32:
      return Uint32At(row);
    case FieldType::kUint64:
      return Uint64At(row);
    case FieldType::kFloat32:
      return Float32At(row);
    case FieldType::kJSON:
      return RawJSON{JSONAt(row)};
    case FieldType::kEnum:
      return EnumIndex{EnumAt(row)};
  }
  return std::monostate{};
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
      return Status::InvalidArgument(
          std::string(internal::FrameTypeName(*type)) + " value for " +
          internal::FrameTypeName(field.type()) + " field " +
          std::to_string(i) + " \"" + field.name() + "\"");
    }
  }
  for (size_t i = 0; i < row.size(); ++i) fields_[i].Append(row[i]);
  return Status::Ok();
}

void Frame::ClearRows() {
  for (Field& field : fields_) field.Clear();
}

}  // namespace runnel
