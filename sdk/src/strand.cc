#include "strand.h"

#include <exception>
#include <utility>

#include "runnel/log.h"

namespace runnel::internal {

void Strand::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
    if (scheduled_) return;
    scheduled_ = true;
  }
  executor_->Post([self = shared_from_this()] { self->Drain(); });
}

void Strand::Drain() {
  for (int i = 0; i < kBatch; ++i) {
    std::function<void()> task;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) {
        scheduled_ = false;
        return;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      task();
    } catch (const std::exception& e) {
      log::Error("strand task threw", {{"error", e.what()}});
    } catch (...) {
      log::Error("strand task threw a non-std exception");
    }
  }
  // More left: yield the worker to other strands, then continue.
  executor_->Post([self = shared_from_this()] { self->Drain(); });
}

}  // namespace runnel::internal
