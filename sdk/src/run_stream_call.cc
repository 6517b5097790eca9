#include "run_stream_call.h"

#include <algorithm>
#include <utility>

#include "grpc_status.h"

namespace runnel::internal {

class RunStreamCall::Sender final : public StreamSender {
 public:
  explicit Sender(RunStreamCall* call) : call_(call) {}
  Status SendBytes(std::string_view bytes) override {
    return call_->Enqueue(bytes);
  }
  bool Cancelled() const override { return call_->Cancelled(); }
  bool SleepFor(std::chrono::nanoseconds d) override {
    return call_->SleepFor(d);
  }

 private:
  RunStreamCall* call_;
};

RunStreamCall::RunStreamCall(std::shared_ptr<RunStreamHandler> handler,
                             ServeLifetime* lifetime)
    : handler_(std::move(handler)), lifetime_(lifetime) {}

RunStreamCall* RunStreamCall::Start(RunStreamRequest request,
                                    std::shared_ptr<RunStreamHandler> handler,
                                    ServeLifetime* lifetime) {
  auto* call = new RunStreamCall(std::move(handler), lifetime);
  call->stop_listener_id_ =
      lifetime->AddStopListener([call] { call->WakeWaiters(); });
  try {
    call->thread_ = std::thread([call, req = std::move(request)]() mutable {
      call->RunHandler(std::move(req));
    });
  } catch (const std::system_error& e) {
    call->Finish(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        std::string("cannot start a RunStream thread: ") + e.what()));
  }
  return call;
}

void RunStreamCall::RunHandler(RunStreamRequest request) {
  Sender sender(this);
  Status status =
      CallHandler([&] { return handler_->RunStream(request, sender); });
  // Last use of `this` on this thread: OnDone may delete the call as soon
  // as Finish has been called.
  FinishFromHandler(status);
}

bool RunStreamCall::Cancelled() const {
  return cancelled_.load(std::memory_order_acquire) || lifetime_->stopping();
}

std::string RunStreamCall::TakeBuffer() {
  if (free_buffers_.empty()) return std::string();
  std::string buffer = std::move(free_buffers_.back());
  free_buffers_.pop_back();
  return buffer;
}

Status RunStreamCall::Enqueue(std::string_view bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  if (Cancelled()) {
    return Status::Cancelled("the stream was cancelled by the host");
  }
  if (queue_.size() >= kMaxQueuedPackets || queued_bytes_ >= kMaxQueuedBytes) {
    // Full: wait until the writer has drained half of it.
    waiting_for_space_ = true;
    space_cv_.wait(lock, [this] {
      return Cancelled() || (queue_.size() <= kMaxQueuedPackets / 2 &&
                             queued_bytes_ <= kMaxQueuedBytes / 2);
    });
    waiting_for_space_ = false;
    if (Cancelled()) {
      return Status::Cancelled("the stream was cancelled by the host");
    }
  }
  std::string buffer = TakeBuffer();
  buffer.assign(bytes.data(), bytes.size());
  if (write_in_flight_) {
    queued_bytes_ += buffer.size();
    queue_.push_back(std::move(buffer));
    return Status::Ok();
  }
  // Idle: this packet goes out now, from the author's thread.
  write_in_flight_ = true;
  in_flight_.mutable_data()->swap(buffer);
  free_buffers_.push_back(std::move(buffer));
  lock.unlock();
  StartWrite(&in_flight_);
  return Status::Ok();
}

bool RunStreamCall::SleepFor(std::chrono::nanoseconds d) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + d;
  std::unique_lock<std::mutex> lock(mu_);
  return !wake_cv_.wait_until(lock, deadline, [this] { return Cancelled(); });
}

void RunStreamCall::WakeWaiters() {
  // Taking mu_ orders this wake after a waiter's check of Cancelled().
  { std::lock_guard<std::mutex> lock(mu_); }
  space_cv_.notify_all();
  wake_cv_.notify_all();
}

void RunStreamCall::OnWriteDone(bool ok) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!ok) {
    // The host went away: drop what is queued; the author sees Cancelled.
    cancelled_.store(true, std::memory_order_release);
    for (std::string& b : queue_) free_buffers_.push_back(std::move(b));
    queue_.clear();
    queued_bytes_ = 0;
  } else if (!queue_.empty()) {
    std::string next = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= next.size();
    in_flight_.mutable_data()->swap(next);
    free_buffers_.push_back(std::move(next));
    const bool notify = waiting_for_space_ &&
                        queue_.size() <= kMaxQueuedPackets / 2 &&
                        queued_bytes_ <= kMaxQueuedBytes / 2;
    lock.unlock();
    if (notify) space_cv_.notify_one();
    StartWrite(&in_flight_);
    return;
  }
  write_in_flight_ = false;
  const bool finish = finishing_;
  const grpc::Status status = finish_status_;
  lock.unlock();
  space_cv_.notify_all();
  if (!ok) wake_cv_.notify_all();
  if (finish) Finish(status);
}

void RunStreamCall::OnCancel() {
  cancelled_.store(true, std::memory_order_release);
  WakeWaiters();
}

void RunStreamCall::FinishFromHandler(const Status& status) {
  std::unique_lock<std::mutex> lock(mu_);
  finishing_ = true;
  finish_status_ = ToGrpcStatus(status);
  if (write_in_flight_) return;  // OnWriteDone finishes after the drain
  const grpc::Status final_status = finish_status_;
  lock.unlock();
  Finish(final_status);
}

void RunStreamCall::OnDone() {
  lifetime_->RemoveStopListener(stop_listener_id_);
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
  delete this;
}

}  // namespace runnel::internal
