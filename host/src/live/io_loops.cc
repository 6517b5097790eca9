#include "live/io_loops.h"

#include <boost/asio/post.hpp>

namespace runnel::host {

// Concurrency hint 1: one thread runs each context.
IoLoop::IoLoop() : context_(1), work_(context_.get_executor()) {}

void IoLoop::Post(std::function<void()> task) {
  boost::asio::post(context_, std::move(task));
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
