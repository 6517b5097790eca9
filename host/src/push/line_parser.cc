#include "push/line_parser.h"

#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <system_error>
#include <utility>

#include "live/utf8.h"
#include "push/field_value.h"

namespace runnel::host {
namespace {

bool IsControl(uint8_t c) { return c < 0x20 || c == 0x7f; }

// The bytes that end a scalar field value and a timestamp.
constexpr std::array<bool, 256> ByteSet(std::string_view bytes) {
  std::array<bool, 256> set{};
  for (char c : bytes) set[static_cast<uint8_t>(c)] = true;
  return set;
}
constexpr std::array<bool, 256> kValueEnds = ByteSet(", \r\n");
constexpr std::array<bool, 256> kTimestampEnds = ByteSet(" \r\n");

// Control bytes end every element: a name may not hold them, and "\r" and
// "\n" end the line.
constexpr std::array<ByteClass, 256> ClassesStoppingAt(std::string_view bytes) {
  std::array<ByteClass, 256> classes{};
  for (int c = 0x80; c < 0x100; ++c) classes[c] = ByteClass::kHigh;
  for (int c = 0; c < 0x20; ++c) classes[c] = ByteClass::kStop;
  classes[0x7f] = ByteClass::kStop;
  classes['\\'] = ByteClass::kBackslash;
  for (char c : bytes) classes[static_cast<uint8_t>(c)] = ByteClass::kStop;
  return classes;
}

// Escapes that stand for the escaped byte itself.
constexpr EscapeTable SelfEscapes(std::string_view bytes) {
  EscapeTable table{};
  for (char c : bytes) table[static_cast<uint8_t>(c)] = c;
  return table;
}

constexpr EscapeTable StringEscapes() {
  EscapeTable table = SelfEscapes("\"\\");
  table['n'] = '\n';
  table['r'] = '\r';
  table['t'] = '\t';
  return table;
}

constexpr ElementRules kMeasurement{"measurement", ClassesStoppingAt(", "),
                                    SelfEscapes(", ")};
constexpr ElementRules kTagKey{"tag key", ClassesStoppingAt(",= "),
                               SelfEscapes(",= ")};
constexpr ElementRules kTagValue{"tag value", ClassesStoppingAt(",= "),
                                 SelfEscapes(",= ")};
constexpr ElementRules kFieldKey{"field key", ClassesStoppingAt(",= "),
                                 SelfEscapes(",= ")};
constexpr EscapeTable kStringEscapes = StringEscapes();

// A token quoted for an error message: at most 40 bytes, anything but
// printable ASCII as \xNN, so a hostile body cannot forge log lines.
std::string Quote(std::string_view token) {
  std::string quoted = "\"";
  for (size_t i = 0; i < token.size() && i < 40; ++i) {
    auto c = static_cast<uint8_t>(token[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      quoted += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      quoted += hex;
    }
  }
  return quoted + (token.size() > 40 ? "...\"" : "\"");
}

}  // namespace

LineParser::LineParser(std::string_view body, const ParseOptions& options,
                       PointBatch& out)
    : body_(body), options_(options), out_(out) {}

std::optional<ParseError> LineParser::Run() {
  out_.Clear();
  if (body_.size() > options_.limits.max_body_bytes) {
    Fail(0, "body of " + std::to_string(body_.size()) +
                " bytes is larger than the limit of " +
                std::to_string(options_.limits.max_body_bytes));
    return MakeError();
  }
  while (pos_ < body_.size()) {
    if (!ParseLine()) {
      out_.Clear();
      return MakeError();
    }
  }
  return std::nullopt;
}

bool LineParser::ParseLine() {
  SkipSpaces();
  if (AtLineEnd()) {
    SkipLineEnd();
    return true;
  }
  if (body_[pos_] == '#') {
    SkipComment();
    return true;
  }
  if (!ParsePoint()) return false;
  SkipLineEnd();
  return true;
}

bool LineParser::ParsePoint() {
  if (out_.points_.size() >= options_.limits.max_points) {
    return Fail(pos_, "more than " +
                          std::to_string(options_.limits.max_points) +
                          " points in one body");
  }
  Point point;
  if (!ExpectElement(kMeasurement, point.measurement)) return false;
  if (!ParseTags(point)) return false;
  if (!ParseFields(point)) return false;
  if (!ParseTimestamp(point)) return false;
  out_.points_.push_back(point);
  return true;
}

bool LineParser::ParseTags(Point& point) {
  point.tags_begin = static_cast<uint32_t>(out_.tags_.size());
  const char* after = "measurement";
  while (pos_ < body_.size() && body_[pos_] == ',') {
    ++pos_;
    if (point.tags_size == options_.limits.max_tags_per_point) {
      return Fail(pos_, "more than " +
                            std::to_string(options_.limits.max_tags_per_point) +
                            " tags");
    }
    Tag tag;
    if (!ExpectElement(kTagKey, tag.key)) return false;
    if (pos_ >= body_.size() || body_[pos_] != '=') {
      return Fail(pos_, "expected '=' after tag key, found " + Describe(pos_));
    }
    ++pos_;
    if (!ExpectElement(kTagValue, tag.value)) return false;
    out_.tags_.push_back(tag);
    ++point.tags_size;
    after = "tag value";
  }
  if (AtLineEnd()) return Fail(pos_, "missing fields");
  if (body_[pos_] != ' ') {
    return Fail(pos_, std::string("expected ',' or ' ' after ") + after +
                          ", found " + Describe(pos_));
  }
  SkipSpaces();
  if (AtLineEnd()) return Fail(pos_, "missing fields");
  return true;
}

bool LineParser::ParseFields(Point& point) {
  point.fields_begin = static_cast<uint32_t>(out_.fields_.size());
  while (true) {
    if (point.fields_size == options_.limits.max_fields_per_point) {
      return Fail(pos_,
                  "more than " +
                      std::to_string(options_.limits.max_fields_per_point) +
                      " fields");
    }
    if (!ParseField()) return false;
    ++point.fields_size;
    if (pos_ >= body_.size() || body_[pos_] != ',') return true;
    ++pos_;
  }
}

bool LineParser::ParseField() {
  PointField field;
  if (!ExpectElement(kFieldKey, field.key)) return false;
  if (pos_ >= body_.size() || body_[pos_] != '=') {
    return Fail(pos_, "expected '=' after field key, found " + Describe(pos_));
  }
  ++pos_;
  size_t start = pos_;
  if (pos_ < body_.size() && body_[pos_] == '"') {
    field.value.type = ValueType::kString;
    if (!ParseStringValue(field.value.string_value)) return false;
  } else {
    SkipUntil(kValueEnds);
    std::string_view token = body_.substr(start, pos_ - start);
    if (const char* problem = ParseScalarValue(token, field.value)) {
      std::string error = problem;
      if (!token.empty()) error += ' ' + Quote(token);
      return Fail(start, std::move(error));
    }
  }
  if (pos_ < body_.size() && body_[pos_] != ',' && body_[pos_] != ' ' &&
      !AtLineEnd()) {
    return Fail(
        pos_, "expected ',' or ' ' after field value, found " + Describe(pos_));
  }
  out_.fields_.push_back(field);
  return true;
}

bool LineParser::ParseStringValue(std::string_view& value) {
  size_t open = pos_++;
  size_t start = pos_;
  bool escaped = false;
  bool high = false;
  while (true) {
    if (pos_ >= body_.size()) return Fail(open, "unterminated string");
    auto c = static_cast<uint8_t>(body_[pos_]);
    if (c == '"') break;
    if (c == '\\' && pos_ + 1 < body_.size() &&
        kStringEscapes[static_cast<uint8_t>(body_[pos_ + 1])] != 0) {
      escaped = true;
      pos_ += 2;
      continue;
    }
    high |= c >= 0x80;
    ++pos_;
  }
  std::string_view raw = body_.substr(start, pos_ - start);
  ++pos_;  // the closing quote
  value = escaped ? Unescape(raw, kStringEscapes) : raw;
  if (value.size() > options_.limits.max_string_bytes) {
    return Fail(open, "string of " + std::to_string(value.size()) +
                          " bytes is longer than the limit of " +
                          std::to_string(options_.limits.max_string_bytes));
  }
  if (high && !IsValidUtf8(value)) {
    return Fail(open, "invalid UTF-8 in string field");
  }
  return true;
}

bool LineParser::ParseTimestamp(Point& point) {
  SkipSpaces();
  if (AtLineEnd()) return true;
  size_t start = pos_;
  SkipUntil(kTimestampEnds);
  std::string_view token = body_.substr(start, pos_ - start);
  int64_t value = 0;
  const IntegerText parsed = ParseDecimalInt64(token, &value);
  if (parsed == IntegerText::kNotInteger) {
    return Fail(start, "invalid timestamp " + Quote(token));
  }
  std::optional<int64_t> nanos;
  if (parsed == IntegerText::kOk) {
    nanos = ToUnixNanos(value, options_.precision);
  }
  if (!nanos) return Fail(start, "timestamp out of range " + Quote(token));
  point.unix_nanos = nanos;
  SkipSpaces();
  if (!AtLineEnd()) {
    return Fail(
        pos_, "expected end of line after timestamp, found " + Describe(pos_));
  }
  return true;
}

void LineParser::SkipUntil(const std::array<bool, 256>& ends) {
  while (pos_ < body_.size() && !ends[static_cast<uint8_t>(body_[pos_])]) {
    ++pos_;
  }
}

bool LineParser::ExpectElement(const ElementRules& rules,
                               std::string_view& out) {
  size_t start = pos_;
  if (!ParseElement(rules, out)) return false;
  if (!out.empty()) return true;
  return Fail(start, std::string("expected ") + rules.name + ", found " +
                         Describe(start));
}

bool LineParser::ParseElement(const ElementRules& rules,
                              std::string_view& out) {
  size_t start = pos_;
  bool escaped = false;
  bool high = false;
  while (pos_ < body_.size()) {
    const ByteClass kind = rules.classes[static_cast<uint8_t>(body_[pos_])];
    if (kind == ByteClass::kPlain) {
      ++pos_;
    } else if (kind == ByteClass::kStop) {
      break;
    } else if (kind == ByteClass::kHigh) {
      high = true;
      ++pos_;
    } else if (pos_ + 1 < body_.size() &&
               rules.escapes[static_cast<uint8_t>(body_[pos_ + 1])] != 0) {
      escaped = true;
      pos_ += 2;
    } else {
      ++pos_;  // a backslash before any other byte is kept as it is
    }
  }
  std::string_view raw = body_.substr(start, pos_ - start);
  out = escaped ? Unescape(raw, rules.escapes) : raw;
  if (high && !IsValidUtf8(out)) {
    return Fail(start, std::string("invalid UTF-8 in ") + rules.name);
  }
  return true;
}

std::string_view LineParser::Unescape(std::string_view raw,
                                      const EscapeTable& escapes) {
  char* begin = ReserveUnescaped();
  char* out = begin;
  for (size_t i = 0; i < raw.size(); ++i) {
    char replacement = 0;
    if (raw[i] == '\\' && i + 1 < raw.size()) {
      replacement = escapes[static_cast<uint8_t>(raw[i + 1])];
    }
    if (replacement != 0) {
      *out++ = replacement;
      ++i;
    } else {
      *out++ = raw[i];
    }
  }
  out_.unescaped_size_ += out - begin;
  return std::string_view(begin, out - begin);
}

char* LineParser::ReserveUnescaped() {
  // Every unescaped element is shorter than its escaped bytes, and those
  // never overlap, so one block the size of the body holds them all.
  if (out_.unescaped_capacity_ < body_.size()) {
    assert(out_.unescaped_size_ == 0);
    out_.unescaped_.reset(new char[body_.size()]);
    out_.unescaped_capacity_ = body_.size();
  }
  return out_.unescaped_.get() + out_.unescaped_size_;
}

bool LineParser::AtLineEnd() const {
  if (pos_ >= body_.size() || body_[pos_] == '\n') return true;
  return body_[pos_] == '\r' &&
         (pos_ + 1 == body_.size() || body_[pos_ + 1] == '\n');
}

void LineParser::SkipLineEnd() {
  if (pos_ < body_.size() && body_[pos_] == '\r') ++pos_;
  if (pos_ < body_.size() && body_[pos_] == '\n') ++pos_;
}

void LineParser::SkipSpaces() {
  while (pos_ < body_.size() && body_[pos_] == ' ') ++pos_;
}

void LineParser::SkipComment() {
  size_t newline = body_.find('\n', pos_);
  pos_ = newline == std::string_view::npos ? body_.size() : newline + 1;
}

bool LineParser::Fail(size_t at, std::string message) {
  error_at_ = at;
  error_ = std::move(message);
  return false;
}

std::string LineParser::Describe(size_t at) const {
  if (at >= body_.size()) return "end of input";
  auto c = static_cast<uint8_t>(body_[at]);
  if (c == '\n' ||
      (c == '\r' && (at + 1 == body_.size() || body_[at + 1] == '\n'))) {
    return "end of line";
  }
  if (IsControl(c) || c >= 0x80) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "byte 0x%02x", c);
    return hex;
  }
  return std::string("'") + static_cast<char>(c) + "'";
}

ParseError LineParser::MakeError() const {
  ParseError error;
  error.line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < error_at_ && i < body_.size(); ++i) {
    if (body_[i] == '\n') {
      ++error.line;
      line_start = i + 1;
    }
  }
  error.column = static_cast<int>(error_at_ - line_start) + 1;
  error.message = error_;
  return error;
}

}  // namespace runnel::host
