#include "plugin/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace runnel::host {

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

Status Pipe::Open(const char* purpose, Pipe* out) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Internal(std::string("cannot make the ") + purpose +
                            " pipe: " + std::strerror(errno));
  }
  out->read.Reset(fds[0]);
  out->write.Reset(fds[1]);
  return Status::Ok();
}

}  // namespace runnel::host
