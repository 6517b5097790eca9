#include "stream/timer_loop.h"

#include "stream/callback_guard.h"

namespace runnel::host {

TimerLoop::TimerLoop() : work_(boost::asio::make_work_guard(context_)) {
  thread_ = std::thread([this] {
    // A handler that throws is logged and the loop goes on.
    while (!GuardCallback("stream timer", [this] { context_.run(); })) {
    }
  });
}

TimerLoop::~TimerLoop() { Stop(); }

void TimerLoop::Stop() {
  work_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace runnel::host
