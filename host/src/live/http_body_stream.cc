#include "live/http_body_stream.h"

#include <utility>

namespace runnel::host {

bool HttpBodyStream::Write(std::string chunk) {
  std::function<void()> wake;
  bool room = true;
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_ || ended_) return false;
    queued_.append(chunk);
    room = queued_.size() <= max_queued_bytes_;
    wake = wake_;
  }
  if (wake) wake();
  return room;
}

void HttpBodyStream::WhenRoom(std::function<void()> on_room) {
  {
    absl::MutexLock lock(&mu_);
    if (!cancelled_ && queued_.size() > max_queued_bytes_ / 2) {
      on_room_ = std::move(on_room);
      return;
    }
  }
  on_room();
}

void HttpBodyStream::End(bool ok) {
  std::function<void()> wake;
  {
    absl::MutexLock lock(&mu_);
    if (ended_) return;
    ended_ = true;
    ok_ = ok;
    wake = wake_;
  }
  if (wake) wake();
}

void HttpBodyStream::OnCancel(std::function<void()> on_cancel) {
  {
    absl::MutexLock lock(&mu_);
    if (!cancelled_) {
      on_cancel_ = std::move(on_cancel);
      return;
    }
  }
  on_cancel();
}

void HttpBodyStream::SetWake(std::function<void()> wake) {
  bool pending = false;
  {
    absl::MutexLock lock(&mu_);
    wake_ = wake;
    pending = !queued_.empty() || ended_;
  }
  if (pending && wake) wake();
}

HttpBodyStream::Taken HttpBodyStream::Take() {
  Taken taken;
  std::function<void()> on_room;
  {
    absl::MutexLock lock(&mu_);
    taken.data.swap(queued_);
    taken.ended = ended_;
    taken.ok = ok_;
    on_room.swap(on_room_);
  }
  // The queue is empty now: a waiting producer may go on.
  if (on_room) on_room();
  return taken;
}

void HttpBodyStream::Cancel() {
  std::function<void()> on_cancel;
  std::function<void()> on_room;
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_ || ended_) {
      cancelled_ = true;
      return;
    }
    cancelled_ = true;
    queued_.clear();
    wake_ = nullptr;
    on_cancel.swap(on_cancel_);
    on_room.swap(on_room_);
  }
  if (on_cancel) on_cancel();
  (void)on_room;  // dropped: the producer is told through on_cancel
}

}  // namespace runnel::host
