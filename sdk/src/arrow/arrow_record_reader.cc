// Arrow record batch body -> Frame rows (arrow_record.h): data/arrow.go
// parseColumn, with every node, buffer and offset checked against the body
// first, since the bytes come from another process.
#include <bit>
#include <cstring>
#include <string>
#include <string_view>

#include "arrow_file.h"
#include "arrow_record.h"

namespace runnel::internal {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the Arrow decoder supports little-endian hosts only");

Status Invalid(const std::string& what) {
  return Status::InvalidArgument("Arrow record batch: " + what);
}

// Hands out the batch's buffers in order, each checked to lie in the body.
class BufferReader {
 public:
  BufferReader(const arrowfb::RecordBatch& batch, std::string_view body)
      : buffers_(batch.buffers()), body_(body) {}

  Status Next(std::string_view* bytes) {
    if (buffers_ == nullptr || next_ >= buffers_->size()) {
      return Invalid("fewer buffers than its fields need");
    }
    const arrowfb::Buffer b = CopyStruct(buffers_->Get(next_++));
    const int64_t offset = b.offset(), length = b.length();
    if (offset < 0 || length < 0 ||
        static_cast<uint64_t>(offset) > body_.size() ||
        static_cast<uint64_t>(length) > body_.size() - offset) {
      return Invalid("buffer " + std::to_string(next_ - 1) +
                     " lies outside the body");
    }
    *bytes = body_.substr(offset, length);
    return Status::Ok();
  }

 private:
  const flatbuffers::Vector<const arrowfb::Buffer*>* buffers_;
  std::string_view body_;
  flatbuffers::uoffset_t next_ = 0;
};

// One column being decoded: its rows, validity and byte budget.
struct Column {
  Field* field;
  const ArrowColumn* arrow;
  size_t rows;
  int64_t nulls;
  std::string_view validity;
  uint64_t* budget;

  Status Charge(uint64_t bytes) const {
    if (bytes > *budget) return Invalid("buffers overlap or exceed the file");
    *budget -= bytes;
    return Status::Ok();
  }
  static bool Bit(std::string_view bitmap, size_t row) {
    return (static_cast<unsigned char>(bitmap[row / 8]) >> (row % 8)) & 1;
  }
  // A row is null only in a nullable field (as in Go, a non-nullable
  // field's values are read whatever the bitmap says).
  bool IsNull(size_t row) const {
    return nulls > 0 && field->nullable() && !Bit(validity, row);
  }
};

template <class T, class Append>
Status DecodeFixed(const Column& c, std::string_view values, Append append) {
  if (values.size() / sizeof(T) < c.rows) return Invalid("values too short");
  Status status = c.Charge(c.rows * sizeof(T));
  if (!status.ok()) return status;
  for (size_t row = 0; row < c.rows; ++row) {
    if (c.IsNull(row)) {
      c.field->AppendNull();
      continue;
    }
    T value;
    std::memcpy(&value, values.data() + row * sizeof(T), sizeof(T));
    status = append(value);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

// Wraps a void append for DecodeFixed.
template <class F>
auto Always(F f) {
  return [f](auto v) {
    f(v);
    return Status::Ok();
  };
}

Status DecodeTime(const Column& c, std::string_view values) {
  const int64_t unit = c.arrow->nanos_per_unit;
  return DecodeFixed<int64_t>(c, values, [&](int64_t v) {
    int64_t nanos;
    if (__builtin_mul_overflow(v, unit, &nanos)) {
      return Invalid("timestamp out of the nanosecond range");
    }
    c.field->AppendTime(Timestamp{nanos});
    return Status::Ok();
  });
}

Status DecodeBool(const Column& c, std::string_view values) {
  const size_t bytes = (c.rows + 7) / 8;
  if (values.size() < bytes) return Invalid("bool values too short");
  Status status = c.Charge(bytes);
  if (!status.ok()) return status;
  for (size_t row = 0; row < c.rows; ++row) {
    if (c.IsNull(row)) {
      c.field->AppendNull();
    } else {
      c.field->AppendBool(Column::Bit(values, row));
    }
  }
  return Status::Ok();
}

// Utf8/Binary: offsets must start in the data, never decrease, and end
// within it.
Status DecodeText(const Column& c, std::string_view offsets,
                  std::string_view data) {
  if (offsets.size() / 4 < c.rows + 1) return Invalid("offsets too short");
  const auto at = [&](size_t i) {
    int32_t v;
    std::memcpy(&v, offsets.data() + i * 4, 4);
    return v;
  };
  for (size_t i = 0; i < c.rows; ++i) {
    if (at(i) < 0 || at(i) > at(i + 1)) return Invalid("offsets not ordered");
  }
  if (static_cast<uint64_t>(at(c.rows)) > data.size()) {
    return Invalid("offsets past the data");
  }
  Status status = c.Charge((c.rows + 1) * 4 + (at(c.rows) - at(0)));
  if (!status.ok()) return status;
  const bool is_json = c.field->type() == FieldType::kJSON;
  for (size_t row = 0; row < c.rows; ++row) {
    if (c.IsNull(row)) {
      c.field->AppendNull();
      continue;
    }
    std::string text(data.substr(at(row), at(row + 1) - at(row)));
    is_json ? c.field->AppendJSON(std::move(text))
            : c.field->AppendString(std::move(text));
  }
  return Status::Ok();
}

Status DecodeValues(const Column& c, BufferReader& buffers) {
  std::string_view values;
  Status status = buffers.Next(&values);
  if (!status.ok()) return status;
  Field& f = *c.field;
  switch (f.type()) {
    case FieldType::kTime:
      return DecodeTime(c, values);
    case FieldType::kInt64:
      return DecodeFixed<int64_t>(c, values,
                                  Always([&](int64_t v) { f.AppendInt64(v); }));
    case FieldType::kInt8:
      return DecodeFixed<int8_t>(c, values,
                                 Always([&](int8_t v) { f.AppendInt8(v); }));
    case FieldType::kInt16:
      return DecodeFixed<int16_t>(c, values,
                                  Always([&](int16_t v) { f.AppendInt16(v); }));
    case FieldType::kInt32:
      return DecodeFixed<int32_t>(c, values,
                                  Always([&](int32_t v) { f.AppendInt32(v); }));
    case FieldType::kUint8:
      return DecodeFixed<uint8_t>(c, values,
                                  Always([&](uint8_t v) { f.AppendUint8(v); }));
    case FieldType::kUint16:
      return DecodeFixed<uint16_t>(
          c, values, Always([&](uint16_t v) { f.AppendUint16(v); }));
    case FieldType::kEnum:
      return DecodeFixed<uint16_t>(
          c, values, Always([&](uint16_t v) { f.AppendEnum(v); }));
    case FieldType::kUint32:
      return DecodeFixed<uint32_t>(
          c, values, Always([&](uint32_t v) { f.AppendUint32(v); }));
    case FieldType::kUint64:
      return DecodeFixed<uint64_t>(
          c, values, Always([&](uint64_t v) { f.AppendUint64(v); }));
    case FieldType::kFloat32:
      return DecodeFixed<float>(c, values,
                                Always([&](float v) { f.AppendFloat32(v); }));
    case FieldType::kFloat64:
      return DecodeFixed<double>(c, values,
                                 Always([&](double v) { f.AppendFloat64(v); }));
    case FieldType::kBool:
      return DecodeBool(c, values);
    case FieldType::kString:
    case FieldType::kJSON: {
      std::string_view data;
      status = buffers.Next(&data);
      if (!status.ok()) return status;
      return DecodeText(c, values, data);
    }
  }
  return Invalid("unknown field type");
}

Status DecodeColumn(const arrowfb::FieldNode& node, int64_t length,
                    BufferReader& buffers, Column& c) {
  if (node.length() != length) return Invalid("a field's length differs");
  if (node.null_count() < 0 || node.null_count() > length) {
    return Invalid("null count out of range");
  }
  c.nulls = node.null_count();
  Status status = buffers.Next(&c.validity);
  if (!status.ok()) return status;
  if (c.nulls > 0) {
    if (c.validity.size() < (c.rows + 7) / 8) {
      return Invalid("validity bitmap too short");
    }
    status = c.Charge((c.rows + 7) / 8);
    if (!status.ok()) return status;
  }
  return DecodeValues(c, buffers);
}

}  // namespace

Status DecodeRecord(const arrowfb::RecordBatch& batch, std::string_view body,
                    const std::vector<ArrowColumn>& columns,
                    uint64_t* byte_budget, Frame* frame) {
  if (batch.compression() != nullptr) {
    return Invalid("compressed bodies are not supported");
  }
  const int64_t length = batch.length();
  // Every supported type spends at least one bit of the body per row, so a
  // longer batch cannot be real; this also keeps row arithmetic far from
  // overflow.
  if (length < 0 || static_cast<uint64_t>(length) > body.size() * 8) {
    return Invalid("length " + std::to_string(length) + " does not fit its " +
                   std::to_string(body.size()) + "-byte body");
  }
  const auto* nodes = batch.nodes();
  const size_t fields = frame->fields().size();
  if (nodes == nullptr ? fields != 0 : nodes->size() != fields) {
    return Invalid("node count differs from the schema's field count");
  }
  BufferReader buffers(batch, body);
  for (size_t i = 0; i < fields; ++i) {
    Column column{
        &frame->fields()[i], &columns[i], static_cast<size_t>(length), 0, {},
        byte_budget};
    Status status =
        DecodeColumn(CopyStruct(nodes->Get(i)), length, buffers, column);
    if (!status.ok()) {
      return Status::InvalidArgument("field " + std::to_string(i) + ": " +
                                     status.message());
    }
  }
  return Status::Ok();
}

}  // namespace runnel::internal
