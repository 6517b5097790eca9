#include "live/io_loops.h"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace runnel::host {

// Concurrency hint 1: one thread runs each context.
IoLoop::IoLoop() : context_(1), work_(context_.get_executor()) {}

void IoLoop::Post(std::function<void()> task) {
  boost::asio::post(context_, std::move(task));
}

size_t IoLoop::ScheduleFlush(Flushable* flushable) {
  // An empty list means no pass is posted or running (a pass clears it
  // only when it ends).
  if (to_flush_.empty()) {
    boost::asio::post(context_, [this] { FlushScheduled(); });
  }
  to_flush_.push_back(flushable);
  return to_flush_.size() - 1;
}

void IoLoop::CancelFlush(size_t ticket) {
  if (ticket < to_flush_.size()) to_flush_[ticket] = nullptr;
}

void IoLoop::FlushScheduled() {
  // By index: a flushable may be scheduled (appended) or cancelled while
  // others flush, and tickets must stay valid until the list is done.
  const size_t stop = std::min(to_flush_.size(), flush_next_ + kFlushesPerTurn);
  for (; flush_next_ < stop; ++flush_next_) {
    Flushable* flushable = to_flush_[flush_next_];
    to_flush_[flush_next_] = nullptr;
    if (flushable != nullptr) flushable->FlushNow();
  }
  if (flush_next_ < to_flush_.size()) {
    // The rest after a reactor turn, so that reads, handshakes and
    // subscribe replies are not starved by a large fan-out.
    boost::asio::post(context_, [this] { FlushScheduled(); });
    return;
  }
  to_flush_.clear();
  flush_next_ = 0;
}

IoLoops::IoLoops(int count) {
  for (int i = 0; i < std::max(1, count); ++i) {
    loops_.push_back(std::make_unique<IoLoop>());
  }
}

IoLoops::~IoLoops() { Stop(); }

void IoLoops::Start() {
  if (started_) return;
  started_ = true;
  for (auto& loop : loops_) {
    loop->thread_ = std::thread([&context = loop->context_] { context.run(); });
  }
}

void IoLoops::Stop() {
  for (auto& loop : loops_) loop->context_.stop();
  for (auto& loop : loops_) {
    if (loop->thread_.joinable()) loop->thread_.join();
  }
}

IoLoop& IoLoops::Next() {
  return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()];
}

}  // namespace runnel::host
