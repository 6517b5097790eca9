// WebSocket (RFC 6455) framing for the server side of /api/live/ws: the
// header of an outgoing (unmasked) frame, close payloads, and an incremental
// reader of incoming (masked) client frames.
//
// The reader keeps only what a frame in progress needs (a few header bytes,
// and the message so far when it spans reads), so an idle connection holds
// no buffer. It does no I/O: the connection feeds it the bytes it read.
//
// Why not Beast's websocket::stream (Beast still serves HTTP): its state
// embeds a 1,536-byte read buffer, a 139-byte control buffer and a timer
// in every connection, which alone breaks the 4 KB per idle connection
// budget; here the read buffer is one per loop (IoScratch, io_loops.h).
//
// Thread-safety: a FrameReader belongs to one connection (one thread at a
// time). The free functions are pure.
#ifndef RUNNEL_HOST_LIVE_WS_FRAME_H_
#define RUNNEL_HOST_LIVE_WS_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace runnel::host::ws {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes the framing layer itself uses.
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseProtocolError = 1002;
inline constexpr uint16_t kCloseNoStatus = 1005;  // never sent on the wire
inline constexpr uint16_t kCloseMessageTooBig = 1009;

inline constexpr size_t kMaxHeaderBytes = 10;  // server frames are unmasked
inline constexpr size_t kMaxControlPayload = 125;

// Whether `code` may travel in a close frame (RFC 6455 section 7.4): 1000-
// 1003 and 1007-1014 (defined or IANA-registered), 3000-4999 (registered
// and private use). 1004 is reserved; 1005, 1006 and 1015 are local-only
// and never on the wire; everything else is unassigned. A close frame from
// the peer with another code is a protocol error (1002), and this server
// never sends one.
bool IsValidCloseCode(uint16_t code);

// Writes the header of one unmasked, final frame with `payload_size` bytes
// into `out`; returns the header's length (2, 4 or 10).
size_t EncodeHeader(Opcode opcode, uint64_t payload_size,
                    uint8_t out[kMaxHeaderBytes]);

// A close frame's payload: the code (big-endian) and the reason, cut to
// fit the 125-byte control frame limit.
std::string EncodeClosePayload(uint16_t code, std::string_view reason);

// What the reader found. Data messages are whole (fragments joined).
class FrameHandler {
 public:
  virtual ~FrameHandler() = default;
  virtual void OnMessage(std::string_view payload, bool binary) = 0;
  virtual void OnPing(std::string_view payload) = 0;
  // `code` is kCloseNoStatus when the frame carried none.
  virtual void OnClose(uint16_t code, std::string_view reason) = 0;
};

class FrameReader {
 public:
  explicit FrameReader(size_t max_message_bytes)
      : max_message_bytes_(max_message_bytes) {}

  // Consumes `size` bytes, unmasking them in place (so a message inside one
  // read is handed over without a copy). Handler calls happen inside Feed.
  // Returns 0 while all is well; kCloseProtocolError on a framing fault
  // (fault_reason() says which),
  // after which the reader ignores everything; kCloseMessageTooBig once
  // when a message passes the limit, after which data messages are
  // discarded (DiscardMessages) but control frames still arrive. When both
  // happen in one call, 1009 comes first and the fault on the next call
  // (a call with no bytes is fine for that).
  uint16_t Feed(uint8_t* data, size_t size, FrameHandler& handler);

  // From now on data messages are dropped unseen (the connection is closing
  // and only waits for the peer's close frame); control frames still count.
  void DiscardMessages() {
    discard_ = true;
    message_.clear();
    message_.shrink_to_fit();
  }

  // What the protocol error was ("" before one).
  const char* fault_reason() const { return fault_reason_; }

  // Heap bytes held for frames in progress (0 between messages).
  size_t buffered_bytes() const {
    return HeapBytes(message_) + HeapBytes(control_);
  }

 private:
  static size_t HeapBytes(const std::string& s) {
    return s.capacity() > std::string().capacity() ? s.capacity() : 0;
  }
  // Parses header_[0..header_size_) once complete; returns a close code on a
  // fault, 0 otherwise.
  uint16_t StartFrame();
  // Records a protocol error; returns kCloseProtocolError.
  uint16_t Fault(const char* reason) {
    fault_reason_ = reason;
    return kCloseProtocolError;
  }
  // Checks a close frame's payload (code and UTF-8 reason) and hands it on.
  uint16_t FinishClose(FrameHandler& handler);
  // What Feed returns: a pending 1009 first, else the fault (or 0).
  uint16_t Report();
  uint16_t FinishFrame(FrameHandler& handler);

  const size_t max_message_bytes_;
  uint8_t header_[14];
  size_t header_size_ = 0;  // header bytes gathered so far
  size_t header_need_ = 2;  // header bytes needed (known after byte 2)
  bool in_payload_ = false;
  uint64_t payload_left_ = 0;
  uint8_t mask_[4] = {0, 0, 0, 0};
  size_t mask_offset_ = 0;
  Opcode frame_opcode_ = Opcode::kContinuation;
  bool frame_fin_ = false;
  bool in_message_ = false;  // a fragmented data message is under way
  bool message_binary_ = false;
  bool discard_ = false;
  bool too_big_ = false;  // to report at the end of this Feed
  uint16_t fault_ = 0;
  const char* fault_reason_ = "";
  std::string message_;  // the data message so far
  std::string control_;  // the control frame's payload so far
};

}  // namespace runnel::host::ws

#endif  // RUNNEL_HOST_LIVE_WS_FRAME_H_
