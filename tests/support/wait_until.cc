#include "support/wait_until.h"

#include <thread>

namespace runnel::testing {

bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(poll);
  }
  return done();
}

}  // namespace runnel::testing
