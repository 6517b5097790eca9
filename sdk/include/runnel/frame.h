// Frame: Grafana's data frame, a named set of equally long typed columns.
// Columns are contiguous vectors so appending a row is a push_back per field.
// Thread-safety: none; a Frame is owned by one thread at a time.
#ifndef RUNNEL_FRAME_H_
#define RUNNEL_FRAME_H_

#include <cassert>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runnel/status.h"

namespace runnel {

// Every field type of Grafana's data frames (grafana-plugin-sdk-go
// data/field_type.go); each can be nullable. The first five keep their
// values; the rest were added after them.
enum class FieldType {
  kTime,
  kFloat64,
  kInt64,
  kString,
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kUint8,
  kUint16,
  kUint32,
  kUint64,
  kFloat32,
  kJSON,  // a JSON value per row (Go's json.RawMessage)
  kEnum,  // an index into the enum's names in the field config
};

// A point in time as nanoseconds since the Unix epoch.
struct Timestamp {
  int64_t unix_nanos = 0;

  // The wall clock (CLOCK_REALTIME), what rows are stamped with.
  static Timestamp Now();

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// A value of a kJSON field: JSON text, written into frames as it is.
struct RawJSON {
  std::string text;

  friend bool operator==(const RawJSON&, const RawJSON&) = default;
};

// A value of a kEnum field: the index of one of the enum's names.
struct EnumIndex {
  uint16_t index = 0;

  friend bool operator==(const EnumIndex&, const EnumIndex&) = default;
};

using Labels = std::map<std::string, std::string>;

// One column. Nullable fields keep a validity flag per row.
class Field {
 public:
  // A value of any type; monostate = null. The alternative at index i + 1
  // holds FieldType i, so an int literal is an int32_t: spell the type
  // (int64_t{5}) when appending to other integer fields.
  using Value =
      std::variant<std::monostate, Timestamp, double, int64_t, std::string,
                   bool, int8_t, int16_t, int32_t, uint8_t, uint16_t, uint32_t,
                   uint64_t, float, RawJSON, EnumIndex>;

  Field(std::string name, FieldType type, bool nullable = false,
        Labels labels = {});

  const std::string& name() const { return name_; }
  FieldType type() const { return type_; }
  bool nullable() const { return nullable_; }
  const Labels& labels() const { return labels_; }
  // Field config as a JSON object text ("" when unset), e.g. {"unit":"ms"}.
  const std::string& config_json() const { return config_json_; }
  void set_config_json(std::string json) { config_json_ = std::move(json); }
  void set_labels(Labels labels) { labels_ = std::move(labels); }

  size_t size() const;
  void Reserve(size_t rows);
  void Clear();

  // Typed appends. The value's type must match the field's type; a mismatch
  // is a programming error and aborts in debug builds.
  void AppendTime(Timestamp t);
  void AppendFloat64(double v);
  void AppendInt64(int64_t v);
  void AppendString(std::string v);
  void AppendBool(bool v);
  void AppendInt8(int8_t v);
  void AppendInt16(int16_t v);
  void AppendInt32(int32_t v);
  void AppendUint8(uint8_t v);
  void AppendUint16(uint16_t v);
  void AppendUint32(uint32_t v);
  void AppendUint64(uint64_t v);
  void AppendFloat32(float v);
  void AppendJSON(std::string json_text);
  void AppendEnum(uint16_t index);
  // Only for nullable fields.
  void AppendNull();
  // Generic append (monostate = null).
  void Append(const Value& v);

  bool IsNull(size_t row) const;
  // Typed reads; row must be valid and not null.
  Timestamp TimeAt(size_t row) const;
  double Float64At(size_t row) const;
  int64_t Int64At(size_t row) const;
  const std::string& StringAt(size_t row) const;
  bool BoolAt(size_t row) const;
  int8_t Int8At(size_t row) const;
  int16_t Int16At(size_t row) const;
  int32_t Int32At(size_t row) const;
  uint8_t Uint8At(size_t row) const;
  uint16_t Uint16At(size_t row) const;
  uint32_t Uint32At(size_t row) const;
  uint64_t Uint64At(size_t row) const;
  float Float32At(size_t row) const;
  const std::string& JSONAt(size_t row) const;
  uint16_t EnumAt(size_t row) const;
  // Any row as a Value (monostate when null); row must be valid.
  Value ValueAt(size_t row) const;

 private:
  // Which vector holds a type's values.
  enum class Storage { kInts, kFloats, kStrings, kBools };
  static Storage StorageOf(FieldType type);
  // Appends to ints_ when the field is of `type` (else a programming error).
  void AppendInteger(FieldType type, int64_t v);
  void AppendFloating(FieldType type, double v);
  void AppendText(FieldType type, std::string v);

  std::string name_;
  FieldType type_;
  bool nullable_;
  Labels labels_;
  std::string config_json_;
  // Exactly one of these is used, chosen by StorageOf(type_). Every integer
  // type (and time and enum) widens into ints_, uint64 as its bit pattern, so
  // an append is one push_back whatever the width; encoders narrow again.
  std::vector<int64_t> ints_;
  std::vector<double> floats_;        // float64 and float32
  std::vector<std::string> strings_;  // string and JSON text
  std::vector<uint8_t> bools_;
  std::vector<uint8_t> valid_;  // nullable fields only; 1 = has a value
};

// The common per-row reads, inline: frame encoders call them for every
// cell, and a call each was a noticeable part of encoding a large frame.
inline bool Field::IsNull(size_t row) const {
  return nullable_ && valid_[row] == 0;
}

inline Timestamp Field::TimeAt(size_t row) const {
  assert(type_ == FieldType::kTime);
  return Timestamp{ints_[row]};
}

inline double Field::Float64At(size_t row) const {
  assert(type_ == FieldType::kFloat64);
  return floats_[row];
}

inline int64_t Field::Int64At(size_t row) const {
  assert(type_ == FieldType::kInt64);
  return ints_[row];
}

inline const std::string& Field::StringAt(size_t row) const {
  assert(type_ == FieldType::kString);
  return strings_[row];
}

inline bool Field::BoolAt(size_t row) const {
  assert(type_ == FieldType::kBool);
  return bools_[row] != 0;
}

class Frame {
 public:
  explicit Frame(std::string name = "") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const std::string& ref_id() const { return ref_id_; }
  void set_ref_id(std::string ref_id) { ref_id_ = std::move(ref_id); }
  // Frame meta as a JSON object text ("" when unset). Kept as text so meta
  // read from another plugin passes through whole; FrameMeta (frame_meta.h)
  // is the typed way to write and read it.
  const std::string& meta_json() const { return meta_json_; }
  void set_meta_json(std::string json) { meta_json_ = std::move(json); }

  // Adds a field and returns it; the reference stays valid until the next
  // AddField.
  Field& AddField(std::string name, FieldType type, bool nullable = false,
                  Labels labels = {});
  std::vector<Field>& fields() { return fields_; }
  const std::vector<Field>& fields() const { return fields_; }

  // Appends one row: one value per field, in field order. A row with the
  // wrong number of values, a value of the wrong type, or a null for a
  // non-nullable field is rejected (InvalidArgument) and nothing is appended.
  Status AppendRow(const std::vector<Field::Value>& row);
  size_t rows() const { return fields_.empty() ? 0 : fields_[0].size(); }
  // Removes every row and keeps the schema, so a frame can be reused.
  void ClearRows();

 private:
  std::string name_;
  std::string ref_id_;
  std::string meta_json_;
  std::vector<Field> fields_;
};

}  // namespace runnel

#endif  // RUNNEL_FRAME_H_
