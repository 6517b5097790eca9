// GrpcStreamSender: the StreamSender an author's RunStream gets. Each
// SendBytes writes one StreamPacket to the RunStream call's ServerWriter.
// Cancelled() turns true when the host cancels the call or Serve is stopping;
// SleepFor wakes early on either.
// Thread-safety: used only by the one thread running the RunStream handler
// (the StreamSender contract); the lifetime and context it reads are
// thread-safe. Owns nothing; all pointers outlive the sender.
#ifndef RUNNEL_SDK_SRC_GRPC_STREAM_SENDER_H_
#define RUNNEL_SDK_SRC_GRPC_STREAM_SENDER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <chrono>

#include "backend.grpc.pb.h"
#include "runnel/stream.h"
#include "serve_lifetime.h"

namespace runnel::internal {

class GrpcStreamSender final : public StreamSender {
 public:
  GrpcStreamSender(grpc::ServerContext* context,
                   grpc::ServerWriter<pluginv2::StreamPacket>* writer,
                   ServeLifetime* lifetime)
      : context_(context), writer_(writer), lifetime_(lifetime) {}

  Status SendBytes(std::string_view bytes) override;
  bool Cancelled() const override;
  bool SleepFor(std::chrono::nanoseconds d) override;

  // How often SleepFor re-checks for a host cancel: gRPC's sync API offers
  // no wake-up for it, so a sleeping stream notices within this time.
  static constexpr std::chrono::milliseconds kCancelPollInterval{5};
  // ServerContext::IsCancelled polls gRPC's completion queue in the sync
  // API (a syscall), so Cancelled() asks it at most this often; a send to a
  // cancelled call fails at once anyway.
  static constexpr std::chrono::microseconds kIsCancelledInterval{500};

 private:
  grpc::ServerContext* context_;
  grpc::ServerWriter<pluginv2::StreamPacket>* writer_;
  ServeLifetime* lifetime_;
  pluginv2::StreamPacket packet_;  // reused so a send does not allocate
  bool write_failed_ = false;      // the stream broke; every send fails now
  // Cancelled() cache (const method, single RunStream thread).
  mutable bool host_cancelled_ = false;
  mutable std::chrono::steady_clock::time_point next_cancel_check_{};
};

}  // namespace runnel::internal

#endif  // RUNNEL_SDK_SRC_GRPC_STREAM_SENDER_H_
