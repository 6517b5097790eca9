// The client half of WebSocket (RFC 6455) framing that the load generator
// needs, and nothing more: the upgrade request, the 101 check, masked client
// frames, and parsing of (unmasked) server frames in place.
//
// Kept apart from the tests' WebSocket clients (tests/support/ws_client.h,
// raw_ws_client.h) on purpose: the load generator parses frames in place in
// its own buffers with no allocation per message, so that it measures the
// server, not itself; the test clients favour checks and deadlines.
//
// Thread-safety: free functions on caller-owned buffers; no state.
#ifndef RUNNEL_BENCH_LOADGEN_WS_CODEC_H_
#define RUNNEL_BENCH_LOADGEN_WS_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace runnel::loadgen {

enum class WsOpcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// The HTTP/1.1 upgrade request for `host_port` and `path`.
std::string BuildUpgradeRequest(std::string_view host_port,
                                std::string_view path);

// Result of looking at the bytes received before the WebSocket starts.
enum class UpgradeResult { kIncomplete, kAccepted, kRejected };
// Looks for the end of the HTTP response head in `received`; on kAccepted or
// kRejected sets *head_size to the bytes the head took (frames may follow).
UpgradeResult ParseUpgradeResponse(std::string_view received,
                                   size_t* head_size);

// Appends one masked client frame (FIN set) holding `payload` to `out`.
void AppendClientFrame(WsOpcode opcode, std::string_view payload,
                       std::string* out);

// One server frame parsed in place: `payload` points into the buffer given
// to ParseServerFrame (unmasked there if the server masked it).
struct WsFrame {
  bool fin = false;
  WsOpcode opcode = WsOpcode::kText;
  std::string_view payload;
};

// The total size (header and payload) of the frame starting at
// data[0, size), or 0 if its header is not all there yet. Lets a reader
// size its buffer, and the socket's wake-up mark, for the whole frame.
uint64_t ServerFrameSize(const char* data, size_t size);

// Parses the frame at the start of data[0, size). Returns the bytes it
// takes, 0 if incomplete, or -1 if the frame is malformed or larger than
// `max_payload`.
long ParseServerFrame(char* data, size_t size, size_t max_payload,
                      WsFrame* frame);

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_WS_CODEC_H_
