// RunStreamCall: one RunStream RPC, driven by gRPC's callback API.
//
// The author's RunStreamHandler runs on a thread of its own and sends through
// a StreamSender that queues packets; the reactor writes them back to back
// (the next write starts from OnWriteDone, on gRPC's thread, so a busy stream
// costs no thread hand-off per packet). When the queue is full
// (kMaxQueuedPackets or kMaxQueuedBytes) SendBytes blocks until it has
// drained to half, so a slow host slows the author down instead of growing
// memory, and a blocked author is not woken once per packet.
// OnCancel (host cancel) and a Serve() stop (a ServeLifetime listener) wake a
// sleeping or blocked author at once; nothing polls.
// When the handler returns, the packets already queued are written, then the
// call finishes with the handler's status (message preserved).
//
// Thread-safety: the reactor methods run on gRPC threads, the sender on the
// author's thread; shared state is guarded by mu_. The object deletes itself
// in OnDone, after joining the author's thread.
#ifndef RUNNEL_SDK_SRC_RUN_STREAM_CALL_H_
#define RUNNEL_SDK_SRC_RUN_STREAM_CALL_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_callback.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend.grpc.pb.h"
#include "runnel/stream.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class RunStreamCall final
    : public grpc::ServerWriteReactor<pluginv2::StreamPacket> {
 public:
  static constexpr size_t kMaxQueuedPackets = 1024;
  static constexpr size_t kMaxQueuedBytes = 1024 * 1024;

  // Starts the handler on its own thread. Owned by gRPC until OnDone.
  static RunStreamCall* Start(RunStreamRequest request,
                              std::shared_ptr<RunStreamHandler> handler,
                              ServeLifetime* lifetime);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  class Sender;

  RunStreamCall(std::shared_ptr<RunStreamHandler> handler,
                ServeLifetime* lifetime);
  void RunHandler(RunStreamRequest request);  // the author thread's body

  // Called from the author's thread through Sender.
  Status Enqueue(std::string_view bytes);
  bool Cancelled() const;
  bool SleepFor(std::chrono::nanoseconds d);
  void FinishFromHandler(const Status& status);
  // Wakes every wait so it re-checks Cancelled().
  void WakeWaiters();

  // REQUIRES: mu_ held. Returns a buffer (recycled when possible).
  std::string TakeBuffer();

  std::shared_ptr<RunStreamHandler> handler_;
  ServeLifetime* lifetime_;
  uint64_t stop_listener_id_ = 0;
  std::thread thread_;  // the author's RunStream; joined or detached in OnDone

  // Host cancel or a failed write; read lock-free by Cancelled().
  std::atomic<bool> cancelled_{false};

  std::mutex mu_;                     // guards everything below
  std::condition_variable space_cv_;  // queue space freed, or cancelled
  std::condition_variable wake_cv_;   // cancelled/stopping (ends SleepFor)
  std::deque<std::string> queue_;     // packets waiting behind in_flight_
  size_t queued_bytes_ = 0;
  std::vector<std::string> free_buffers_;  // recycled packet buffers
  bool write_in_flight_ = false;  // in_flight_ is owned by gRPC right now
  bool waiting_for_space_ = false;
  bool finishing_ = false;  // the handler returned; finish once drained
  grpc::Status finish_status_;
  pluginv2::StreamPacket in_flight_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_RUN_STREAM_CALL_H_
