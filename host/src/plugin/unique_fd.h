// UniqueFd: sole owner of a file descriptor, closed on destruction.
// Pipe: both ends of a pipe2(O_CLOEXEC), each a UniqueFd, so a failed set-up
// step never leaks a descriptor.
// Thread-safety: like any value; not for concurrent mutation.
#ifndef RUNNEL_HOST_PLUGIN_UNIQUE_FD_H_
#define RUNNEL_HOST_PLUGIN_UNIQUE_FD_H_

#include <utility>

#include "runnel/status.h"

namespace runnel::host {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }
  // Closes the current descriptor (if any) and owns `fd` instead.
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read;
  UniqueFd write;

  // Both ends close-on-exec. Internal error naming `purpose` on failure.
  static Status Open(const char* purpose, Pipe* out);
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_UNIQUE_FD_H_
