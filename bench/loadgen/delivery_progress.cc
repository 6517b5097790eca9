#include "delivery_progress.h"

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <new>

namespace runnel::loadgen {

void SlowestSubscriber::Add(int id) {
  if (id < 0) return;
  if (static_cast<size_t>(id) >= counts_.size()) {
    counts_.resize(id + 1, 0);
    counted_.resize(id + 1, false);
  }
  if (counted_[id]) Remove(id);
  counted_[id] = true;
  counts_[id] = 0;
  ++live_;
  if (live_ == 1 || min_ > 0) {
    min_ = 0;
    at_min_ = 1;
  } else {
    ++at_min_;
  }
}

void SlowestSubscriber::Count(int id) {
  if (id < 0 || static_cast<size_t>(id) >= counts_.size() || !counted_[id]) {
    return;
  }
  if (counts_[id]++ == min_ && --at_min_ == 0) Recompute();
}

void SlowestSubscriber::Remove(int id) {
  if (id < 0 || static_cast<size_t>(id) >= counts_.size() || !counted_[id]) {
    return;
  }
  counted_[id] = false;
  --live_;
  if (counts_[id] == min_ && --at_min_ == 0) Recompute();
}

void SlowestSubscriber::Recompute() {
  // Runs once per frame every subscriber has, over this worker's share.
  min_ = kNoSubscriber;
  at_min_ = 0;
  for (size_t id = 0; id < counts_.size(); ++id) {
    if (!counted_[id]) continue;
    if (counts_[id] < min_) {
      min_ = counts_[id];
      at_min_ = 1;
    } else if (counts_[id] == min_) {
      ++at_min_;
    }
  }
  if (live_ == 0) min_ = 0;
}

std::unique_ptr<ProgressBoard> ProgressBoard::Create(int slots) {
  slots = std::max(slots, 1);
  // One more atom after the slots: the window's start (SetWindowStart).
  const size_t bytes = sizeof(std::atomic<uint64_t>) * (slots + 1);
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    perror("mmap");
    return nullptr;
  }
  const int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) {
    perror("eventfd");
    munmap(memory, bytes);
    return nullptr;
  }
  auto* atoms = static_cast<std::atomic<uint64_t>*>(memory);
  for (int i = 0; i <= slots; ++i) new (&atoms[i]) std::atomic<uint64_t>(0);
  return std::unique_ptr<ProgressBoard>(
      new ProgressBoard(atoms, slots, bytes, wake));
}

ProgressBoard::~ProgressBoard() {
  close(wake_fd_);
  munmap(slots_, bytes_);
}

void ProgressBoard::Publish(int slot, uint64_t count) {
  if (slot < 0 || slot >= count_) return;
  if (slots_[slot].exchange(count, std::memory_order_release) == count) {
    return;
  }
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

uint64_t ProgressBoard::Min() const {
  uint64_t min = kNoSubscriber;
  for (int i = 0; i < count_; ++i) {
    min = std::min(min, slots_[i].load(std::memory_order_acquire));
  }
  return min;
}

void ProgressBoard::SetWindowStart(int64_t realtime_ns) {
  slots_[count_].store(static_cast<uint64_t>(realtime_ns),
                       std::memory_order_release);
}

int64_t ProgressBoard::WindowStart() const {
  return static_cast<int64_t>(slots_[count_].load(std::memory_order_acquire));
}

void ProgressBoard::Clear() {
  uint64_t value = 0;
  (void)!read(wake_fd_, &value, sizeof(value));
}

}  // namespace runnel::loadgen
