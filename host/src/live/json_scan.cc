#include "live/json_scan.h"

#include <nlohmann/json.hpp>

namespace runnel::host::json_scan {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The position just past the string literal whose opening quote is at
// `pos`.
size_t SkipString(std::string_view text, size_t pos) {
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;  // the escaped byte (\uXXXX's digits need no care)
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

}  // namespace

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  return pos;
}

size_t SkipValue(std::string_view text, size_t pos) {
  // Brackets are counted, never recursed into: only strings can hold a
  // bracket that does not count, and they are skipped whole.
  size_t depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      pos = SkipString(text, pos);
    } else if (c == '{' || c == '[') {
      ++depth;
      ++pos;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return pos;  // the end of the enclosing container
      --depth;
      ++pos;
    } else if (depth == 0 && (c == ',' || c == ':' || IsSpace(c))) {
      return pos;  // the end of a number or literal
    } else {
      ++pos;
    }
    if (depth == 0 && (c == '"' || c == '}' || c == ']')) return pos;
  }
  return pos;
}

bool ForEachMember(std::string_view text, size_t pos, const MemberFn& member) {
  pos = SkipSpace(text, pos);
  if (pos >= text.size() || text[pos] != '{') return false;
  pos = SkipSpace(text, pos + 1);
  while (pos < text.size() && text[pos] == '"') {
    const size_t key_end = SkipString(text, pos);
    const std::string_view key = text.substr(pos, key_end - pos);
    pos = SkipSpace(text, key_end);
    if (pos >= text.size() || text[pos] != ':') break;
    const size_t value_start = SkipSpace(text, pos + 1);
    const size_t value_end = SkipValue(text, value_start);
    member(key, text.substr(value_start, value_end - value_start));
    pos = SkipSpace(text, value_end);
    if (pos >= text.size() || text[pos] != ',') break;
    pos = SkipSpace(text, pos + 1);
  }
  return true;
}

std::optional<std::string> StringValue(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != '"') return std::nullopt;
  const std::string_view inner = literal.substr(1, literal.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return std::string(inner);
  // Escapes: a flat string, so nlohmann decodes it without any depth.
  nlohmann::json value = nlohmann::json::parse(literal, nullptr, false);
  if (!value.is_string()) return std::nullopt;
  return value.get<std::string>();
}

}  // namespace runnel::host::json_scan
