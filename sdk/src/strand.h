// Strand: runs the tasks posted to it one at a time, in order, on an
// Executor's threads, so the tasks of one strand never overlap while
// different strands run in parallel. Each stream of an
// AsyncRunStreamHandler has one: its callbacks need no lock of their own.
//
// A strand takes a worker for at most kBatch tasks at a time and then
// queues itself again, so a busy stream cannot starve the others.
//
// Thread-safety: Post may be called from any thread, including from a task
// of the same strand. Held by shared_ptr; a queued drain keeps it alive.
// The executor must outlive the strand's queued work (it does: the
// executor destroys queued work when it is destroyed).
#ifndef RUNNEL_SDK_SRC_STRAND_H_
#define RUNNEL_SDK_SRC_STRAND_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>

#include <functional>
#include <list>
#include <memory>

#include "executor.h"

namespace runnel::internal {

class Strand : public std::enable_shared_from_this<Strand> {
 public:
  static constexpr int kBatch = 16;

  explicit Strand(Executor* executor) : executor_(executor) {}

  void Post(std::function<void()> task);

 private:
  void Drain();

  Executor* executor_;
  absl::Mutex mu_;
  // A list, not a deque: libstdc++'s deque allocates 576 bytes (its map
  // and a first 512-byte node) when constructed, and there is a strand per
  // async stream whose queue is empty nearly always. With the same change
  // to StreamChannelImpl's queue: plugin RSS 253 -> 248 MB at 10,000
  // bench/streams channels.
  std::list<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;  // a Drain queued or running
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_STRAND_H_
