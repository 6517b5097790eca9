// Fuzz target: line protocol parsing never crashes; an accepted body keeps
// the parser's promises (named, UTF-8 elements; at least one field), prints
// back to line protocol that parses to the same points, and converts to
// frames of equal-length columns in both formats; a refused body leaves no
// points and names a line and column inside it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "live/utf8.h"
#include "point_text.h"
#include "push/line_protocol.h"
#include "push/telegraf_frames.h"
#include "runnel/frame_json.h"

namespace runnel::host {
namespace {

void Require(bool ok, const char* what, std::string_view body) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_line_protocol: %s for a body of %zu bytes: %.*s\n",
               what, body.size(), static_cast<int>(body.size()), body.data());
  std::abort();
}

// Backslash before each byte the element escapes. A parsed element never
// ends in a backslash, so the printed escape cannot swallow a separator.
void AppendEscaped(std::string& out, std::string_view text,
                   std::string_view escaped) {
  for (char c : text) {
    if (escaped.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
}

void AppendValue(std::string& out, const FieldValue& value) {
  if (value.type == ValueType::kString) {
    out += '"';
    AppendEscaped(out, value.string_value, "\"\\");
    out += '"';
    return;
  }
  // The test text of a value is "type:value"; the value part is valid line
  // protocol once the integer suffixes are added.
  std::string text = push_test::ValueText(value).substr(2);
  if (value.type == ValueType::kInteger) text += 'i';
  if (value.type == ValueType::kUnsigned) text += 'u';
  out += text;
}

std::string Print(const PointBatch& batch) {
  std::string out;
  for (const Point& point : batch.points()) {
    AppendEscaped(out, point.measurement, ", ");
    for (const Tag& tag : batch.tags(point)) {
      out += ',';
      AppendEscaped(out, tag.key, ",= ");
      out += '=';
      AppendEscaped(out, tag.value, ",= ");
    }
    char separator = ' ';
    for (const PointField& field : batch.fields(point)) {
      out += separator;
      AppendEscaped(out, field.key, ",= ");
      out += '=';
      AppendValue(out, field.value);
      separator = ',';
    }
    if (point.unix_nanos) out += ' ' + std::to_string(*point.unix_nanos);
    out += '\n';
  }
  return out;
}

bool IsName(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<uint8_t>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return !text.empty() && IsValidUtf8(text);
}

void CheckPoints(const PointBatch& batch, std::string_view body) {
  for (const Point& point : batch.points()) {
    Require(IsName(point.measurement), "bad measurement", body);
    Require(point.fields_size >= 1, "point without fields", body);
    for (const Tag& tag : batch.tags(point)) {
      Require(IsName(tag.key) && IsName(tag.value), "bad tag", body);
    }
    for (const PointField& field : batch.fields(point)) {
      Require(IsName(field.key), "bad field key", body);
      Require(IsValidUtf8(field.value.string_value), "bad string", body);
    }
  }
}

void CheckFrames(const PointBatch& batch, std::string_view body) {
  ConvertLimits limits;
  limits.max_cells = 1 << 16;
  for (FrameFormat format : {FrameFormat::kLabelsColumn, FrameFormat::kWide}) {
    std::vector<MeasurementFrame> frames;
    if (!ConvertPoints(batch, format, Timestamp{0}, limits, frames).ok()) {
      Require(frames.empty(), "frames after a refusal", body);
      continue;
    }
    for (const MeasurementFrame& frame : frames) {
      Require(frame.key == frame.frame.name(), "key is not the name", body);
      for (const Field& field : frame.frame.fields()) {
        Require(field.size() == frame.frame.rows(), "ragged frame", body);
      }
      Require(!FrameToJSON(frame.frame, FrameInclude::kAll).empty(), "no JSON",
              body);
    }
  }
}

void Check(std::string_view body) {
  ParseOptions options;
  options.limits.max_points = 1000;
  PointBatch batch;
  std::optional<ParseError> error = ParseLineProtocol(body, options, batch);
  if (error) {
    Require(batch.points().empty(), "points after an error", body);
    size_t lines = 1;
    for (char c : body) lines += c == '\n';
    Require(error->line >= 1 && static_cast<size_t>(error->line) <= lines,
            "error line outside the body", body);
    Require(error->column >= 1 && !error->message.empty(), "bad error", body);
    return;
  }
  CheckPoints(batch, body);
  std::string printed = Print(batch);
  PointBatch again;
  Require(!ParseLineProtocol(printed, options, again), "printed body refused",
          printed);
  Require(push_test::PointsText(again) == push_test::PointsText(batch),
          "round trip changed the points", body);
  CheckFrames(batch, body);
}

}  // namespace
}  // namespace runnel::host

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  runnel::host::Check(input);
  // The same bytes as a tag value and as a field value too, so that random
  // inputs also reach the parts of a line behind a measurement.
  runnel::host::Check("m,t=" + std::string(input) + " f=1");
  runnel::host::Check("m f=" + std::string(input) + " 1");
  return 0;
}
