// LineParser: the line protocol grammar over one body (the public entry is
// ParseLineProtocol in line_protocol.h, which documents the format). Walks
// the body once with a byte cursor; each Parse* step either advances past
// its element or records the first error and returns false. Internal to
// runnel_push; used by one thread for one body.
#ifndef RUNNEL_HOST_PUSH_LINE_PARSER_H_
#define RUNNEL_HOST_PUSH_LINE_PARSER_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "push/line_protocol.h"

namespace runnel::host {

// What a backslash followed by each byte stands for; 0 where that byte is
// not escaped, and the backslash is then kept as it is.
using EscapeTable = std::array<char, 256>;

// The bytes that end an escaped element and the escapes it knows (InfluxDB
// line protocol reference, "Special characters").
// What a byte is to the element being scanned, so that an ordinary byte
// costs one table look-up.
enum class ByteClass : uint8_t {
  kPlain,      // part of the element
  kStop,       // ends it (and is not part of it)
  kBackslash,  // may escape the next byte
  kHigh,       // part of it, and makes a UTF-8 check necessary
};

struct ElementRules {
  const char* name;  // for error messages: "measurement", "tag key", ...
  std::array<ByteClass, 256> classes;
  EscapeTable escapes;
};

class LineParser {
 public:
  LineParser(std::string_view body, const ParseOptions& options,
             PointBatch& out);

  std::optional<ParseError> Run();

 private:
  bool ParseLine();
  bool ParsePoint();
  bool ParseTags(Point& point);
  bool ParseFields(Point& point);
  bool ParseField();
  bool ParseStringValue(std::string_view& value);
  bool ParseTimestamp(Point& point);
  // An escaped element (measurement, key, tag value); may be empty.
  bool ParseElement(const ElementRules& rules, std::string_view& out);
  bool ExpectElement(const ElementRules& rules, std::string_view& out);

  bool AtLineEnd() const;
  void SkipLineEnd();
  void SkipSpaces();
  void SkipComment();
  // Copies `raw` into the batch's unescape buffer with each escape sequence
  // in `escapes` replaced.
  // Advances to the first byte in `ends` (or the end of the body).
  void SkipUntil(const std::array<bool, 256>& ends);
  std::string_view Unescape(std::string_view raw, const EscapeTable& escapes);
  char* ReserveUnescaped();
  // Records the error at body offset `at` (the first one wins).
  bool Fail(size_t at, std::string message);
  ParseError MakeError() const;
  // The byte at `at` for an error message: "','", "byte 0x09", "end of
  // line".
  std::string Describe(size_t at) const;

  std::string_view body_;
  const ParseOptions& options_;
  PointBatch& out_;
  size_t pos_ = 0;
  size_t error_at_ = 0;
  std::string error_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PUSH_LINE_PARSER_H_
