// Writer: one connection's outgoing queue of encoded messages, bounded in
// bytes. It knows nothing of sockets: the connection asks it for the next
// batch (up to max_messages messages, which the connection sends joined
// with '\n' as ONE WebSocket text frame) and tells it when a write is done.
//
// Control frames (pongs, the close frame) wait here too, already framed, and
// leave before the next batch. Everything queued counts against the one
// byte bound, so a client that sends pings and never reads cannot make the
// server hold more than a slow reader of publications can.
//
// Over the byte bound Enqueue or EnqueueControl reports kSlow and the queue
// is dropped: the connection must close with 3008 without flushing.
//
// Thread-safety: none; it belongs to one connection, which uses it on its
// event loop only.
#ifndef RUNNEL_HOST_LIVE_WRITER_H_
#define RUNNEL_HOST_LIVE_WRITER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "live/shared_buffer.h"

namespace runnel::host {

class Writer {
 public:
  enum class EnqueueResult {
    kQueued,      // a write is in flight; it will pick this up
    kStartWrite,  // the writer was idle: the caller must start a write pass
    kSlow,        // over the byte bound: close with 3008, queue dropped
    kClosed,      // the writer was closed; message dropped
  };

  Writer(size_t max_queue_bytes, size_t max_messages_in_frame,
         size_t max_frame_bytes);

  EnqueueResult Enqueue(SharedBuffer message);

  // Queues a whole control frame (header and payload). kQueued, kSlow (as
  // Enqueue), or kClosed after Close. A close frame (`is_close`) is always
  // taken, even after Close: it is how the connection ends, one per
  // connection, at most 127 bytes.
  EnqueueResult EnqueueControl(std::string_view frame, bool is_close);
  // Moves the queued control frames into *frames (replacing its contents);
  // false if there are none.
  bool TakeControl(std::string* frames);
  bool has_control() const { return !control_.empty(); }

  // Moves the next batch into *batch (cleared first) and marks a write in
  // flight. Returns false, and marks the writer idle, if nothing is queued.
  bool TakeBatch(std::vector<SharedBuffer>* batch);

  // Stops accepting messages. Already queued ones stay (for a flushing
  // close) unless `drop_queued`.
  void Close(bool drop_queued);

  // Messages and control frames waiting.
  size_t queued_bytes() const;
  size_t queued_messages() const;
  // What was queued when the bound was passed (for the 3008 log line); 0
  // if it never was.
  size_t overflow_bytes() const { return overflow_bytes_; }
  bool empty() const { return head_ == queue_.size(); }  // messages only

 private:
  const size_t max_queue_bytes_;
  const size_t max_messages_in_frame_;
  const size_t max_frame_bytes_;
  // Pending messages are queue_[head_..]; a vector (not a deque) so an idle
  // connection holds no allocation.
  std::vector<SharedBuffer> queue_;
  size_t head_ = 0;
  size_t queued_bytes_ = 0;  // messages only
  std::string control_;      // framed control frames, in order
  size_t overflow_bytes_ = 0;
  bool writing_ = false;  // a batch is out (between TakeBatch calls)
  bool closed_ = false;

  // Drops everything queued after the bound was passed.
  EnqueueResult Overflow();
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_WRITER_H_
