#include "stream/run_stream_call.h"

#include <boost/asio/post.hpp>

#include "stream/callback_guard.h"

namespace runnel::host {

RunStreamCall::RunStreamCall(const std::shared_ptr<grpc::Channel>& channel,
                             pluginv2::RunStreamRequest request,
                             PacketFn on_packet, DoneFn on_done,
                             boost::asio::io_context* done_on)
    : stub_(pluginv2::Stream::NewStub(channel)),
      request_(std::move(request)),
      on_packet_(std::move(on_packet)),
      on_done_(std::move(on_done)),
      done_on_(done_on) {}

void RunStreamCall::Start() {
  self_ = shared_from_this();
  stub_->async()->RunStream(&context_, &request_, this);
  // The first read is queued before the call starts; each later one is
  // started by OnReadDone, so a read is always pending until the end and
  // OnDone needs no hold.
  StartRead(&packet_);
  StartCall();
}

void RunStreamCall::OnReadDone(bool ok) {
  if (!ok) return;  // the stream ended; OnDone follows
  bool keep_reading = false;
  if (!GuardCallback("RunStream packet",
                     [&] { keep_reading = on_packet_(packet_.data()); })) {
    keep_reading = false;
  }
  if (!keep_reading) {
    context_.TryCancel();
    return;
  }
  StartRead(&packet_);
}

void RunStreamCall::OnDone(const grpc::Status& status) {
  boost::asio::post(*done_on_, [self = std::move(self_), status] {
    GuardCallback("RunStream end", [&] { self->on_done_(status); });
    // Leaving here may destroy the call and with it the channel.
  });
}

}  // namespace runnel::host
