// IoThread: the engine's Redis thread in miniature for the Redis client
// tests: an io_context run by one thread, and Run(), which executes a
// function on that thread and waits for it (the client's methods must be
// called there).
// Thread-safety: Run() and io() from any thread.
#ifndef RUNNEL_TESTS_HOST_ENGINE_IO_THREAD_H_
#define RUNNEL_TESTS_HOST_ENGINE_IO_THREAD_H_

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <optional>
#include <thread>
#include <utility>

namespace runnel::host {

class IoThread {
 public:
  IoThread() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  boost::asio::io_context& io() { return io_; }

  template <typename Fn>
  auto Run(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

 private:
  boost::asio::io_context io_{1};
  std::optional<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      work_;
  std::thread thread_;
};

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_ENGINE_IO_THREAD_H_
