// Writer: one connection's outgoing queue of encoded messages, bounded in
// bytes. It knows nothing of sockets: the connection asks it for the next
// batch (up to max_messages messages, which the connection sends joined
// with '\n' as ONE WebSocket text frame) and tells it when a write is done.
//
// Over the byte bound Enqueue reports kSlow and the queue is dropped: the
// connection must close with 3008 without flushing.
//
// Thread-safety: none; it belongs to one connection, which uses it on its
// event loop only.
#ifndef RUNNEL_HOST_LIVE_WRITER_H_
#define RUNNEL_HOST_LIVE_WRITER_H_

#include <cstddef>
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

  // Moves the next batch into *batch (cleared first) and marks a write in
  // flight. Returns false, and marks the writer idle, if nothing is queued.
  bool TakeBatch(std::vector<SharedBuffer>* batch);

  // Stops accepting messages. Already queued ones stay (for a flushing
  // close) unless `drop_queued`.
  void Close(bool drop_queued);

  size_t queued_bytes() const;
  size_t queued_messages() const;
  bool empty() const { return head_ == queue_.size(); }

 private:
  const size_t max_queue_bytes_;
  const size_t max_messages_in_frame_;
  const size_t max_frame_bytes_;
  // Pending messages are queue_[head_..]; a vector (not a deque) so an idle
  // connection holds no allocation.
  std::vector<SharedBuffer> queue_;
  size_t head_ = 0;
  size_t queued_bytes_ = 0;
  bool writing_ = false;  // a batch is out (between TakeBatch calls)
  bool closed_ = false;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_WRITER_H_
