// The JSON writers of json_escape.h: strings and numbers exactly as the Go
// SDK's jsoniter writes them, appended to the caller's buffer.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "json_escape.h"
#include "runnel/json_string.h"

namespace runnel::internal {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Bytes below 0x80 that go out unescaped.
constexpr bool IsSafeAscii(unsigned char c) {
  return c >= 0x20 && c != '"' && c != '\\' && c < 0x80;
}

}  // namespace

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

void AppendJSONInt64(int64_t v, std::string& out) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, result.ptr);
}

void AppendJSONUint64(uint64_t v, std::string& out) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, result.ptr);
}

namespace {

// Lays out to_chars' scientific form ([-]d[.ddd]e(+|-)XX, the shortest
// round-trip digits) in plain notation, padded with zeros as Go's 'f'
// format with precision -1 does: "1.5e+20" -> "150000000000000000000",
// "1.5e-03" -> "0.0015".
void AppendPlainFromScientific(const char* sci, const char* end,
                               std::string& out) {
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
  std::from_chars(*p == '+' ? p + 1 : p, end, exponent);
  if (exponent < 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out.append(digits, n);
    return;
  }
  size_t int_digits = static_cast<size_t>(exponent) + 1;
  if (n <= int_digits) {
    out.append(digits, n);
    out.append(int_digits - n, '0');
  } else {
    out.append(digits, int_digits);
    out.push_back('.');
    out.append(digits + int_digits, n - int_digits);
  }
}

// Numbers with at most 6 decimals below 1e9 in magnitude (0.07, 12.5,
// -3.25: most metrics): one multiplication and one division tell whether v
// is such a number, which is cheaper than the shortest-digits search of
// to_chars. Their digits are then the shortest that round-trip: with
// |n| = |v| * 1e6 below 2^50, two decimals of 6 places lie further apart
// than the doubles around v, so only one of them reads back as v, the
// product's rounding cannot pick a neighbour of it, and dropping its
// trailing zeros gives the fewest digits. Returns false (nothing written)
// for any other v, 0 and -0 included.
bool AppendShortDecimal(double v, std::string& out) {
  const double magnitude = std::fabs(v);
  if (!(magnitude >= 1e-6 && magnitude < 1e9)) return false;
  const double scaled = std::nearbyint(v * 1e6);
  if (scaled / 1e6 != v) return false;
  auto units = static_cast<uint64_t>(std::fabs(scaled));
  int decimals = 6;
  while (decimals > 0 && units % 10 == 0) {
    units /= 10;
    --decimals;
  }
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  if (v < 0) out.push_back('-');
  char buf[24];
  auto whole = std::to_chars(buf, buf + sizeof buf, units / scale);
  out.append(buf, whole.ptr);
  if (decimals == 0) return true;
  out.push_back('.');
  const uint64_t fraction = units % scale;
  auto digits = std::to_chars(buf, buf + sizeof buf, fraction);
  out.append(static_cast<size_t>(decimals - (digits.ptr - buf)), '0');
  out.append(buf, digits.ptr);
  return true;
}

}  // namespace

void AppendJSONFloat64(double v, std::string& out) {
  char buf[40];
  double magnitude = std::fabs(v);
  // Whole numbers below 2^53 (counters, byte counts, Influx integers) as
  // integers: every integer there is a double of its own, so its shortest
  // round-trip digits are exactly its integer digits, and integer to_chars
  // is several times cheaper than the floating-point one. -0 keeps its sign
  // below.
  if (magnitude < 0x1p53 && v == std::trunc(v) &&
      (v != 0 || !std::signbit(v))) {
    AppendJSONInt64(static_cast<int64_t>(v), out);
    return;
  }
  if (AppendShortDecimal(v, out)) return;
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
  auto result =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  if (magnitude < 1e-6 || magnitude >= 1e21) {
    out.append(buf, result.ptr);  // same layout as Go's 'e' format
    return;
  }
  // 1e16 <= |v| < 1e21: to_chars' fixed form would print the exact integer
  // instead (123456789012345683968, not ...680000).
  AppendPlainFromScientific(buf, result.ptr, out);
}

void AppendJSONFloat32(float v, std::string& out) {
  // jsoniter's WriteFloat32: strconv.AppendFloat(v, 'f' or 'e', -1, 32),
  // the shortest digits that round-trip as a float32, 'e' when |v| < 1e-6
  // or >= 1e21 (compared as float32).
  char buf[32];
  auto result =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  float magnitude = std::fabs(v);
  if (magnitude != 0 && (magnitude < 1e-6f || magnitude >= 1e21f)) {
    out.append(buf, result.ptr);
    return;
  }
  AppendPlainFromScientific(buf, result.ptr, out);
}

}  // namespace runnel::internal

namespace runnel {

void AppendJSONString(std::string_view s, std::string& out) {
  using internal::IsSafeAscii;
  using internal::kHex;
  using internal::Utf8SequenceLength;
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

}  // namespace runnel
