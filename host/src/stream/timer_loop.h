// TimerLoop: one thread running an Asio io_context, shared by every stream
// of a StreamManager for its restart backoff, its waits for a restarting
// plugin and the grace-period check. Handlers must be short and must not
// block: one thread serves them all, however many streams there are.
// Thread-safety: context() may be used from any thread (Asio's rules:
// one timer object is not used from two threads at once). Stop() joins the
// thread; handlers still queued are dropped, so owners finish their timers
// before.
// Ownership: owns the thread; the destructor calls Stop().
#ifndef RUNNEL_HOST_STREAM_TIMER_LOOP_H_
#define RUNNEL_HOST_STREAM_TIMER_LOOP_H_

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <thread>

namespace runnel::host {

class TimerLoop {
 public:
  // Starts the thread; throws std::system_error if it cannot (at start-up,
  // on the constructing thread).
  TimerLoop();
  ~TimerLoop();
  TimerLoop(const TimerLoop&) = delete;
  TimerLoop& operator=(const TimerLoop&) = delete;

  boost::asio::io_context& context() { return context_; }
  void Stop();

 private:
  boost::asio::io_context context_{1};
  std::optional<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      work_;
  std::thread thread_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_TIMER_LOOP_H_
