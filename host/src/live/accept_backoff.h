// AcceptBackoff: pacing for a failing accept(). "Too many open files" (and
// ENFILE, ENOBUFS, ENOMEM) means no accept will succeed for a while, yet
// the listening socket stays readable: retrying at once spins the loop and
// floods the log. So each failure pauses accepting, 100 ms the first time
// and twice as long each next time, up to 1 s (Go's net/http Serve backs
// off the same way), and an episode is logged twice: a warning when it
// starts, and one info line with its failure count and length when an accept
// succeeds again.
// Thread-safety: none; the server's accept loop owns it.
#ifndef RUNNEL_HOST_LIVE_ACCEPT_BACKOFF_H_
#define RUNNEL_HOST_LIVE_ACCEPT_BACKOFF_H_

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>

namespace runnel::host {

class AcceptBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirstPause{100};
  static constexpr std::chrono::milliseconds kMaxPause{1000};

  // Records a failed accept; returns how long to wait before the next one.
  std::chrono::milliseconds OnFailure(const boost::system::error_code& ec);
  // Records an accepted connection (ends an episode, if one is under way).
  void OnSuccess();

  bool failing() const { return failures_ > 0; }
  uint64_t failures() const { return failures_; }  // in this episode

 private:
  uint64_t failures_ = 0;
  std::chrono::milliseconds pause_{0};
  std::chrono::steady_clock::time_point started_;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_ACCEPT_BACKOFF_H_
