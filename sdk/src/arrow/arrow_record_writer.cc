// Frame rows -> Arrow record batch body (arrow_record.h), laid out as
// arrow-go's ipc recordEncoder lays it out (arrow/ipc/writer.go): per column
// a validity buffer (length 0 when there is no null), then the values; every
// buffer padded to 8 bytes.
#include <bit>
#include <cstring>
#include <limits>
#include <string>

#include "arrow_record.h"

namespace runnel::internal {
namespace {

// Arrow IPC buffers are little-endian; values are copied in host order.
static_assert(std::endian::native == std::endian::little,
              "the Arrow encoder supports little-endian hosts only");

// Appends buffers to the body and records where each is.
class BodyWriter {
 public:
  explicit BodyWriter(EncodedRecord* out) : out_(out) {}

  std::string& body() { return out_->body; }
  size_t Begin() const { return out_->body.size(); }
  // Ends the buffer that started at `start` and pads the body to 8 bytes.
  void End(size_t start) {
    const size_t length = out_->body.size() - start;
    out_->buffers.emplace_back(static_cast<int64_t>(start),
                               static_cast<int64_t>(length));
    out_->body.append((8 - out_->body.size() % 8) % 8, '\0');
  }

 private:
  EncodedRecord* out_;
};

// LSB-first bitmap of rows, Arrow's bit order.
template <class Bit>
void AppendBitmap(size_t rows, Bit bit, std::string& body) {
  const size_t first = body.size();
  body.append((rows + 7) / 8, '\0');
  for (size_t row = 0; row < rows; ++row) {
    if (bit(row)) body[first + row / 8] |= static_cast<char>(1 << (row % 8));
  }
}

template <class T, class Get>
void WriteFixed(size_t rows, Get get, BodyWriter& w) {
  const size_t start = w.Begin();
  for (size_t row = 0; row < rows; ++row) {
    T value = get(row);
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    w.body().append(bytes, sizeof(T));
  }
  w.End(start);
}

const std::string& TextAt(const Field& field, size_t row) {
  return field.type() == FieldType::kJSON ? field.JSONAt(row)
                                          : field.StringAt(row);
}

// Utf8/Binary: int32 offsets (rows + 1), then the bytes. Null rows are
// stored empty, so they add nothing.
Status WriteText(const Field& field, size_t rows, BodyWriter& w) {
  size_t total = 0;
  for (size_t row = 0; row < rows; ++row) total += TextAt(field, row).size();
  if (total > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument("field \"" + field.name() +
                                   "\" holds more than 2 GiB of text, over "
                                   "Arrow's 32-bit offsets");
  }
  int32_t offset = 0;
  WriteFixed<int32_t>(
      rows + 1,
      [&](size_t i) {
        if (i > 0) offset += static_cast<int32_t>(TextAt(field, i - 1).size());
        return offset;
      },
      w);
  const size_t start = w.Begin();
  for (size_t row = 0; row < rows; ++row) w.body().append(TextAt(field, row));
  w.End(start);
  return Status::Ok();
}

Status WriteValues(const Field& f, size_t rows, BodyWriter& w) {
  switch (f.type()) {
    case FieldType::kTime:
      WriteFixed<int64_t>(
          rows, [&](size_t r) { return f.TimeAt(r).unix_nanos; }, w);
      break;
    case FieldType::kInt64:
      WriteFixed<int64_t>(
          rows, [&](size_t r) { return f.Int64At(r); }, w);
      break;
    case FieldType::kInt8:
      WriteFixed<int8_t>(
          rows, [&](size_t r) { return f.Int8At(r); }, w);
      break;
    case FieldType::kInt16:
      WriteFixed<int16_t>(
          rows, [&](size_t r) { return f.Int16At(r); }, w);
      break;
    case FieldType::kInt32:
      WriteFixed<int32_t>(
          rows, [&](size_t r) { return f.Int32At(r); }, w);
      break;
    case FieldType::kUint8:
      WriteFixed<uint8_t>(
          rows, [&](size_t r) { return f.Uint8At(r); }, w);
      break;
    case FieldType::kUint16:
      WriteFixed<uint16_t>(
          rows, [&](size_t r) { return f.Uint16At(r); }, w);
      break;
    case FieldType::kEnum:
      WriteFixed<uint16_t>(
          rows, [&](size_t r) { return f.EnumAt(r); }, w);
      break;
    case FieldType::kUint32:
      WriteFixed<uint32_t>(
          rows, [&](size_t r) { return f.Uint32At(r); }, w);
      break;
    case FieldType::kUint64:
      WriteFixed<uint64_t>(
          rows, [&](size_t r) { return f.Uint64At(r); }, w);
      break;
    case FieldType::kFloat32:
      WriteFixed<float>(
          rows, [&](size_t r) { return f.Float32At(r); }, w);
      break;
    case FieldType::kFloat64:
      WriteFixed<double>(
          rows, [&](size_t r) { return f.Float64At(r); }, w);
      break;
    case FieldType::kBool: {
      const size_t start = w.Begin();
      AppendBitmap(
          rows, [&](size_t r) { return f.BoolAt(r); }, w.body());
      w.End(start);
      break;
    }
    case FieldType::kString:
    case FieldType::kJSON:
      return WriteText(f, rows, w);
  }
  return Status::Ok();
}

}  // namespace

Status EncodeRecord(const Frame& frame, size_t rows, EncodedRecord* out) {
  *out = EncodedRecord{};
  out->length = static_cast<int64_t>(rows);
  BodyWriter writer(out);
  for (const Field& field : frame.fields()) {
    size_t nulls = 0;
    for (size_t row = 0; row < rows; ++row) nulls += field.IsNull(row);
    out->nodes.emplace_back(static_cast<int64_t>(rows),
                            static_cast<int64_t>(nulls));
    const size_t validity = writer.Begin();
    if (nulls > 0) {
      AppendBitmap(
          rows, [&](size_t r) { return !field.IsNull(r); }, writer.body());
    }
    writer.End(validity);
    Status status = WriteValues(field, rows, writer);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace runnel::internal
