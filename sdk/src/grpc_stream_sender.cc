#include "grpc_stream_sender.h"

#include <algorithm>

namespace runnel::internal {

Status GrpcStreamSender::SendBytes(std::string_view bytes) {
  if (write_failed_ || Cancelled()) {
    return Status::Cancelled("the stream was cancelled by the host");
  }
  packet_.mutable_data()->assign(bytes.data(), bytes.size());
  if (!writer_->Write(packet_)) {
    write_failed_ = true;
    return Status::Cancelled("the host closed the stream");
  }
  return Status::Ok();
}

bool GrpcStreamSender::Cancelled() const {
  if (host_cancelled_ || lifetime_->stopping()) return true;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_cancel_check_) return false;
  next_cancel_check_ = now + kIsCancelledInterval;
  host_cancelled_ = context_->IsCancelled();
  return host_cancelled_;
}

bool GrpcStreamSender::SleepFor(std::chrono::nanoseconds d) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + d;
  while (true) {
    if (Cancelled()) return false;
    const Clock::duration remaining = deadline - Clock::now();
    if (remaining <= Clock::duration::zero()) return true;
    if (lifetime_->WaitFor(std::min<std::chrono::nanoseconds>(
            remaining, kCancelPollInterval))) {
      return false;
    }
  }
}

}  // namespace runnel::internal
