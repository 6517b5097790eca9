#include "live/ws_frame.h"

#include <algorithm>
#include <cstring>

#include "live/utf8.h"

namespace runnel::host::ws {
namespace {

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kReservedBits = 0x70;
constexpr uint8_t kMaskBit = 0x80;

bool IsControl(Opcode opcode) { return static_cast<uint8_t>(opcode) >= 0x8; }

bool IsKnown(uint8_t opcode) {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

// Unmasks in place; `offset` is the position in the frame's payload of
// data[0], so a payload split over reads keeps the mask's phase.
void Unmask(uint8_t* data, size_t size, const uint8_t mask[4], size_t offset) {
  for (size_t i = 0; i < size; ++i) data[i] ^= mask[(offset + i) & 3];
}

}  // namespace

bool IsValidCloseCode(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

size_t EncodeHeader(Opcode opcode, uint64_t payload_size,
                    uint8_t out[kMaxHeaderBytes]) {
  out[0] = kFin | static_cast<uint8_t>(opcode);
  if (payload_size < 126) {
    out[1] = static_cast<uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(payload_size >> 8);
    out[3] = static_cast<uint8_t>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) {
    out[2 + i] = static_cast<uint8_t>(payload_size >> (56 - 8 * i));
  }
  return 10;
}

std::string EncodeClosePayload(uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, kMaxControlPayload - 2));
  return payload;
}

uint16_t FrameReader::StartFrame() {
  const uint8_t b0 = header_[0], b1 = header_[1];
  if (b0 & kReservedBits) return Fault("reserved bit set (no extension)");
  if (!IsKnown(b0 & 0x0F)) return Fault("unknown opcode");
  frame_fin_ = (b0 & kFin) != 0;
  frame_opcode_ = static_cast<Opcode>(b0 & 0x0F);
  uint64_t length = b1 & 0x7F;
  const uint8_t* mask = header_ + 2;
  if (length == 126) {
    length = (uint64_t{header_[2]} << 8) | header_[3];
    mask = header_ + 4;
  } else if (length == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | header_[2 + i];
    if (length >> 63) return Fault("64-bit length with the top bit set");
    mask = header_ + 10;
  }
  std::memcpy(mask_, mask, 4);
  mask_offset_ = 0;
  payload_left_ = length;
  if (IsControl(frame_opcode_)) {
    if (!frame_fin_) return Fault("fragmented control frame");
    if (length > kMaxControlPayload) return Fault("control frame over 125");
    control_.clear();
    return 0;
  }
  if (frame_opcode_ == Opcode::kContinuation) {
    if (!in_message_) return Fault("continuation without a message");
  } else {
    if (in_message_) return Fault("new message inside a fragmented one");
    in_message_ = true;
    message_binary_ = frame_opcode_ == Opcode::kBinary;
  }
  if (!discard_ && message_.size() + length > max_message_bytes_) {
    // Not a fault: the rest is skipped so that the peer's close frame,
    // after it, is still seen.
    DiscardMessages();
    too_big_ = true;
  }
  return 0;
}

uint16_t FrameReader::FinishFrame(FrameHandler& handler) {
  in_payload_ = false;
  header_size_ = 0;
  header_need_ = 2;
  switch (frame_opcode_) {
    case Opcode::kPing:
      handler.OnPing(control_);
      break;
    case Opcode::kPong:
      break;
    case Opcode::kClose:
      if (uint16_t fault = FinishClose(handler); fault != 0) return fault;
      break;
    default:
      if (frame_fin_) {
        in_message_ = false;
        if (!discard_) handler.OnMessage(message_, message_binary_);
        // Incoming messages are rare and small: hold nothing between them.
        message_.clear();
        message_.shrink_to_fit();
      }
      break;
  }
  control_.clear();
  control_.shrink_to_fit();
  return 0;
}

uint16_t FrameReader::FinishClose(FrameHandler& handler) {
  if (control_.empty()) {
    handler.OnClose(kCloseNoStatus, {});
    return 0;
  }
  if (control_.size() == 1) return Fault("close payload of one byte");
  const uint16_t code =
      static_cast<uint16_t>((static_cast<uint8_t>(control_[0]) << 8) |
                            static_cast<uint8_t>(control_[1]));
  if (!IsValidCloseCode(code)) return Fault("invalid close code");
  const std::string_view reason = std::string_view(control_).substr(2);
  if (!IsValidUtf8(reason)) return Fault("close reason is not UTF-8");
  handler.OnClose(code, reason);
  return 0;
}

uint16_t FrameReader::Report() {
  // In the order they happened: a message that passed the limit before a
  // later framing fault is reported first, the fault on the next Feed.
  if (too_big_) {
    too_big_ = false;
    return kCloseMessageTooBig;
  }
  return fault_;
}

uint16_t FrameReader::Feed(uint8_t* data, size_t size, FrameHandler& handler) {
  while (size > 0 && fault_ == 0) {
    if (!in_payload_) {
      // Gather the header: 2 bytes, then as many as the length byte says.
      while (header_size_ < header_need_ && size > 0) {
        header_[header_size_++] = *data++;
        --size;
        if (header_size_ == 2) {
          // Clients must mask; an unmasked frame's length would be misread.
          if (!(header_[1] & kMaskBit)) {
            fault_ = Fault("unmasked client frame");
            return Report();
          }
          const uint8_t length = header_[1] & 0x7F;
          header_need_ = 2 + 4 + (length == 126 ? 2 : length == 127 ? 8 : 0);
        }
      }
      if (header_size_ < header_need_) return 0;
      if ((fault_ = StartFrame()) != 0) return Report();
      in_payload_ = true;
      // A whole single-frame message inside this read: no copy at all.
      if (!IsControl(frame_opcode_) && frame_fin_ && message_.empty() &&
          payload_left_ <= size) {
        const size_t n = static_cast<size_t>(payload_left_);
        Unmask(data, n, mask_, 0);
        in_payload_ = false;
        in_message_ = false;
        header_size_ = 0;
        header_need_ = 2;
        if (!discard_) {
          handler.OnMessage(
              std::string_view(reinterpret_cast<const char*>(data), n),
              message_binary_);
        }
        data += n;
        size -= n;
        continue;
      }
      if (payload_left_ == 0) {  // e.g. an empty ping or close
        if ((fault_ = FinishFrame(handler)) != 0) return Report();
        continue;
      }
    }
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(payload_left_, size));
    Unmask(data, n, mask_, mask_offset_);
    mask_offset_ += n;
    std::string& target = IsControl(frame_opcode_) ? control_ : message_;
    if (IsControl(frame_opcode_) || !discard_) {
      target.append(reinterpret_cast<const char*>(data), n);
    }
    data += n;
    size -= n;
    payload_left_ -= n;
    if (payload_left_ == 0) {
      if ((fault_ = FinishFrame(handler)) != 0) return Report();
    }
  }
  return Report();
}

}  // namespace runnel::host::ws
