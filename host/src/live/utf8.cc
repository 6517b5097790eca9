#include "live/utf8.h"

#include <cstdint>

namespace runnel::host {
namespace {

bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// The length of the sequence led by `lead`, and the range its second byte
// must fall in (RFC 3629 section 4 narrows it to rule out overlong forms,
// surrogates and code points past U+10FFFF); 0 for an invalid lead.
int SequenceLength(uint8_t lead, uint8_t* low, uint8_t* high) {
  *low = 0x80;
  *high = 0xBF;
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (lead == 0xE0) *low = 0xA0;   // overlong
    if (lead == 0xED) *high = 0x9F;  // surrogates
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (lead == 0xF0) *low = 0x90;   // overlong
    if (lead == 0xF4) *high = 0x8F;  // past U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    uint8_t low, high;
    const int length =
        SequenceLength(static_cast<uint8_t>(text[i]), &low, &high);
    if (length == 0 || text.size() - i < static_cast<size_t>(length)) {
      return false;
    }
    if (length > 1) {
      const uint8_t second = static_cast<uint8_t>(text[i + 1]);
      if (second < low || second > high) return false;
    }
    for (int k = 2; k < length; ++k) {
      if (!IsContinuation(static_cast<uint8_t>(text[i + k]))) return false;
    }
    i += static_cast<size_t>(length);
  }
  return true;
}

}  // namespace runnel::host
