#include "signal_watcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace runnel::internal {
namespace {

// The write end for the handler. Written before the handlers are installed
// and cleared after they are removed, so the handler never sees a stale fd.
volatile sig_atomic_t g_signal_pipe = -1;

// Byte the destructor writes to end the watcher thread.
constexpr unsigned char kQuitByte = 0;

void OnSignal(int signo) {
  int saved_errno = errno;
  int fd = g_signal_pipe;
  if (fd >= 0) {
    unsigned char b = static_cast<unsigned char>(signo);
    [[maybe_unused]] ssize_t n = ::write(fd, &b, 1);
  }
  errno = saved_errno;
}

}  // namespace

Status SignalWatcher::Start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Internal(std::string("pipe2: ") + std::strerror(errno));
  }
  pipe_read_ = fds[0];
  pipe_write_ = fds[1];
  g_signal_pipe = pipe_write_;

  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &action, &old_term_);
  ::sigaction(SIGINT, &action, &old_int_);
  installed_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void SignalWatcher::Run() {
  while (true) {
    unsigned char b = 0;
    ssize_t n = ::read(pipe_read_, &b, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || b == kQuitByte) return;
    lifetime_->RequestStop(b == SIGTERM ? "SIGTERM" : "SIGINT");
  }
}

SignalWatcher::~SignalWatcher() {
  if (installed_) {
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGINT, &old_int_, nullptr);
  }
  if (thread_.joinable()) {
    unsigned char quit = kQuitByte;
    [[maybe_unused]] ssize_t n = ::write(pipe_write_, &quit, 1);
    thread_.join();
  }
  g_signal_pipe = -1;
  if (pipe_read_ >= 0) ::close(pipe_read_);
  if (pipe_write_ >= 0) ::close(pipe_write_);
}

}  // namespace runnel::internal
