// IoLoops: the server's event loops, one thread and one io_context each.
// A connection lives on one loop for its whole life, so its handlers never
// run concurrently and need no strand; the hub hands each loop a publication
// once (DeliveryLoop) and the loop writes it to its own connections.
//
// Thread-safety: Post and Next from any thread; Start/Stop from the owner.
#ifndef RUNNEL_HOST_LIVE_IO_LOOPS_H_
#define RUNNEL_HOST_LIVE_IO_LOOPS_H_

#include <array>
#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "live/hub.h"
#include "live/outgoing_frame.h"

namespace runnel::host {

// Something with output to write at the end of the loop's turn.
class Flushable {
 public:
  virtual ~Flushable() = default;
  virtual void FlushNow() = 0;
};

// What a loop's connections borrow while one of their handlers runs, and
// never across handlers: so an idle connection holds no buffer at all.
struct IoScratch {
  std::array<uint8_t, 64 * 1024> read_buffer;
  OutgoingFrame frame;  // a frame that goes out whole needs no allocation
  std::vector<boost::asio::const_buffer> write_buffers;
};

class IoLoop : public DeliveryLoop {
 public:
  IoLoop();
  boost::asio::io_context& context() { return context_; }
  void Post(std::function<void()> task) override;

  // Write-behind (on the loop's thread only): `flushable` has its FlushNow
  // called once, after the handlers already queued have run. So while the
  // loop keeps up, each publication is written at once; when it falls
  // behind, every publication waiting in its queue goes out in the same
  // write, and the syscalls per message fall as the load rises. Returns a
  // ticket for CancelFlush (a flushable going away before its turn).
  size_t ScheduleFlush(Flushable* flushable);
  void CancelFlush(size_t ticket);

  // On the loop's thread only (IoScratch).
  IoScratch& scratch() { return scratch_; }

 private:
  friend class IoLoops;
  void FlushScheduled();

  // Flushes per handler, between which the loop polls its sockets.
  static constexpr size_t kFlushesPerTurn = 256;
  std::vector<Flushable*> to_flush_;  // null: cancelled or done
  size_t flush_next_ = 0;             // to_flush_[..flush_next_) are done
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;  // keeps run() going while the loop is idle
  std::thread thread_;
  IoScratch scratch_;
};

class IoLoops {
 public:
  explicit IoLoops(int count);  // at least one
  ~IoLoops();                   // Stop()

  void Start();
  // Stops every loop (pending handlers are dropped) and joins the threads.
  void Stop();

  IoLoop& loop(size_t index) { return *loops_[index]; }
  size_t size() const { return loops_.size(); }
  // Round-robin choice for a new connection.
  IoLoop& Next();

 private:
  std::vector<std::unique_ptr<IoLoop>> loops_;
  std::atomic<size_t> next_{0};
  bool started_ = false;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_IO_LOOPS_H_
