// Fuzz target: the WebSocket frame reader never crashes, never hands over a
// data message longer than its limit, and reports the same events however
// the bytes are split across reads. The input is read twice: as raw stream
// bytes, and as a recipe for well-formed masked frames (so that fragments,
// control frames and the size limit are reached, not just header faults).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "live/ws_frame.h"

namespace {

using runnel::host::ws::FrameHandler;
using runnel::host::ws::FrameReader;

constexpr size_t kLimit = 1000;

// Everything the reader reported, in order, as text.
class EventLog : public FrameHandler {
 public:
  void OnMessage(std::string_view payload, bool binary) override {
    if (payload.size() > kLimit) Fail("message over the limit");
    log += binary ? 'B' : 'T';
    log += std::to_string(payload.size());
    log += ':';
    log.append(payload);
  }
  void OnPing(std::string_view payload) override {
    if (payload.size() > 125) Fail("ping over 125 bytes");
    log += 'P';
    log += std::to_string(payload.size());
    log += ':';
    log.append(payload);
  }
  void OnClose(uint16_t code, std::string_view reason) override {
    log += 'C';
    log += std::to_string(code);
    log += ':';
    log.append(reason);
  }
  static void Fail(const char* what) {
    std::fprintf(stderr, "fuzz_ws_frames: %s\n", what);
    std::abort();
  }
  std::string log;
};

// Feeds `bytes` in pieces whose sizes come from `seed`; returns the events
// and the codes Feed returned.
std::string Run(std::vector<uint8_t> bytes, uint32_t seed) {
  FrameReader reader(kLimit);
  EventLog events;
  std::string codes;
  size_t at = 0;
  while (at < bytes.size()) {
    size_t piece = seed == 0 ? bytes.size() - at : 1 + seed % 97;
    seed = seed * 1103515245u + 12345u;
    if (piece > bytes.size() - at) piece = bytes.size() - at;
    uint16_t code = reader.Feed(bytes.data() + at, piece, events);
    if (code != 0) {
      codes += std::to_string(code);
      codes += ',';
    }
    at += piece;
  }
  // A last call with no bytes gives what is still pending (a fault found
  // in the same call as a 1009).
  if (uint16_t code = reader.Feed(nullptr, 0, events); code != 0) {
    codes += std::to_string(code);
    codes += ',';
  }
  // 1002 sticks and is repeated on every later Feed; count it once so that
  // different splits compare equal.
  if (codes.find("1002") != std::string::npos) {
    codes = codes.substr(0, codes.find("1002")) + "1002";
  }
  return events.log + "|" + codes;
}

void CheckSplitsAgree(const std::vector<uint8_t>& bytes) {
  const std::string whole = Run(bytes, 0);
  for (uint32_t seed : {1u, 7u, 12345u}) {
    if (Run(bytes, seed) != whole) EventLog::Fail("split changed the events");
  }
}

// Builds masked client frames from the input: per frame one control byte
// (opcode, FIN, RSV, length form), a length, four mask bytes, the payload.
std::vector<uint8_t> FramesFromRecipe(const uint8_t* data, size_t size) {
  static const uint8_t kOpcodes[] = {0x0, 0x1, 0x2, 0x8, 0x9, 0xA, 0x3};
  std::vector<uint8_t> out;
  size_t at = 0;
  auto next = [&]() -> uint8_t { return at < size ? data[at++] : 0; };
  while (at < size) {
    const uint8_t control = next();
    uint8_t first = kOpcodes[control % 7] | ((control & 0x80) ? 0x80 : 0);
    if ((control & 0x70) == 0x70) first |= 0x40;  // now and then an RSV bit
    out.push_back(first);
    size_t length = next();
    if (control & 0x08) length = length * 8;  // up to 2040: past the limit
    if (length < 126) {
      out.push_back(0x80 | static_cast<uint8_t>(length));
    } else if ((control & 0x10) == 0) {
      out.push_back(0x80 | 126);
      out.push_back(static_cast<uint8_t>(length >> 8));
      out.push_back(static_cast<uint8_t>(length));
    } else {
      out.push_back(0x80 | 127);
      for (int i = 7; i >= 0; --i) {
        out.push_back(static_cast<uint8_t>(uint64_t{length} >> (8 * i)));
      }
    }
    uint8_t mask[4] = {next(), next(), next(), next()};
    out.insert(out.end(), mask, mask + 4);
    for (size_t i = 0; i < length; ++i) {
      out.push_back(static_cast<uint8_t>(next() ^ mask[i & 3]));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckSplitsAgree(std::vector<uint8_t>(data, data + size));
  CheckSplitsAgree(FramesFromRecipe(data, size));
  return 0;
}
