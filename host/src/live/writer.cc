#include "live/writer.h"

namespace runnel::host {
namespace {
// Queue capacity kept after a drain; more is given back.
constexpr size_t kKeptCapacity = 32;
}  // namespace

Writer::Writer(size_t max_queue_bytes, size_t max_messages_in_frame,
               size_t max_frame_bytes)
    : max_queue_bytes_(max_queue_bytes),
      max_messages_in_frame_(
          max_messages_in_frame == 0 ? 1 : max_messages_in_frame),
      max_frame_bytes_(max_frame_bytes) {}

Writer::EnqueueResult Writer::Enqueue(SharedBuffer message) {
  if (closed_) return EnqueueResult::kClosed;
  queued_bytes_ += message->size();
  queue_.push_back(std::move(message));
  if (queued_bytes_ + control_.size() > max_queue_bytes_) return Overflow();
  if (writing_) return EnqueueResult::kQueued;
  writing_ = true;
  return EnqueueResult::kStartWrite;
}

Writer::EnqueueResult Writer::EnqueueControl(std::string_view frame,
                                             bool is_close) {
  if (closed_ && !is_close) return EnqueueResult::kClosed;
  control_.append(frame);
  if (!is_close && queued_bytes_ + control_.size() > max_queue_bytes_) {
    return Overflow();
  }
  return EnqueueResult::kQueued;
}

bool Writer::TakeControl(std::string* frames) {
  if (control_.empty()) return false;
  frames->swap(control_);
  // Pongs are rare: an idle connection keeps no buffer for them.
  control_.clear();
  control_.shrink_to_fit();
  return true;
}

Writer::EnqueueResult Writer::Overflow() {
  overflow_bytes_ = queued_bytes_ + control_.size();
  Close(/*drop_queued=*/true);
  return EnqueueResult::kSlow;
}

bool Writer::TakeBatch(std::vector<SharedBuffer>* batch) {
  batch->clear();
  size_t frame_bytes = 0;
  while (head_ < queue_.size() && batch->size() < max_messages_in_frame_) {
    size_t size = queue_[head_]->size();
    if (!batch->empty() && frame_bytes + size + 1 > max_frame_bytes_) break;
    frame_bytes += size + 1;
    queued_bytes_ -= size;
    batch->push_back(std::move(queue_[head_]));
    ++head_;
  }
  if (head_ == queue_.size()) {
    queue_.clear();
    head_ = 0;
    if (queue_.capacity() > kKeptCapacity) queue_.shrink_to_fit();
  } else if (head_ > queue_.size() / 2) {
    queue_.erase(queue_.begin(), queue_.begin() + head_);
    head_ = 0;
  }
  writing_ = !batch->empty();
  return writing_;
}

void Writer::Close(bool drop_queued) {
  closed_ = true;
  if (drop_queued) {
    queue_.clear();
    head_ = 0;
    queue_.shrink_to_fit();
    queued_bytes_ = 0;
    control_.clear();
    control_.shrink_to_fit();
  }
}

size_t Writer::queued_bytes() const { return queued_bytes_ + control_.size(); }

size_t Writer::queued_messages() const { return queue_.size() - head_; }

}  // namespace runnel::host
