// RunStreamCall: one RunStream RPC, read with gRPC's callback API
// (grpc::ClientReadReactor), so no thread waits on it. Packets are handed to
// `on_packet` one at a time and in order, on a gRPC callback thread; when it
// returns false the call is cancelled and no more packets are read.
// `on_done` is called once with the final status, after the last on_packet,
// on `done_on`'s thread.
//
// Thread-safety: Cancel may be called from any thread at any time, also
// before Start and after the end. Handlers must not block; anything they
// throw is caught and logged (a throwing on_packet cancels the call).
// Ownership: shared. The call holds itself until on_done has returned, and
// both that and the release happen on `done_on`, never on a gRPC thread: the
// call holds its channel, and gRPC (1.51) aborts when the last channel that
// used its callback queue is destroyed on that queue's own thread (which
// happens when a plugin restarted and this call had the old one). `done_on`
// must run until on_done has been called. The owner keeps a shared_ptr only
// to Cancel.
#ifndef RUNNEL_HOST_STREAM_RUN_STREAM_CALL_H_
#define RUNNEL_HOST_STREAM_RUN_STREAM_CALL_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/client_callback.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "backend.grpc.pb.h"

namespace runnel::host {

class RunStreamCall final
    : public grpc::ClientReadReactor<pluginv2::StreamPacket>,
      public std::enable_shared_from_this<RunStreamCall> {
 public:
  using PacketFn = std::function<bool(const std::string& data)>;
  using DoneFn = std::function<void(const grpc::Status& status)>;

  // Everything that can fail (allocations) happens here, before Start.
  RunStreamCall(const std::shared_ptr<grpc::Channel>& channel,
                pluginv2::RunStreamRequest request, PacketFn on_packet,
                DoneFn on_done, boost::asio::io_context* done_on);

  // Starts the RPC. Call once.
  void Start();
  void Cancel() { context_.TryCancel(); }

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  grpc::ClientContext context_;
  const std::unique_ptr<pluginv2::Stream::Stub> stub_;
  const pluginv2::RunStreamRequest request_;
  pluginv2::StreamPacket packet_;
  const PacketFn on_packet_;
  const DoneFn on_done_;
  boost::asio::io_context* const done_on_;
  std::shared_ptr<RunStreamCall> self_;  // set from Start until OnDone
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_RUN_STREAM_CALL_H_
