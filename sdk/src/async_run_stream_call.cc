#include "async_run_stream_call.h"

#include <utility>

namespace runnel::internal {

AsyncRunStreamCall::AsyncRunStreamCall(Executor* executor,
                                       ServeLifetime* lifetime)
    : lifetime_(lifetime),
      channel_(std::make_shared<StreamChannelImpl>(this, executor)) {}

AsyncRunStreamCall* AsyncRunStreamCall::Start(
    RunStreamRequest request, std::shared_ptr<AsyncRunStreamHandler> handler,
    Executor* executor, ServeLifetime* lifetime) {
  auto* call = new AsyncRunStreamCall(executor, lifetime);
  // The listener runs under the lifetime's lock, so it only posts the
  // cancel; the channel may be gone by the time it runs.
  std::weak_ptr<StreamChannelImpl> weak = call->channel_;
  call->stop_listener_id_ = lifetime->AddStopListener([weak, executor] {
    executor->Post([weak] {
      if (auto channel = weak.lock()) channel->OnHostCancel();
    });
  });
  call->channel_->Start(std::move(request), std::move(handler));
  return call;
}

void AsyncRunStreamCall::OnDone() {
  lifetime_->RemoveStopListener(stop_listener_id_);
  delete this;
}

}  // namespace runnel::internal
