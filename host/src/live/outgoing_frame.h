// OutgoingFrame: bytes on their way to a socket: the queued control frames
// (pongs, the close frame), or one text frame of queued messages joined by
// '\n'. `written` counts what the kernel took, so a write the socket could
// not take whole resumes where it stopped.
// Thread-safety: none; used by one connection on its loop.
#ifndef RUNNEL_HOST_LIVE_OUTGOING_FRAME_H_
#define RUNNEL_HOST_LIVE_OUTGOING_FRAME_H_

#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "live/shared_buffer.h"
#include "live/ws_frame.h"

namespace runnel::host {

struct OutgoingFrame {
  std::vector<SharedBuffer> messages;  // keeps the payloads alive
  std::string control;                 // whole control frames
  uint8_t header[ws::kMaxHeaderBytes];
  size_t header_size = 0;
  size_t total = 0;
  size_t written = 0;
  bool is_close = false;  // ends with this side's close frame

  // Empties it, keeping the capacity (scratch frames are reused).
  void Clear();
  // Frames `messages` as one text frame: sets the header and total.
  void FrameMessages();
  // Replaces *buffers with what is not written yet.
  void Unwritten(std::vector<boost::asio::const_buffer>* buffers) const;
  bool done() const { return written == total; }
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_OUTGOING_FRAME_H_
