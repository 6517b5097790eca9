// WaitUntil: polls a condition until it holds or a time-out passes; the
// one way tests wait for something that happens on another thread or in
// another process. The condition is checked once more at the deadline.
// Thread-safety: the condition runs on the calling thread only.
#ifndef RUNNEL_TESTS_SUPPORT_WAIT_UNTIL_H_
#define RUNNEL_TESTS_SUPPORT_WAIT_UNTIL_H_

#include <chrono>
#include <functional>

namespace runnel::testing {

// True as soon as `done()` is; false if it is still false after `timeout`.
// Between checks it sleeps `poll`.
bool WaitUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll = std::chrono::milliseconds(20));

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_WAIT_UNTIL_H_
