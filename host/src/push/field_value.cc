#include "push/field_value.h"

#include <charconv>
#include <cstddef>
#include <system_error>

namespace runnel::host {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Skips a run of digits from `i`; returns how many there were.
size_t SkipDigits(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i - start;
}

// The float grammar: [-] (digits [. [digits]] | . digits) [(e|E) [+|-]
// digits]. std::from_chars would also take "inf", "nan" and hex-free forms
// the grammar forbids, so the shape is checked first.
bool IsFloatSyntax(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t whole = SkipDigits(s, i);
  size_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    fraction = SkipDigits(s, i);
  }
  if (whole == 0 && fraction == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (SkipDigits(s, i) == 0) return false;
  }
  return i == s.size();
}

// from_chars reports overflow and underflow alike. Go's ParseFloat, which
// both InfluxData parsers use, rounds an underflow to zero and rejects only
// overflow, so tell them apart by the decimal magnitude: the position of
// the first significant digit relative to the point, plus the exponent.
bool Overflows(std::string_view s) {
  long long magnitude = 0;
  bool seen_point = false;
  bool significant = false;
  size_t i = s[0] == '-' ? 1 : 0;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '.') {
      seen_point = true;
    } else if (!seen_point && (significant || s[i] != '0')) {
      significant = true;
      ++magnitude;
    } else if (seen_point && !significant) {
      if (s[i] != '0') significant = true;
      if (!significant) --magnitude;
    }
  }
  long long exponent = 0;
  if (i < s.size()) {
    ++i;
    bool negative = s[i] == '-';
    if (s[i] == '+' || s[i] == '-') ++i;
    for (; i < s.size() && exponent < 1'000'000'000; ++i) {
      exponent = exponent * 10 + (s[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent > 0;
}

const char* ParseFloat(std::string_view token, FieldValue& out) {
  if (!IsFloatSyntax(token)) return "invalid field value";
  double value = 0;
  auto [end, ec] =
      std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec == std::errc::result_out_of_range) {
    if (Overflows(token)) return "float out of range";
    value = token[0] == '-' ? -0.0 : 0.0;
  } else if (ec != std::errc() || end != token.data() + token.size()) {
    return "invalid field value";
  }
  out.type = ValueType::kFloat;
  out.float_value = value;
  return nullptr;
}

// Sums the digits of `digits` (nothing else allowed, at least one) into
// `*sum`, wrapping harmlessly past 19 digits; false if not all digits.
bool SumDigits(std::string_view digits, uint64_t* sum) {
  if (digits.empty()) return false;
  uint64_t total = 0;
  for (char c : digits) {
    const unsigned digit = static_cast<unsigned char>(c) - '0';
    if (digit > 9) return false;
    total = total * 10 + digit;
  }
  *sum = total;
  return true;
}

// What ParseInteger reports for a reader's outcome.
const char* IntegerProblem(IntegerText parsed, const char* invalid,
                           const char* out_of_range) {
  switch (parsed) {
    case IntegerText::kOk:
      return nullptr;
    case IntegerText::kNotInteger:
      return invalid;
    case IntegerText::kOutOfRange:
      return out_of_range;
  }
  return invalid;
}

// Tokens past 19 digits (only leading zeros can keep them in range): the
// digits were checked, so from_chars decides the range alone.
template <typename Integer>
IntegerText ParseLongToken(std::string_view token, Integer* value) {
  auto [end, ec] =
      std::from_chars(token.data(), token.data() + token.size(), *value);
  return ec == std::errc() ? IntegerText::kOk : IntegerText::kOutOfRange;
}

// `digits` is the token without its 'i' or 'u' suffix.
const char* ParseInteger(std::string_view digits, bool is_unsigned,
                         FieldValue& out) {
  if (is_unsigned) {
    out.type = ValueType::kUnsigned;
    return IntegerProblem(ParseDecimalUint64(digits, &out.uint_value),
                          "invalid unsigned integer",
                          "unsigned integer out of range");
  }
  out.type = ValueType::kInteger;
  return IntegerProblem(ParseDecimalInt64(digits, &out.int_value),
                        "invalid integer", "integer out of range");
}

bool ParseBool(std::string_view token, bool& value) {
  if (token == "t" || token == "T" || token == "true" || token == "True" ||
      token == "TRUE") {
    value = true;
    return true;
  }
  if (token == "f" || token == "F" || token == "false" || token == "False" ||
      token == "FALSE") {
    value = false;
    return true;
  }
  return false;
}

}  // namespace

IntegerText ParseDecimalInt64(std::string_view token, int64_t* value) {
  const bool negative = !token.empty() && token[0] == '-';
  const std::string_view digits = token.substr(negative ? 1 : 0);
  uint64_t sum = 0;
  if (!SumDigits(digits, &sum)) return IntegerText::kNotInteger;
  if (digits.size() <= 19) {  // exact in 64 bits: below 10^19 < 2^64
    constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;  // of -2^63
    if (sum > kMaxMagnitude - (negative ? 0 : 1)) {
      return IntegerText::kOutOfRange;
    }
    *value = negative ? static_cast<int64_t>(0 - sum)  // two's complement
                      : static_cast<int64_t>(sum);
    return IntegerText::kOk;
  }
  return ParseLongToken(token, value);
}

IntegerText ParseDecimalUint64(std::string_view token, uint64_t* value) {
  uint64_t sum = 0;
  if (!SumDigits(token, &sum)) return IntegerText::kNotInteger;
  if (token.size() <= 19) {
    *value = sum;
    return IntegerText::kOk;
  }
  return ParseLongToken(token, value);
}

const char* ParseScalarValue(std::string_view token, FieldValue& out) {
  out = FieldValue{};
  if (token.empty()) return "expected field value";
  // Every boolean spelling starts with t, T, f or F; numbers never do, so
  // they skip the ten comparisons.
  const char first = token.front();
  const bool may_be_bool =
      first == 't' || first == 'T' || first == 'f' || first == 'F';
  if (may_be_bool && ParseBool(token, out.bool_value)) {
    out.type = ValueType::kBoolean;
    return nullptr;
  }
  char last = token.back();
  if (last == 'i' || last == 'u') {
    return ParseInteger(token.substr(0, token.size() - 1), last == 'u', out);
  }
  return ParseFloat(token, out);
}

}  // namespace runnel::host
