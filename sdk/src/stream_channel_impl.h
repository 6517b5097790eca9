// StreamChannelImpl: the StreamChannel of one async RunStream call (see
// runnel/async_stream.h for the author's contract). It owns the stream's
// send queue, its timers on the shared Executor and its Strand, and drives
// the call's gRPC reactor: StartWrite for each packet (back to back, the
// next one from OnWriteDone) and Finish once the stream has ended and its
// queue has drained.
//
// Lifetime: shared by the reactor (until OnDone) and the author. The reactor
// pointer is used only while the call is open: StartWrite only while a
// write is owed, Finish exactly once, and never after Finish (OnDone, which
// deletes the reactor, cannot come before). Everything the executor holds
// for the stream refers to it weakly, so a dropped stream is not kept alive
// by its timers, and ending the stream cancels the timers (releasing the
// author's callbacks and any shared_ptr they capture).
//
// Thread-safety: every method may be called from any thread. mu_ guards the
// call state; no lock is held while author code runs or while the reactor
// is called. Lock order: mu_ before the Executor's and the Strand's locks.
#ifndef RUNNEL_SDK_SRC_STREAM_CHANNEL_IMPL_H_
#define RUNNEL_SDK_SRC_STREAM_CHANNEL_IMPL_H_

#include <absl/base/thread_annotations.h>
#include <absl/synchronization/mutex.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "backend.grpc.pb.h"
#include "executor.h"
#include "runnel/async_stream.h"
#include "strand.h"

namespace runnel::internal {

class StreamChannelImpl final
    : public StreamChannel,
      public std::enable_shared_from_this<StreamChannelImpl> {
 public:
  using Reactor = grpc::ServerWriteReactor<pluginv2::StreamPacket>;

  // `reactor` and `executor` must outlive the open call.
  StreamChannelImpl(Reactor* reactor, Executor* executor);

  // Runs handler->StartStream on the stream's strand.
  void Start(RunStreamRequest request,
             std::shared_ptr<AsyncRunStreamHandler> handler);

  // From the reactor (gRPC threads) and the plugin's stop.
  void OnWriteDone(bool ok);
  void OnHostCancel();
  // OnDone: the call is over. From now on nothing may reach the executor
  // (Serve destroys it once every call is done).
  void Detach();

  // StreamChannel.
  Status SendBytes(std::string_view bytes) override;
  TimerId Every(std::chrono::nanoseconds interval, Callback fn) override;
  TimerId After(std::chrono::nanoseconds delay, Callback fn) override;
  void StopTimer(TimerId id) override;
  void OnCancel(Callback fn) override;
  void End(Status status) override;
  bool Ended() const override { return ended_.load(std::memory_order_acquire); }

 private:
  struct Timer;  // one Every or After: the author's callback and its id

  TimerId AddTimer(std::chrono::nanoseconds delay,
                   std::chrono::nanoseconds interval, Callback fn);
  // On the strand: runs the timer's callback unless it was stopped or the
  // stream has ended meanwhile.
  void RunTimer(const std::shared_ptr<Timer>& timer);
  // Runs author code; an exception is logged and ends the stream.
  void CallAuthor(const Callback& fn, const char* what);
  // Ends the stream (first call wins) and finishes the call when possible.
  void Finalize(const grpc::Status& status, bool host_cancelled);

  // True when the caller must now call Finish: the stream has ended,
  // nothing is being written, Finish was not called.
  bool TakeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropQueueLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string TakeBufferLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecycleLocked(std::string buffer) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Reactor* const reactor_;
  Executor* const executor_;
  const std::shared_ptr<Strand> strand_;

  // Mirrors ended_locked_ for the lock-free Ended().
  std::atomic<bool> ended_{false};

  absl::Mutex mu_;
  bool ended_locked_ ABSL_GUARDED_BY(mu_) = false;
  bool host_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_called_ ABSL_GUARDED_BY(mu_) = false;
  bool detached_ ABSL_GUARDED_BY(mu_) = false;  // OnDone has run
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_);
  std::set<TimerId> timers_ ABSL_GUARDED_BY(mu_);  // live timers
  Callback on_cancel_ ABSL_GUARDED_BY(mu_);
  // in_flight_ is owned by gRPC right now (from StartWrite to OnWriteDone).
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // Written under mu_ only while no write is in flight; gRPC reads it
  // through the pointer given to StartWrite.
  pluginv2::StreamPacket in_flight_;
  // Packets waiting behind in_flight_. A list, not a deque: libstdc++'s
  // deque allocates 576 bytes when constructed, and this queue (one per
  // open stream) is empty nearly always; see strand.h for the measurement.
  std::list<std::string> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // A few recycled packet buffers.
  std::vector<std::string> free_buffers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_STREAM_CHANNEL_IMPL_H_
