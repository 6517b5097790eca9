#include "ws_codec.h"

#include <cstring>

namespace runnel::loadgen {
namespace {

// Any fixed 4 bytes are a valid mask; the server cannot tell the difference
// and masking stays a cheap XOR.
constexpr uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

}  // namespace

std::string BuildUpgradeRequest(std::string_view host_port,
                                std::string_view path) {
  std::string request;
  request.reserve(200);
  request += "GET ";
  request += path;
  request += " HTTP/1.1\r\nHost: ";
  request += host_port;
  request +=
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: cnVubmVsLWxvYWRnZW4tMQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  return request;
}

UpgradeResult ParseUpgradeResponse(std::string_view received,
                                   size_t* head_size) {
  const size_t end = received.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return received.size() > 16384 ? UpgradeResult::kRejected
                                   : UpgradeResult::kIncomplete;
  }
  *head_size = end + 4;
  // "HTTP/1.1 101 Switching Protocols"
  if (received.size() >= 12 && received.substr(0, 5) == "HTTP/" &&
      received.substr(8, 4) == " 101") {
    return UpgradeResult::kAccepted;
  }
  return UpgradeResult::kRejected;
}

void AppendClientFrame(WsOpcode opcode, std::string_view payload,
                       std::string* out) {
  out->push_back(static_cast<char>(0x80 | static_cast<uint8_t>(opcode)));
  const size_t size = payload.size();
  if (size < 126) {
    out->push_back(static_cast<char>(0x80 | size));
  } else if (size <= 0xffff) {
    out->push_back(static_cast<char>(0x80 | 126));
    out->push_back(static_cast<char>(size >> 8));
    out->push_back(static_cast<char>(size & 0xff));
  } else {
    out->push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out->push_back(static_cast<char>((uint64_t{size} >> shift) & 0xff));
    }
  }
  out->append(reinterpret_cast<const char*>(kMask), 4);
  const size_t start = out->size();
  out->append(payload);
  for (size_t i = 0; i < size; ++i) (*out)[start + i] ^= kMask[i & 3];
}

uint64_t ServerFrameSize(const char* data, size_t size) {
  if (size < 2) return 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data);
  const uint64_t mask = (bytes[1] & 0x80) ? 4 : 0;
  const uint64_t length = bytes[1] & 0x7f;
  if (length < 126) return 2 + mask + length;
  const size_t extra = length == 126 ? 2 : 8;
  if (size < 2 + extra) return 0;
  uint64_t payload = 0;
  for (size_t i = 0; i < extra; ++i) payload = (payload << 8) | bytes[2 + i];
  return 2 + extra + mask + payload;
}

long ParseServerFrame(char* data, size_t size, size_t max_payload,
                      WsFrame* frame) {
  if (size < 2) return 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data);
  if (bytes[0] & 0x70) return -1;  // no extension negotiated: RSV must be 0
  frame->fin = (bytes[0] & 0x80) != 0;
  frame->opcode = static_cast<WsOpcode>(bytes[0] & 0x0f);
  const bool masked = (bytes[1] & 0x80) != 0;
  uint64_t length = bytes[1] & 0x7f;
  size_t header = 2;
  if (length == 126) {
    if (size < 4) return 0;
    length = (uint64_t{bytes[2]} << 8) | bytes[3];
    header = 4;
  } else if (length == 127) {
    if (size < 10) return 0;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | bytes[2 + i];
    header = 10;
  }
  if (length > max_payload) return -1;
  const size_t mask_at = header;
  if (masked) header += 4;
  if (size < header + length) return 0;
  char* payload = data + header;
  if (masked) {
    for (uint64_t i = 0; i < length; ++i) payload[i] ^= data[mask_at + (i & 3)];
  }
  frame->payload = std::string_view(payload, length);
  return static_cast<long>(header + length);
}

}  // namespace runnel::loadgen
