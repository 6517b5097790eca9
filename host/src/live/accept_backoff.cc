#include "live/accept_backoff.h"

#include <algorithm>
#include <string>

#include "runnel/log.h"

namespace runnel::host {

std::chrono::milliseconds AcceptBackoff::OnFailure(
    const boost::system::error_code& ec) {
  if (failures_++ == 0) {
    started_ = std::chrono::steady_clock::now();
    pause_ = kFirstPause;
    log::Warn("live: accept failing; pausing new connections until it works",
              {{"error", ec.message()}});
  } else {
    pause_ = std::min(pause_ * 2, kMaxPause);
  }
  return pause_;
}

void AcceptBackoff::OnSuccess() {
  if (failures_ == 0) return;
  const auto lasted = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  log::Info("live: accept works again",
            {{"failures", std::to_string(failures_)},
             {"lasted_ms", std::to_string(lasted.count())}});
  failures_ = 0;
  pause_ = std::chrono::milliseconds(0);
}

}  // namespace runnel::host
