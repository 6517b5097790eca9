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

#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
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

  // REQUIRES: mu_ held. True when the caller must now call Finish: the
  // stream has ended, nothing is being written, Finish was not called.
  bool TakeFinishLocked();
  // REQUIRES: mu_ held.
  void DropQueueLocked();
  std::string TakeBufferLocked();
  void RecycleLocked(std::string buffer);

  Reactor* const reactor_;
  Executor* const executor_;
  const std::shared_ptr<Strand> strand_;

  // Mirrors ended_locked_ for the lock-free Ended().
  std::atomic<bool> ended_{false};

  std::mutex mu_;  // guards everything below
  bool ended_locked_ = false;
  bool host_cancelled_ = false;
  bool finish_called_ = false;
  grpc::Status finish_status_;
  std::set<TimerId> timers_;  // live timers of this stream
  Callback on_cancel_;
  bool write_in_flight_ = false;  // in_flight_ is owned by gRPC right now
  pluginv2::StreamPacket in_flight_;
  std::deque<std::string> queue_;  // packets waiting behind in_flight_
  size_t queued_bytes_ = 0;
  std::vector<std::string> free_buffers_;  // a few recycled packet buffers
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_STREAM_CHANNEL_IMPL_H_
