// AppendMinifiedJSON (json_escape.h): a strict JSON checker that copies its
// input without insignificant whitespace, for author-supplied meta/config.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "json_escape.h"

namespace runnel::internal {
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

}  // namespace runnel::internal
