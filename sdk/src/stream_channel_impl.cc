#include "stream_channel_impl.h"

#include <exception>
#include <utility>

#include "grpc_status.h"
#include "runnel/log.h"

namespace runnel::internal {
namespace {

// Recycled packet buffers kept per stream; more would pin a burst's memory.
constexpr size_t kMaxFreeBuffers = 4;

}  // namespace

struct StreamChannelImpl::Timer {
  explicit Timer(Callback f) : fn(std::move(f)) {}
  const Callback fn;
  bool once = false;
  TimerId id = 0;  // set under the stream's mu_ before it can fire
  // An Every tick is queued on the strand and has not started yet.
  std::atomic<bool> pending{false};
};

StreamChannelImpl::StreamChannelImpl(Reactor* reactor, Executor* executor)
    : reactor_(reactor),
      executor_(executor),
      strand_(std::make_shared<Strand>(executor)) {}

void StreamChannelImpl::Start(RunStreamRequest request,
                              std::shared_ptr<AsyncRunStreamHandler> handler) {
  std::weak_ptr<StreamChannelImpl> weak = weak_from_this();
  strand_->Post(
      [weak, request = std::move(request), handler = std::move(handler)] {
        std::shared_ptr<StreamChannelImpl> self = weak.lock();
        if (!self || self->Ended()) return;
        Status status =
            CallHandler([&] { return handler->StartStream(request, self); });
        if (status.ok()) return;
        if (status.code() == StatusCode::kInternal) {
          log::Error("StartStream failed",
                     {{"path", request.path}, {"error", status.message()}});
        }
        self->End(std::move(status));
      });
}

void StreamChannelImpl::CallAuthor(const Callback& fn, const char* what) {
  std::string error;
  try {
    fn();
    return;
  } catch (const std::exception& e) {
    error = std::string(what) + " threw: " + e.what();
  } catch (...) {
    error = std::string(what) + " threw a non-std exception";
  }
  log::Error("stream callback failed; ending the stream", {{"error", error}});
  End(Status::Internal(error));
}

// ---- sends ---------------------------------------------------------------

std::string StreamChannelImpl::TakeBufferLocked() {
  if (free_buffers_.empty()) return std::string();
  std::string buffer = std::move(free_buffers_.back());
  free_buffers_.pop_back();
  return buffer;
}

void StreamChannelImpl::RecycleLocked(std::string buffer) {
  if (free_buffers_.size() < kMaxFreeBuffers) {
    buffer.clear();
    free_buffers_.push_back(std::move(buffer));
  }
}

Status StreamChannelImpl::SendBytes(std::string_view bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_locked_) return Status::Cancelled("the stream has ended");
  if (queue_.size() >= kMaxQueuedStreamPackets ||
      queued_bytes_ >= kMaxQueuedStreamBytes) {
    return Status::Unavailable(
        "the stream's send queue is full; the packet was dropped");
  }
  std::string buffer = TakeBufferLocked();
  buffer.assign(bytes.data(), bytes.size());
  if (write_in_flight_) {
    queued_bytes_ += buffer.size();
    queue_.push_back(std::move(buffer));
    return Status::Ok();
  }
  write_in_flight_ = true;
  in_flight_.mutable_data()->swap(buffer);
  RecycleLocked(std::move(buffer));
  lock.unlock();
  // Safe unlocked: Finish waits for this write, so the reactor lives.
  reactor_->StartWrite(&in_flight_);
  return Status::Ok();
}

void StreamChannelImpl::OnWriteDone(bool ok) {
  if (!ok) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      write_in_flight_ = false;
    }
    OnHostCancel();  // the host has gone; nothing more can be written
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (!queue_.empty()) {
    std::string next = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= next.size();
    in_flight_.mutable_data()->swap(next);
    RecycleLocked(std::move(next));
    lock.unlock();
    reactor_->StartWrite(&in_flight_);
    return;
  }
  write_in_flight_ = false;
  const bool finish = TakeFinishLocked();
  const grpc::Status status = finish_status_;
  lock.unlock();
  if (finish) reactor_->Finish(status);
}

void StreamChannelImpl::DropQueueLocked() {
  for (std::string& buffer : queue_) RecycleLocked(std::move(buffer));
  queue_.clear();
  queued_bytes_ = 0;
}

bool StreamChannelImpl::TakeFinishLocked() {
  if (!ended_locked_ || finish_called_ || write_in_flight_) return false;
  finish_called_ = true;
  return true;
}

// ---- timers --------------------------------------------------------------

StreamChannel::TimerId StreamChannelImpl::Every(
    std::chrono::nanoseconds interval, Callback fn) {
  if (interval <= std::chrono::nanoseconds::zero()) return 0;
  return AddTimer(interval, interval, std::move(fn));
}

StreamChannel::TimerId StreamChannelImpl::After(std::chrono::nanoseconds delay,
                                                Callback fn) {
  if (delay < std::chrono::nanoseconds::zero()) {
    delay = std::chrono::nanoseconds::zero();
  }
  return AddTimer(delay, std::chrono::nanoseconds::zero(), std::move(fn));
}

StreamChannel::TimerId StreamChannelImpl::AddTimer(
    std::chrono::nanoseconds delay, std::chrono::nanoseconds interval,
    Callback fn) {
  auto timer = std::make_shared<Timer>(std::move(fn));
  timer->once = interval == std::chrono::nanoseconds::zero();
  std::weak_ptr<StreamChannelImpl> weak = weak_from_this();
  // Fires on a worker: hands the callback to the strand (at most one tick
  // of an Every timer waits there at a time).
  Executor::Task fire = [weak, timer] {
    if (!timer->once && timer->pending.exchange(true)) return;
    std::shared_ptr<StreamChannelImpl> self = weak.lock();
    if (!self) return;
    self->strand_->Post([weak, timer] {
      if (std::shared_ptr<StreamChannelImpl> s = weak.lock()) {
        s->RunTimer(timer);
      }
    });
  };
  const Executor::Clock::time_point due = Executor::Clock::now() + delay;
  std::lock_guard<std::mutex> lock(mu_);
  if (ended_locked_) return 0;
  const TimerId id = timer->once
                         ? executor_->RunAt(due, std::move(fire))
                         : executor_->RunEvery(due, interval, std::move(fire));
  if (id == 0) return 0;  // the executor is stopping
  timer->id = id;
  timers_.insert(id);
  return id;
}

void StreamChannelImpl::RunTimer(const std::shared_ptr<Timer>& timer) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ended_locked_) return;
    const bool live = timer->once ? timers_.erase(timer->id) == 1
                                  : timers_.count(timer->id) == 1;
    if (!live) return;
  }
  timer->pending.store(false);
  CallAuthor(timer->fn, "a stream timer callback");
}

void StreamChannelImpl::StopTimer(TimerId id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (timers_.erase(id) == 0) return;  // not ours, or already done
  }
  executor_->Cancel(id);
}

// ---- end -----------------------------------------------------------------

void StreamChannelImpl::OnCancel(Callback fn) {
  Callback replaced;  // destroyed after the lock is released
  bool run_now = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!ended_locked_) {
      replaced = std::move(on_cancel_);
      on_cancel_ = std::move(fn);
      return;
    }
    run_now = host_cancelled_;
  }
  if (!run_now) return;
  strand_->Post([self = shared_from_this(), fn = std::move(fn)] {
    self->CallAuthor(fn, "the OnCancel callback");
  });
}

void StreamChannelImpl::End(Status status) {
  Finalize(ToGrpcStatus(status), /*host_cancelled=*/false);
}

void StreamChannelImpl::OnHostCancel() {
  Finalize(grpc::Status::CANCELLED, /*host_cancelled=*/true);
}

void StreamChannelImpl::Finalize(const grpc::Status& status,
                                 bool host_cancelled) {
  std::set<TimerId> timers;
  Callback on_cancel;  // run (host cancel) or destroyed, outside the lock
  bool first = false;
  bool finish = false;
  grpc::Status finish_status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A host that has gone will not read what is queued.
    if (host_cancelled) DropQueueLocked();
    if (!ended_locked_) {
      first = true;
      ended_locked_ = true;
      ended_.store(true, std::memory_order_release);
      host_cancelled_ = host_cancelled;
      finish_status_ = status;
      timers.swap(timers_);
      on_cancel.swap(on_cancel_);
    }
    finish = TakeFinishLocked();
    finish_status = finish_status_;
  }
  for (TimerId id : timers) executor_->Cancel(id);
  if (first && host_cancelled && on_cancel) {
    strand_->Post([self = shared_from_this(), fn = std::move(on_cancel)] {
      self->CallAuthor(fn, "the OnCancel callback");
    });
  }
  if (finish) reactor_->Finish(finish_status);
}

}  // namespace runnel::internal
