// Frame JSON encoder (grafana-plugin-sdk-go data/frame_json.go;
// docs/plugin-protocol.md#frame-json). Hot path: everything appends straight
// into the caller's buffer; no value is boxed, no temporary string is built per
// value.
#include "runnel/frame_json.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <string_view>

#include "field_type_names.h"
#include "frame_meta_json.h"
#include "json_escape.h"
#include "runnel/log.h"

namespace runnel {
namespace {

using internal::AppendJSONFloat32;
using internal::AppendJSONFloat64;
using internal::AppendJSONInt64;
using internal::AppendJSONString;
using internal::AppendJSONUint64;

constexpr int64_t kNanosPerMilli = 1'000'000;

// Epoch milliseconds, rounded down as Go's time.UnixMilli does.
int64_t FloorMillis(int64_t unix_nanos) {
  int64_t ms = unix_nanos / kNanosPerMilli;
  if (unix_nanos % kNanosPerMilli < 0) --ms;
  return ms;
}

// Nanoseconds past the millisecond, 0..999999.
int64_t SubMilliNanos(int64_t unix_nanos) {
  int64_t rest = unix_nanos % kNanosPerMilli;
  return rest < 0 ? rest + kNanosPerMilli : rest;
}

bool IsFloat(FieldType type) {
  return type == FieldType::kFloat64 || type == FieldType::kFloat32;
}

// A float row as a double (float32 widens exactly).
double FloatAt(const Field& field, size_t row) {
  return field.type() == FieldType::kFloat32 ? field.Float32At(row)
                                             : field.Float64At(row);
}

// Warns once per process and kind; the encoder has no error channel and a
// per-frame warning would flood the log.
void WarnOnce(std::atomic<bool>& warned, std::string_view message) {
  if (!warned.exchange(true)) log::Warn(message);
}

std::atomic<bool> g_warned_meta{false};
std::atomic<bool> g_warned_config{false};

// ,"labels":{...} of a field, when it has labels.
void AppendLabels(const Labels& labels, std::string& out) {
  if (labels.empty()) return;
  out.append(",\"labels\":{");
  bool first_label = true;
  for (const auto& [key, value] : labels) {
    if (!first_label) out.push_back(',');
    first_label = false;
    AppendJSONString(key, out);
    out.push_back(':');
    AppendJSONString(value, out);
  }
  out.push_back('}');
}

// ,"config":{...} of a field, minified; left out (with a warning) when it
// is not a valid JSON object.
void AppendFieldConfig(std::string_view config_json, std::string& out) {
  if (config_json.empty()) return;
  constexpr std::string_view kConfigKey = ",\"config\":";
  size_t mark = out.size();
  out.append(kConfigKey);
  if (!internal::AppendMinifiedJSON(config_json, out) ||
      out[mark + kConfigKey.size()] != '{') {
    out.resize(mark);
    WarnOnce(g_warned_config,
             "field config is not a valid JSON object; it is left out of "
             "the frame JSON");
  }
}

// One field's schema: name, type, typeInfo, labels, config.
void AppendFieldSchema(const Field& field, std::string& out) {
  out.push_back('{');
  if (!field.name().empty()) {
    out.append("\"name\":");
    AppendJSONString(field.name(), out);
    out.push_back(',');
  }
  out.append("\"type\":\"");
  out.append(internal::SimpleTypeName(field.type()));
  out.append("\",\"typeInfo\":{\"frame\":\"");
  out.append(internal::FrameTypeName(field.type()));
  out.append(field.nullable() ? "\",\"nullable\":true}" : "\"}");
  AppendLabels(field.labels(), out);
  AppendFieldConfig(field.config_json(), out);
  out.push_back('}');
}

void AppendSchema(const Frame& frame, std::string& out) {
  out.push_back('{');
  bool started = false;
  const auto next_key = [&](const char* key_with_colon) {
    if (started) out.push_back(',');
    out.append(key_with_colon);
    started = true;
  };
  if (!frame.name().empty()) {
    next_key("\"name\":");
    AppendJSONString(frame.name(), out);
  }
  if (!frame.ref_id().empty()) {
    next_key("\"refId\":");
    AppendJSONString(frame.ref_id(), out);
  }
  if (!frame.meta_json().empty()) {
    size_t mark = out.size();
    bool started_before = started;
    next_key("\"meta\":");
    if (!internal::AppendMetaJSON(frame.meta_json(), out)) {
      out.resize(mark);
      started = started_before;
      WarnOnce(g_warned_meta,
               "frame meta is not a valid JSON object; it is left out of the "
               "frame JSON");
    }
  }
  next_key("\"fields\":[");
  bool first_field = true;
  for (const Field& field : frame.fields()) {
    if (!first_field) out.push_back(',');
    first_field = false;
    AppendFieldSchema(field, out);
  }
  out.append("]}");
}

std::atomic<bool> g_warned_json_value{false};

// A JSON field's row, minified; null (with a warning) when it is not JSON.
void AppendRawJSON(std::string_view text, std::string& out) {
  if (internal::AppendMinifiedJSON(text, out)) return;
  out.append("null");
  WarnOnce(g_warned_json_value,
           "a JSON field value is not valid JSON; it is written as null");
}

// A finite float is written as a number; NaN and +-Inf as null, and the
// column then needs "entities".
void AppendFloat(const Field& field, size_t row, std::string& out,
                 bool& has_entities) {
  double v = FloatAt(field, row);
  if (!std::isfinite(v)) {
    out.append("null");
    has_entities = true;
  } else if (field.type() == FieldType::kFloat32) {
    AppendJSONFloat32(field.Float32At(row), out);
  } else {
    AppendJSONFloat64(v, out);
  }
}

// One non-null value of any type but time and floats.
void AppendPlainValue(const Field& field, size_t row, std::string& out) {
  switch (field.type()) {
    case FieldType::kString:
      AppendJSONString(field.StringAt(row), out);
      break;
    case FieldType::kBool:
      out.append(field.BoolAt(row) ? "true" : "false");
      break;
    case FieldType::kJSON:
      AppendRawJSON(field.JSONAt(row), out);
      break;
    case FieldType::kUint64:
      AppendJSONUint64(field.Uint64At(row), out);
      break;
    case FieldType::kInt64:
      AppendJSONInt64(field.Int64At(row), out);
      break;
    case FieldType::kInt8:
      AppendJSONInt64(field.Int8At(row), out);
      break;
    case FieldType::kInt16:
      AppendJSONInt64(field.Int16At(row), out);
      break;
    case FieldType::kInt32:
      AppendJSONInt64(field.Int32At(row), out);
      break;
    case FieldType::kUint8:
      AppendJSONInt64(field.Uint8At(row), out);
      break;
    case FieldType::kUint16:
      AppendJSONInt64(field.Uint16At(row), out);
      break;
    case FieldType::kUint32:
      AppendJSONInt64(field.Uint32At(row), out);
      break;
    case FieldType::kEnum:
      AppendJSONInt64(field.EnumAt(row), out);
      break;
    case FieldType::kTime:
    case FieldType::kFloat64:
    case FieldType::kFloat32:
      break;  // written by AppendValues itself
  }
}

// Writes one column's values; reports whether it needs "entities" (float
// NaN/Inf) or "nanos" (sub-millisecond times).
void AppendValues(const Field& field, std::string& out, bool& has_entities,
                  bool& has_nanos) {
  out.push_back('[');
  const size_t rows = field.size();
  const bool is_float = IsFloat(field.type());
  for (size_t row = 0; row < rows; ++row) {
    if (row > 0) out.push_back(',');
    if (field.IsNull(row)) {
      out.append("null");
    } else if (field.type() == FieldType::kTime) {
      int64_t ns = field.TimeAt(row).unix_nanos;
      AppendJSONInt64(FloorMillis(ns), out);
      if (SubMilliNanos(ns) != 0) has_nanos = true;
    } else if (is_float) {
      AppendFloat(field, row, out, has_entities);
    } else {
      AppendPlainValue(field, row, out);
    }
  }
  out.push_back(']');
}

enum class Entity { kNaN, kInf, kNegInf };

bool IsEntity(double v, Entity kind) {
  switch (kind) {
    case Entity::kNaN:
      return std::isnan(v);
    case Entity::kInf:
      return v == INFINITY;
    case Entity::kNegInf:
      return v == -INFINITY;
  }
  return false;
}

// {"NaN":[rows],"Inf":[rows],"NegInf":[rows]} with only the keys that
// occur, or null when the field has none.
void AppendEntities(const Field& field, std::string& out) {
  static constexpr std::pair<Entity, const char*> kKinds[] = {
      {Entity::kNaN, "\"NaN\":["},
      {Entity::kInf, "\"Inf\":["},
      {Entity::kNegInf, "\"NegInf\":["}};
  bool any = false;
  if (IsFloat(field.type())) {
    const size_t rows = field.size();
    for (const auto& [kind, key] : kKinds) {
      bool listed = false;
      for (size_t row = 0; row < rows; ++row) {
        if (field.IsNull(row) || !IsEntity(FloatAt(field, row), kind)) continue;
        if (!listed) {
          out.append(any ? "," : "{");
          out.append(key);
          any = listed = true;
        } else {
          out.push_back(',');
        }
        AppendJSONInt64(static_cast<int64_t>(row), out);
      }
      if (listed) out.push_back(']');
    }
  }
  out.append(any ? "}" : "null");
}

// The extra nanoseconds of every row of a time field that has any, else null.
void AppendNanos(const Field& field, std::string& out) {
  bool any = false;
  const size_t rows = field.size();
  if (field.type() == FieldType::kTime) {
    for (size_t row = 0; row < rows && !any; ++row)
      any = !field.IsNull(row) &&
            SubMilliNanos(field.TimeAt(row).unix_nanos) != 0;
  }
  if (!any) {
    out.append("null");
    return;
  }
  out.push_back('[');
  for (size_t row = 0; row < rows; ++row) {
    if (row > 0) out.push_back(',');
    int64_t extra =
        field.IsNull(row) ? 0 : SubMilliNanos(field.TimeAt(row).unix_nanos);
    AppendJSONInt64(extra, out);
  }
  out.push_back(']');
}

void AppendData(const Frame& frame, std::string& out) {
  out.append("{\"values\":[");
  bool has_entities = false;
  bool has_nanos = false;
  bool first = true;
  for (const Field& field : frame.fields()) {
    if (!first) out.push_back(',');
    first = false;
    AppendValues(field, out, has_entities, has_nanos);
  }
  out.push_back(']');
  // Go's encoder writes entities before nanos.
  if (has_entities) {
    out.append(",\"entities\":[");
    first = true;
    for (const Field& field : frame.fields()) {
      if (!first) out.push_back(',');
      first = false;
      AppendEntities(field, out);
    }
    out.push_back(']');
  }
  if (has_nanos) {
    out.append(",\"nanos\":[");
    first = true;
    for (const Field& field : frame.fields()) {
      if (!first) out.push_back(',');
      first = false;
      AppendNanos(field, out);
    }
    out.push_back(']');
  }
  out.push_back('}');
}

// A guess at the size of a frame's data JSON, so the buffer is allocated
// once instead of doubling its way up: every doubling copies what was
// written, which cost ~2% of the host's CPU on 70 KB push frames. Strings
// count their bytes (plus quotes and comma); any other value is guessed at
// the width of an epoch-milliseconds time, 14 bytes with its comma.
size_t EstimateDataBytes(const Frame& frame) {
  constexpr size_t kValueGuess = 14;
  size_t bytes = 64;
  for (const Field& field : frame.fields()) {
    const size_t rows = field.size();
    if (field.type() != FieldType::kString) {
      bytes += rows * kValueGuess;
      continue;
    }
    for (size_t row = 0; row < rows; ++row) {
      bytes += field.IsNull(row) ? 5 : field.StringAt(row).size() + 3;
    }
  }
  return bytes;
}

// Room for `more` bytes; geometric, so that a caller appending many frames
// to one buffer still has amortized growth.
void ReserveMore(size_t more, std::string& out) {
  const size_t needed = out.size() + more;
  if (needed > out.capacity()) {
    out.reserve(std::max(needed, 2 * out.capacity()));
  }
}

}  // namespace

void AppendFrameJSON(const Frame& frame, FrameInclude include,
                     std::string& out) {
  const bool schema =
      include == FrameInclude::kAll || include == FrameInclude::kSchemaOnly;
  const bool data =
      include == FrameInclude::kAll || include == FrameInclude::kDataOnly;
  out.push_back('{');
  if (schema) {
    out.append("\"schema\":");
    AppendSchema(frame, out);
  }
  if (data) {
    ReserveMore(EstimateDataBytes(frame), out);
    if (schema) out.push_back(',');
    out.append("\"data\":");
    AppendData(frame, out);
  }
  out.push_back('}');
}

std::string FrameToJSON(const Frame& frame, FrameInclude include) {
  std::string out;
  AppendFrameJSON(frame, include, out);
  return out;
}

}  // namespace runnel
