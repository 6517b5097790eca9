// Influx line protocol: the body Telegraf (and anything else that writes to
// InfluxDB) pushes, parsed into points. The grammar and escapes are the
// ones the InfluxDB line protocol reference documents, which InfluxData's
// parser (line-protocol v2, lineprotocol/decoder.go) implements:
//
//   measurement[,tag_key=tag_value...] field_key=field_value[,...] [timestamp]
//
// - Lines end in "\n" or "\r\n". Blank lines (spaces only) and comments (a
//   line whose first non-space byte is '#') are skipped. Spaces may lead a
//   line, one or more spaces separate its sections, spaces may trail it.
// - Escapes: a backslash drops out before the bytes each element escapes
//   (measurement: comma, space; tag key, tag value, field key: comma, equals
//   sign, space; string field: double quote, backslash, and n, r, t for
//   newline, carriage return, tab). Before any other byte a backslash is
//   kept as is, so `a\\,b` is the tag value `a\,b` ("the last backslash"
//   escapes).
// - Field values: floats (`1`, `-1.5`, `.5`, `1.`, `1e9`, `2.5E-3`),
//   integers (`-12i`), unsigned (`12u`), strings (`"text"`, which may span
//   lines), booleans (t T true True TRUE, f F false False FALSE).
// - The timestamp is an integer in the precision the caller names (ns by
//   default); without one the point has no time and the caller decides
//   (InfluxDB uses its clock).
// - Names, keys and values must be valid UTF-8 without control bytes; tag
//   values and keys may not be empty.
//
// A body parses completely or not at all: the result is every point, or the
// first error with its line, column and what is wrong.
//
// Speed: names, keys and strings are string_views into the body, except
// those that held escapes: their unescaped bytes live in the batch. No
// allocation happens per byte or per point; the batch's arrays grow
// amortized and can be reused across bodies.
//
// Ownership: a PointBatch views the body it was parsed from; the body must
// outlive it. Thread-safety: none; a PointBatch is owned by one thread.
#ifndef RUNNEL_HOST_PUSH_LINE_PROTOCOL_H_
#define RUNNEL_HOST_PUSH_LINE_PROTOCOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "push/precision.h"

namespace runnel::host {

enum class ValueType { kFloat, kInteger, kUnsigned, kString, kBoolean };

// One field value; the member named by `type` holds it.
struct FieldValue {
  ValueType type = ValueType::kFloat;
  double float_value = 0;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  bool bool_value = false;
  std::string_view string_value;
};

struct Tag {
  std::string_view key;
  std::string_view value;
};

struct PointField {
  std::string_view key;
  FieldValue value;
};

// One line's point. Tags and fields are in line order, duplicates included
// (the converter keeps the last, as Grafana's parser does).
struct Point {
  std::string_view measurement;
  uint32_t tags_begin = 0;
  uint32_t tags_size = 0;
  uint32_t fields_begin = 0;
  uint32_t fields_size = 0;
  std::optional<int64_t> unix_nanos;  // nullopt: the line had no timestamp
};

class PointBatch {
 public:
  PointBatch() = default;
  PointBatch(PointBatch&&) = default;
  PointBatch& operator=(PointBatch&&) = default;

  std::span<const Point> points() const { return points_; }
  std::span<const Tag> tags(const Point& point) const {
    return std::span<const Tag>(tags_).subspan(point.tags_begin,
                                               point.tags_size);
  }
  std::span<const PointField> fields(const Point& point) const {
    return std::span<const PointField>(fields_).subspan(point.fields_begin,
                                                        point.fields_size);
  }
  // Forgets the points and keeps the arrays' capacity.
  void Clear();
  // Bytes the arrays hold, used or not: what keeping the batch for the
  // next body costs.
  size_t capacity_bytes() const;

 private:
  friend class LineParser;

  std::vector<Point> points_;
  std::vector<Tag> tags_;
  std::vector<PointField> fields_;
  // Unescaped text. Sized to the body on the first escape and never
  // reallocated (unescaping only shortens), so views into it stay valid;
  // a heap block, so moving the batch keeps them valid too.
  std::unique_ptr<char[]> unescaped_;
  size_t unescaped_capacity_ = 0;
  size_t unescaped_size_ = 0;
};

// Explicit bounds on what one body may produce, so a hostile body costs
// memory in proportion to these and not more. Defaults suit Telegraf's
// batches (metric_batch_size 1000) with ample room.
struct ParseLimits {
  size_t max_body_bytes = 16 << 20;
  size_t max_points = 100'000;
  size_t max_tags_per_point = 256;
  size_t max_fields_per_point = 1'024;
  // InfluxDB's documented limit on a string field ("Length limit 64KB").
  size_t max_string_bytes = 64 << 10;
};

struct ParseOptions {
  Precision precision = Precision::kNanoseconds;
  ParseLimits limits;
};

struct ParseError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
  std::string message;

  // "line 3, column 7: <message>"
  std::string ToString() const;
};

// Parses `body` into `out` (cleared first). Returns nullopt on success; on
// an error `out` is left empty and the first error is returned.
std::optional<ParseError> ParseLineProtocol(std::string_view body,
                                            const ParseOptions& options,
                                            PointBatch& out);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_LINE_PROTOCOL_H_
