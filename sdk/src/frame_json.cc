// Frame JSON encoder (reference plugin-protocol.md §3) and the JSON writing
// helpers of json_escape.h. Hot path: everything appends straight into the
// caller's buffer; no value is boxed, no temporary string is built per value.
#include "runnel/frame_json.h"

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "json_escape.h"
#include "runnel/log.h"

namespace runnel {
namespace internal {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 when the
// bytes there are not valid UTF-8 (overlong forms, surrogates and code
// points above U+10FFFF are invalid, as in Go's utf8.DecodeRuneInString).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) -> unsigned {
    return static_cast<unsigned char>(s[k]);
  };
  const auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  unsigned b0 = byte(i);
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;
    unsigned hi = b0 == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;
    unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

// Bytes below 0x80 that go out unescaped.
constexpr bool IsSafeAscii(unsigned char c) {
  return c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
}

}  // namespace

void AppendJSONString(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t run_start = 0;  // start of the pending run of bytes copied as-is
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (IsSafeAscii(c)) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len != 0) {
        i += len;
        continue;
      }
      // Go would copy the byte as is; JSON must be UTF-8, and strict
      // parsers (nlohmann) reject the whole document otherwise.
      out.append(s.data() + run_start, i - run_start);
      out.append("\\ufffd");
      ++i;
      run_start = i;
      continue;
    }
    out.append(s.data() + run_start, i - run_start);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
    ++i;
    run_start = i;
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

void AppendJSONInt64(int64_t v, std::string& out) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, result.ptr);
}

void AppendJSONFloat64(double v, std::string& out) {
  char buf[40];
  double magnitude = std::fabs(v);
  if (magnitude < 1e16 && (magnitude >= 1e-6 || magnitude == 0)) {
    // Below 1e16, to_chars' shortest fixed form holds exactly the shortest
    // round-trip digits, as Go's 'f' format with precision -1 does
    // (frame_json_test checks this on random values).
    auto fixed =
        std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out.append(buf, fixed.ptr);
    return;
  }
  // Shortest round-trip digits, in exponent form: [-]d[.ddd]e(+|-)XX.
  char* sci = buf;
  auto result =
      std::to_chars(sci, sci + sizeof buf, v, std::chars_format::scientific);
  if (magnitude < 1e-6 || magnitude >= 1e21) {
    out.append(sci, result.ptr);  // same layout as Go's 'e' format
    return;
  }
  // 1e16 <= |v| < 1e21: re-lay the shortest digits out in plain notation,
  // padded with zeros as Go does; to_chars' fixed form would print the
  // exact integer instead (123456789012345683968, not ...680000).
  const char* p = sci;
  if (*p == '-') out.push_back(*p++);
  char digits[24];
  size_t n = 0;
  while (*p != 'e') {
    if (*p != '.') digits[n++] = *p;
    ++p;
  }
  ++p;  // 'e'
  int exponent = 0;
  std::from_chars(*p == '+' ? p + 1 : p, result.ptr, exponent);
  // exponent is 16..20 and there are at most 17 digits, so in practice
  // there is no fraction part; the general layout costs nothing.
  size_t int_digits = exponent < 0 ? 0 : static_cast<size_t>(exponent) + 1;
  if (n <= int_digits) {
    out.append(digits, n);
    out.append(int_digits - n, '0');
  } else {
    out.append(digits, int_digits);
    out.push_back('.');
    out.append(digits + int_digits, n - int_digits);
  }
}

namespace {

// Recursive-descent JSON checker that copies tokens without whitespace.
class Minifier {
 public:
  Minifier(std::string_view in, std::string& out) : in_(in), out_(out) {}

  bool Run() {
    SkipSpace();
    if (!Value(0)) return false;
    SkipSpace();
    return pos_ == in_.size();
  }

 private:
  static constexpr int kMaxDepth = 256;

  bool AtEnd() const { return pos_ >= in_.size(); }
  char Peek() const { return in_[pos_]; }

  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' ||
                        Peek() == '\r'))
      ++pos_;
  }

  bool Value(int depth) {
    if (AtEnd()) return false;
    switch (Peek()) {
      case '{':
        return Object(depth + 1);
      case '[':
        return Array(depth + 1);
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  bool Object(int depth) {
    if (depth > kMaxDepth) return false;
    out_.push_back('{');
    ++pos_;
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      out_.push_back('}');
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (AtEnd() || Peek() != '"' || !String()) return false;
      SkipSpace();
      if (AtEnd() || Peek() != ':') return false;
      out_.push_back(':');
      ++pos_;
      SkipSpace();
      if (!Value(depth)) return false;
      SkipSpace();
      if (AtEnd()) return false;
      char c = Peek();
      ++pos_;
      out_.push_back(c);
      if (c == '}') return true;
      if (c != ',') return false;
    }
  }

  bool Array(int depth) {
    if (depth > kMaxDepth) return false;
    out_.push_back('[');
    ++pos_;
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      out_.push_back(']');
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (!Value(depth)) return false;
      SkipSpace();
      if (AtEnd()) return false;
      char c = Peek();
      ++pos_;
      out_.push_back(c);
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }

  static bool IsHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
  }

  bool String() {
    size_t start = pos_++;  // opening quote
    while (true) {
      if (AtEnd()) return false;
      unsigned char c = static_cast<unsigned char>(Peek());
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++pos_ >= in_.size()) return false;
        char e = Peek();
        if (e == 'u') {
          if (!Escape()) return false;
        } else if (std::strchr("\"\\/bfnrt", e) != nullptr && e != '\0') {
          ++pos_;
        } else {
          return false;
        }
      } else if (c >= 0x80) {
        size_t len = Utf8SequenceLength(in_, pos_);
        if (len == 0) return false;
        pos_ += len;
      } else {
        ++pos_;
      }
    }
    ++pos_;  // closing quote
    out_.append(in_.data() + start, pos_ - start);
    return true;
  }

  // Reads the 4 hex digits of a \uXXXX escape at pos_ ('u'); -1 if malformed.
  int Hex4() {
    if (pos_ + 4 >= in_.size()) return -1;
    int value = 0;
    for (size_t k = 1; k <= 4; ++k) {
      char c = in_[pos_ + k];
      if (!IsHex(c)) return -1;
      value = value * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    pos_ += 5;
    return value;
  }

  // A \uXXXX escape, pos_ at 'u'. Surrogates must come as a high-low pair
  // (nlohmann, and so a C++ receiver, rejects a lone one).
  bool Escape() {
    int unit = Hex4();
    if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return false;
    if (unit < 0xD800 || unit > 0xDBFF) return true;
    if (pos_ + 1 >= in_.size() || in_[pos_] != '\\' || in_[pos_ + 1] != 'u')
      return false;
    ++pos_;
    int low = Hex4();
    return low >= 0xDC00 && low <= 0xDFFF;
  }

  bool Literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return false;
    out_.append(word);
    pos_ += word.size();
    return true;
  }

  bool Digits() {
    size_t start = pos_;
    while (!AtEnd() && Peek() >= '0' && Peek() <= '9') ++pos_;
    return pos_ > start;
  }

  bool Number() {
    size_t start = pos_;
    if (!AtEnd() && Peek() == '-') ++pos_;
    if (AtEnd()) return false;
    if (Peek() == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    if (!AtEnd() && Peek() == '.') {
      ++pos_;
      if (!Digits()) return false;
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      ++pos_;
      if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
      if (!Digits()) return false;
    }
    std::string_view token = in_.substr(start, pos_ - start);
    if (Overflows(token)) return false;
    out_.append(token);
    return true;
  }

  // True when a number's magnitude is beyond double's range: nlohmann (and
  // so a C++ receiver) rejects those, though the grammar allows them.
  static bool Overflows(std::string_view token) {
    bool is_float = token.find_first_of(".eE") != std::string_view::npos;
    if (!is_float && token.size() <= 18) return false;  // fits int64 at once
    std::string copy(token);
    return std::isinf(std::strtod(copy.c_str(), nullptr));
  }

  std::string_view in_;
  std::string& out_;
  size_t pos_ = 0;
};

}  // namespace

bool AppendMinifiedJSON(std::string_view text, std::string& out) {
  size_t mark = out.size();
  if (Minifier(text, out).Run()) return true;
  out.resize(mark);
  return false;
}

}  // namespace internal

namespace {

using internal::AppendJSONFloat64;
using internal::AppendJSONInt64;
using internal::AppendJSONString;

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

const char* SimpleTypeName(FieldType type) {
  switch (type) {
    case FieldType::kTime:
      return "time";
    case FieldType::kFloat64:
    case FieldType::kInt64:
      return "number";
    case FieldType::kString:
      return "string";
    case FieldType::kBool:
      return "boolean";
  }
  return "other";
}

const char* FrameTypeName(FieldType type) {
  switch (type) {
    case FieldType::kTime:
      return "time.Time";
    case FieldType::kFloat64:
      return "float64";
    case FieldType::kInt64:
      return "int64";
    case FieldType::kString:
      return "string";
    case FieldType::kBool:
      return "bool";
  }
  return "";
}

// Warns once per process and kind; the encoder has no error channel and a
// per-frame warning would flood the log.
void WarnOnce(std::atomic<bool>& warned, std::string_view message) {
  if (!warned.exchange(true)) log::Warn(message);
}

std::atomic<bool> g_warned_meta{false};
std::atomic<bool> g_warned_config{false};

// Skips one value of minified, valid JSON starting at s[i]; returns the
// index just past it.
size_t SkipMinifiedValue(std::string_view s, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        if (depth == 0) return i;  // end of the enclosing container
        if (--depth == 0) return i + 1;
        break;
      case ',':
      case ':':
        if (depth == 0) return i;
        break;
      default:
        break;
    }
  }
  return i;
}

// Appends the author's meta object, minified, with "typeVersion":[0,0]
// added when absent: after a top-level "type" member if there is one (where
// Go's FrameMeta struct puts it), else first. Returns false (out unchanged)
// when meta is not a valid JSON object.
bool AppendMeta(std::string_view meta, std::string& out) {
  size_t start = out.size();
  if (!internal::AppendMinifiedJSON(meta, out)) return false;
  if (out[start] != '{') {
    out.resize(start);
    return false;
  }
  std::string_view obj(out.data() + start, out.size() - start);
  bool has_type_version = false;
  size_t after_type = 0;  // offset in obj just past the "type" member's value
  size_t members = 0;
  size_t i = 1;
  while (i < obj.size() && obj[i] == '"') {
    size_t key_end = SkipMinifiedValue(obj, i);
    std::string_view key = obj.substr(i, key_end - i);
    size_t value_end = SkipMinifiedValue(obj, key_end + 1);  // past ':'
    if (key == "\"typeVersion\"") has_type_version = true;
    if (key == "\"type\"") after_type = value_end;
    ++members;
    i = value_end + 1;  // past ',' or '}'
  }
  if (has_type_version) return true;
  if (after_type != 0) {
    out.insert(start + after_type, ",\"typeVersion\":[0,0]");
  } else {
    out.insert(start + 1, members > 0 ? "\"typeVersion\":[0,0],"
                                      : "\"typeVersion\":[0,0]");
  }
  return true;
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
    if (!AppendMeta(frame.meta_json(), out)) {
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
    out.push_back('{');
    if (!field.name().empty()) {
      out.append("\"name\":");
      AppendJSONString(field.name(), out);
      out.push_back(',');
    }
    out.append("\"type\":\"");
    out.append(SimpleTypeName(field.type()));
    out.append("\",\"typeInfo\":{\"frame\":\"");
    out.append(FrameTypeName(field.type()));
    out.append(field.nullable() ? "\",\"nullable\":true}" : "\"}");
    if (!field.labels().empty()) {
      out.append(",\"labels\":{");
      bool first_label = true;
      for (const auto& [key, value] : field.labels()) {
        if (!first_label) out.push_back(',');
        first_label = false;
        AppendJSONString(key, out);
        out.push_back(':');
        AppendJSONString(value, out);
      }
      out.push_back('}');
    }
    if (!field.config_json().empty()) {
      constexpr std::string_view kConfigKey = ",\"config\":";
      size_t mark = out.size();
      out.append(kConfigKey);
      if (!internal::AppendMinifiedJSON(field.config_json(), out) ||
          out[mark + kConfigKey.size()] != '{') {
        out.resize(mark);
        WarnOnce(g_warned_config,
                 "field config is not a valid JSON object; it is left out of "
                 "the frame JSON");
      }
    }
    out.push_back('}');
  }
  out.append("]}");
}

// Writes one column's values; reports whether it needs "entities" (float
// NaN/Inf) or "nanos" (sub-millisecond times).
void AppendValues(const Field& field, std::string& out, bool& has_entities,
                  bool& has_nanos) {
  out.push_back('[');
  const size_t rows = field.size();
  for (size_t row = 0; row < rows; ++row) {
    if (row > 0) out.push_back(',');
    if (field.IsNull(row)) {
      out.append("null");
      continue;
    }
    switch (field.type()) {
      case FieldType::kTime: {
        int64_t ns = field.TimeAt(row).unix_nanos;
        AppendJSONInt64(FloorMillis(ns), out);
        if (SubMilliNanos(ns) != 0) has_nanos = true;
        break;
      }
      case FieldType::kFloat64: {
        double v = field.Float64At(row);
        if (std::isfinite(v)) {
          AppendJSONFloat64(v, out);
        } else {
          out.append("null");
          has_entities = true;
        }
        break;
      }
      case FieldType::kInt64:
        AppendJSONInt64(field.Int64At(row), out);
        break;
      case FieldType::kString:
        AppendJSONString(field.StringAt(row), out);
        break;
      case FieldType::kBool:
        out.append(field.BoolAt(row) ? "true" : "false");
        break;
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
  if (field.type() == FieldType::kFloat64) {
    const size_t rows = field.size();
    for (const auto& [kind, key] : kKinds) {
      bool listed = false;
      for (size_t row = 0; row < rows; ++row) {
        if (field.IsNull(row) || !IsEntity(field.Float64At(row), kind))
          continue;
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
