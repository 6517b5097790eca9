// AsyncRunStreamCall: one RunStream RPC served by an AsyncRunStreamHandler
// through gRPC's callback API. It holds no thread: the author's StartStream,
// timers and callbacks run on the shared Executor (see
// runnel/async_stream.h), and the call's state lives in a StreamChannelImpl
// that this reactor forwards gRPC's reactions to. A Serve() stop
// (ServeLifetime) cancels the stream at once, as the host's cancel does.
//
// Thread-safety: gRPC calls the reactions on its threads; the object
// deletes itself in OnDone, after which nothing refers to it (the channel
// calls the reactor only while the call is open).
#ifndef RUNNEL_SDK_SRC_ASYNC_RUN_STREAM_CALL_H_
#define RUNNEL_SDK_SRC_ASYNC_RUN_STREAM_CALL_H_

#include <grpcpp/support/server_callback.h>

#include <cstdint>
#include <memory>

#include "backend.grpc.pb.h"
#include "executor.h"
#include "runnel/async_stream.h"
#include "serve_lifetime.h"
#include "stream_channel_impl.h"

namespace runnel::internal {

class AsyncRunStreamCall final
    : public grpc::ServerWriteReactor<pluginv2::StreamPacket> {
 public:
  // Starts the stream. Owned by gRPC until OnDone. `executor` and
  // `lifetime` must outlive the call.
  static AsyncRunStreamCall* Start(
      RunStreamRequest request, std::shared_ptr<AsyncRunStreamHandler> handler,
      Executor* executor, ServeLifetime* lifetime);

  void OnWriteDone(bool ok) override { channel_->OnWriteDone(ok); }
  void OnCancel() override { channel_->OnHostCancel(); }
  void OnDone() override;

 private:
  AsyncRunStreamCall(Executor* executor, ServeLifetime* lifetime);

  ServeLifetime* const lifetime_;
  uint64_t stop_listener_id_ = 0;
  std::shared_ptr<StreamChannelImpl> channel_;
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_ASYNC_RUN_STREAM_CALL_H_
