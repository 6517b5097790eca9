// Fuzz target for the frame JSON writer and its JSON checker/minifier:
// - a frame built from the input bytes (names, labels, values, and slices of
//   the input as meta and config text) always encodes to valid JSON with no
//   raw control character;
// - AppendMinifiedJSON accepts exactly the JSON nlohmann accepts (within its
//   nesting limit), and what it writes parses to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "json_escape.h"
#include "runnel/frame.h"
#include "runnel/frame_json.h"

namespace {

using nlohmann::json;

// Printable ASCII as is, other bytes as \xNN.
std::string Show(std::string_view bytes) {
  std::string shown;
  for (char c : bytes) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      shown.push_back(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      shown += hex;
    }
  }
  return shown;
}

void Check(bool ok, const char* what, std::string_view input,
           std::string_view output = {}) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_frame_json: %s\ninput:  %s\noutput: %s\n", what,
               Show(input).c_str(), Show(output).c_str());
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
  std::string Text() {
    size_t n = Byte() % 8;
    std::string s(in_.substr(std::min(pos_, in_.size()), n));
    pos_ += n;
    return s;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

void CheckFrame(std::string_view input) {
  Bytes bytes(input);
  runnel::Frame frame(bytes.Text());
  frame.set_ref_id(bytes.Text());
  uint8_t flags = bytes.Byte();
  if (flags & 1) frame.set_meta_json(std::string(input));
  size_t fields = bytes.Byte() % 5;
  for (size_t i = 0; i < fields; ++i) {
    uint8_t b = bytes.Byte();
    runnel::Field& f =
        frame.AddField(bytes.Text(), static_cast<runnel::FieldType>(b % 15),
                       (b & 8) != 0, {{bytes.Text(), bytes.Text()}});
    if (flags & 2) f.set_config_json(std::string(input));
  }
  size_t rows = bytes.Byte() % 5;
  for (size_t r = 0; r < rows; ++r) {
    for (runnel::Field& f : frame.fields()) {
      if (f.nullable() && bytes.Byte() % 4 == 0) {
        f.AppendNull();
        continue;
      }
      uint64_t w = bytes.Word();
      switch (f.type()) {
        case runnel::FieldType::kTime:
          f.AppendTime(runnel::Timestamp{static_cast<int64_t>(w)});
          break;
        case runnel::FieldType::kFloat64: {
          double d;
          std::memcpy(&d, &w, sizeof d);
          f.AppendFloat64(d);
          break;
        }
        case runnel::FieldType::kInt64:
          f.AppendInt64(static_cast<int64_t>(w));
          break;
        case runnel::FieldType::kString:
          f.AppendString(bytes.Text());
          break;
        case runnel::FieldType::kBool:
          f.AppendBool(w & 1);
          break;
        case runnel::FieldType::kInt8:
          f.AppendInt8(static_cast<int8_t>(w));
          break;
        case runnel::FieldType::kInt16:
          f.AppendInt16(static_cast<int16_t>(w));
          break;
        case runnel::FieldType::kInt32:
          f.AppendInt32(static_cast<int32_t>(w));
          break;
        case runnel::FieldType::kUint8:
          f.AppendUint8(static_cast<uint8_t>(w));
          break;
        case runnel::FieldType::kUint16:
          f.AppendUint16(static_cast<uint16_t>(w));
          break;
        case runnel::FieldType::kUint32:
          f.AppendUint32(static_cast<uint32_t>(w));
          break;
        case runnel::FieldType::kUint64:
          f.AppendUint64(w);
          break;
        case runnel::FieldType::kFloat32: {
          float v;
          std::memcpy(&v, &w, sizeof v);
          f.AppendFloat32(v);
          break;
        }
        case runnel::FieldType::kJSON:
          f.AppendJSON(bytes.Text());  // often not JSON: written as null
          break;
        case runnel::FieldType::kEnum:
          f.AppendEnum(static_cast<uint16_t>(w));
          break;
      }
    }
  }
  std::string out;
  runnel::AppendFrameJSON(frame, runnel::FrameInclude::kAll, out);
  for (char c : out)
    Check(static_cast<unsigned char>(c) >= 0x20, "raw control byte", input,
          out);
  Check(json::accept(out), "frame JSON does not parse", input, out);
}

void CheckMinifier(std::string_view input) {
  std::string out;
  bool ours = runnel::internal::AppendMinifiedJSON(input, out);
  size_t brackets = 0;
  for (char c : input) brackets += c == '[' || c == '{';
  // nlohmann also stops at a NUL byte and has no nesting limit; elsewhere
  // both must agree.
  bool comparable =
      brackets <= 256 && input.find('\0') == std::string_view::npos;
  if (comparable) {
    Check(ours == json::accept(input), "accepts differently", input, out);
  }
  if (!ours) {
    Check(out.empty(), "output left after rejection", input, out);
    return;
  }
  Check(json::parse(out) == json::parse(input), "minified value differs", input,
        out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckFrame(input);
  CheckMinifier(input);
  return 0;
}
