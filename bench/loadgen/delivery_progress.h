// Delivery progress of the push benchmark: how many frames the SLOWEST
// subscriber has received, so that the pusher can stay a small window of
// bodies ahead of delivery instead of ahead of the server's answers.
//
// SlowestSubscriber (one per worker) keeps a count per subscriber and the
// smallest count among the subscribers still connected. ProgressBoard is a
// page of memory shared by the coordinator's children (mapped before they
// are forked): one slot per worker holding its slowest subscriber's count,
// and an eventfd the workers signal when their slot grows, on which the
// pusher waits. The pusher reads the minimum over the slots.
//
// Thread-safety: SlowestSubscriber is single-threaded. ProgressBoard's
// slots are atomics: each is written by one worker process and read by the
// pusher; Signal/Clear may be called from any process holding the board.
#ifndef RUNNEL_BENCH_LOADGEN_DELIVERY_PROGRESS_H_
#define RUNNEL_BENCH_LOADGEN_DELIVERY_PROGRESS_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace runnel::loadgen {

// The count of a worker (or a board) without any subscriber: it holds no
// one back.
inline constexpr uint64_t kNoSubscriber = std::numeric_limits<uint64_t>::max();

class SlowestSubscriber {
 public:
  // Starts counting `id` (a connection's descriptor) from 0.
  void Add(int id);
  // One more frame for `id`; ignored if `id` is not counted.
  void Count(int id);
  // `id` is gone (disconnected): it no longer holds the minimum back.
  void Remove(int id);
  // The smallest count among the subscribers counted; kNoSubscriber if
  // there are none.
  uint64_t Min() const { return live_ == 0 ? kNoSubscriber : min_; }

 private:
  void Recompute();

  std::vector<uint64_t> counts_;  // by id
  std::vector<bool> counted_;     // by id
  int live_ = 0;                  // ids counted
  uint64_t min_ = 0;              // the smallest count, if live_ > 0
  int at_min_ = 0;                // ids whose count is min_
};

class ProgressBoard {
 public:
  // Maps a board of `slots` slots, all 0. Null (after perror) on failure.
  static std::unique_ptr<ProgressBoard> Create(int slots);
  ~ProgressBoard();
  ProgressBoard(const ProgressBoard&) = delete;
  ProgressBoard& operator=(const ProgressBoard&) = delete;

  // Stores `count` in `slot` and, if it changed, wakes the reader.
  void Publish(int slot, uint64_t count);
  // The smallest count over all slots.
  uint64_t Min() const;
  // When the measurement window started (CLOCK_REALTIME ns; 0 before):
  // set by the coordinator before it tells anyone, so that every body sent
  // in the window carries a later send time, however late a worker reads
  // its "M", and the warm-up body an earlier one.
  void SetWindowStart(int64_t realtime_ns);
  int64_t WindowStart() const;
  // Readable after a Publish that changed a slot; Clear() empties it.
  int wake_fd() const { return wake_fd_; }
  void Clear();

 private:
  ProgressBoard(std::atomic<uint64_t>* slots, int count, size_t bytes,
                int wake_fd)
      : slots_(slots), count_(count), bytes_(bytes), wake_fd_(wake_fd) {}

  // Shared mapping: count_ slots, then the window start.
  std::atomic<uint64_t>* const slots_;
  const int count_;
  const size_t bytes_;
  const int wake_fd_;  // eventfd, shared across fork
};

}  // namespace runnel::loadgen

#endif  // RUNNEL_BENCH_LOADGEN_DELIVERY_PROGRESS_H_
