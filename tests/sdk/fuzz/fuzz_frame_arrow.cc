// Fuzz target for the Arrow reader (FrameFromArrow), which decodes what
// another plugin process sends:
// - the input itself, read as an Arrow file, decodes or is refused;
// - a valid file (a frame built from the input, encoded by FrameToArrow)
//   with bytes overwritten at input-chosen places decodes or is refused, so
//   even the GCC driver's random inputs reach past the magic and the
//   flatbuffer verifier into the record batch checks;
// - whatever decodes encodes again and decodes to the same rows.
// A crash, sanitizer report or broken round trip aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "runnel/frame.h"
#include "runnel/frame_arrow.h"

namespace {

using runnel::Field;
using runnel::FieldType;
using runnel::Frame;

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_frame_arrow: %s\n", what);
  std::abort();
}

// Reads the input as a recipe; past the end it yields zeros.
class Bytes {
 public:
  explicit Bytes(std::string_view in) : in_(in) {}
  uint8_t Byte() { return pos_ < in_.size() ? in_[pos_++] : 0; }
  uint64_t Word() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | Byte();
    return v;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// A value of the field's type made from one input word.
Field::Value ValueOf(FieldType type, uint64_t w) {
  switch (type) {
    case FieldType::kTime:
      return runnel::Timestamp{static_cast<int64_t>(w)};
    case FieldType::kFloat64:
      return static_cast<double>(static_cast<int64_t>(w)) / 7;
    case FieldType::kFloat32:
      return static_cast<float>(static_cast<int32_t>(w)) / 7;
    case FieldType::kInt64:
      return static_cast<int64_t>(w);
    case FieldType::kString:
      return std::string(w % 5, static_cast<char>(w >> 8));
    case FieldType::kJSON:
      return runnel::RawJSON{std::to_string(w)};
    case FieldType::kBool:
      return (w & 1) != 0;
    case FieldType::kInt8:
      return static_cast<int8_t>(w);
    case FieldType::kInt16:
      return static_cast<int16_t>(w);
    case FieldType::kInt32:
      return static_cast<int32_t>(w);
    case FieldType::kUint8:
      return static_cast<uint8_t>(w);
    case FieldType::kUint16:
      return static_cast<uint16_t>(w);
    case FieldType::kUint32:
      return static_cast<uint32_t>(w);
    case FieldType::kUint64:
      return w;
    case FieldType::kEnum:
      return runnel::EnumIndex{static_cast<uint16_t>(w)};
  }
  return {};
}

Frame BuildFrame(Bytes& in) {
  Frame frame("f");
  const int fields = in.Byte() % 5;
  const int rows = in.Byte() % 6;
  for (int i = 0; i < fields; ++i) {
    const auto type = static_cast<FieldType>(in.Byte() % 15);
    Field& f = frame.AddField("x", type, in.Byte() & 1, {{"k", "v"}});
    for (int r = 0; r < rows; ++r) {
      const uint64_t w = in.Word();
      if (f.nullable() && (w & 0x10)) {
        f.AppendNull();
      } else {
        f.Append(ValueOf(type, w));
      }
    }
  }
  return frame;
}

void CheckRoundTrip(const Frame& frame) {
  std::string again;
  Check(runnel::FrameToArrow(frame, &again).ok(), "decoded frame re-encodes");
  Frame back;
  Check(runnel::FrameFromArrow(again, &back).ok(), "re-encoded decodes");
  Check(back.fields().size() == frame.fields().size(), "same field count");
  for (size_t i = 0; i < frame.fields().size(); ++i) {
    const Field& a = frame.fields()[i];
    const Field& b = back.fields()[i];
    Check(a.type() == b.type() && a.size() == b.size(), "same column");
    for (size_t r = 0; r < a.size(); ++r) {
      // NaN never equals itself, so floats are compared by nullness only.
      const bool is_float =
          a.type() == FieldType::kFloat64 || a.type() == FieldType::kFloat32;
      Check(
          is_float ? a.IsNull(r) == b.IsNull(r) : a.ValueAt(r) == b.ValueAt(r),
          "same value");
    }
  }
}

void Decode(std::string_view bytes) {
  Frame frame;
  if (runnel::FrameFromArrow(bytes, &frame).ok()) CheckRoundTrip(frame);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Decode(input);
  Bytes in(input);
  // The whole frame is built first, so all bytes used for values are taken
  // before the ones that pick the corruptions.
  const Frame frame = BuildFrame(in);
  std::string file;
  Check(runnel::FrameToArrow(frame, &file).ok(), "built frame encodes");
  Frame clean;
  Check(runnel::FrameFromArrow(file, &clean).ok(), "own file decodes");
  const int flips = 1 + in.Byte() % 4;
  for (int i = 0; i < flips && !file.empty(); ++i) {
    const uint64_t w = in.Word();
    file[w % file.size()] = static_cast<char>(w >> 32);
  }
  Decode(file);
  return 0;
}
