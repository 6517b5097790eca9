#include "push/utf8.h"

#include <cstddef>
#include <cstdint>

namespace runnel::host {
namespace {

// Length of the sequence a lead byte starts, 0 for a byte that cannot lead.
int SequenceLength(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;  // continuation byte, overlong C0/C1, or beyond U+10FFFF
}

// The allowed range of the byte after `lead` (RFC 3629 table): narrower
// than 80..BF after E0, ED, F0 and F4, which rules out overlong forms,
// surrogates and code points above U+10FFFF.
bool SecondByteOk(uint8_t lead, uint8_t second) {
  uint8_t low = 0x80;
  uint8_t high = 0xBF;
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  return second >= low && second <= high;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    int length = SequenceLength(bytes[i]);
    if (length == 0 || i + length > text.size()) return false;
    if (length > 1 && !SecondByteOk(bytes[i], bytes[i + 1])) return false;
    for (int k = 2; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace runnel::host
