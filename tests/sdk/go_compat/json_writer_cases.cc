// The C++ half of the jsoniter comparison (see jsoniter_writer.go).
//   json_writer_cases inputs          prints the cases, one per line
//   json_writer_cases compare <file>  compares our output with jsoniter's
// Cases: special and random doubles, every single byte, random byte strings
// biased towards UTF-8 edge cases. Strings with invalid UTF-8 are skipped in
// the comparison: there we write U+FFFD on purpose where jsoniter copies the
// raw byte.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "json_escape.h"

namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0xF]);
  }
  return hex;
}

bool ValidUtf8(std::string_view s) {
  std::string escaped;
  runnel::internal::AppendJSONString(s, escaped);
  return escaped.find("\\ufffd") == std::string::npos;
}

struct Case {
  std::string input;     // the line for jsoniter_writer
  std::string expected;  // our output in hex, or "" to skip
};

std::vector<Case> MakeCases() {
  std::vector<Case> cases;
  auto add_double = [&](double v) {
    if (!std::isfinite(v)) return;
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    std::string out;
    runnel::internal::AppendJSONFloat64(v, out);
    cases.push_back({"f " + std::to_string(bits), Hex(out)});
  };
  auto add_string = [&](const std::string& s) {
    std::string out;
    runnel::internal::AppendJSONString(s, out);
    cases.push_back({"s " + Hex(s), ValidUtf8(s) ? Hex(out) : ""});
  };
  for (double v :
       {0.0, -0.0, 52.0, 52.1, 30.7, 77.9, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21,
        123456789012345680000.0, 1e16, 5e-324, 1.7976931348623157e308,
        0.1 + 0.2, -1.5e300, 1e15 + 0.3, 9007199254740993.0}) {
    add_double(v);
  }
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    uint64_t bits = rng();
    double v;
    if (i % 3 == 0) {
      std::memcpy(&v, &bits, sizeof v);
    } else if (i % 3 == 1) {
      v = std::ldexp(static_cast<double>(bits >> 11),
                     static_cast<int>(rng() % 160) - 120);
    } else {
      v = static_cast<double>(static_cast<int64_t>(rng() % 2000001)) / 1000.0;
    }
    add_double(v);
  }
  for (int c = 0; c < 256; ++c)
    add_string(std::string(1, static_cast<char>(c)));
  for (const char* s : {"\xE2\x80\xA8", "\xE2\x80\xA9", "\xEF\xBF\xBD",
                        "\xF4\x8F\xBF\xBF", "a<b>&c", "q\"b\\n\nr\rt\t"}) {
    add_string(s);
  }
  for (int i = 0; i < 30000; ++i) {
    std::string s;
    for (size_t n = 1 + rng() % 6; n > 0; --n) {
      switch (rng() % 4) {
        case 0:
          s.push_back(static_cast<char>(0xC0 + rng() % 0x40));  // lead bytes
          break;
        case 1:
          s.push_back(static_cast<char>(0x80 + rng() % 0x40));  // continuation
          break;
        default:
          s.push_back(static_cast<char>(rng() % 0x80));
      }
    }
    add_string(s);
  }
  return cases;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Case> cases = MakeCases();
  if (argc == 2 && std::string(argv[1]) == "inputs") {
    for (const Case& c : cases) std::cout << c.input << "\n";
    return 0;
  }
  if (argc != 3 || std::string(argv[1]) != "compare") {
    std::fprintf(stderr, "usage: %s inputs | compare <jsoniter output>\n",
                 argv[0]);
    return 2;
  }
  std::ifstream theirs(argv[2]);
  size_t compared = 0, mismatches = 0, line_no = 0;
  std::string line;
  for (const Case& c : cases) {
    if (!std::getline(theirs, line)) {
      std::fprintf(stderr, "jsoniter output ends at line %zu\n", line_no);
      return 1;
    }
    ++line_no;
    if (c.expected.empty()) continue;
    ++compared;
    if (line != c.expected && ++mismatches <= 10) {
      std::fprintf(stderr, "%s: ours %s, jsoniter %s\n", c.input.c_str(),
                   c.expected.c_str(), line.c_str());
    }
  }
  std::printf("%zu cases compared, %zu differ\n", compared, mismatches);
  return mismatches == 0 ? 0 : 1;
}
