// GuardCallback: runs the body of a callback that gRPC, an Asio timer or a
// worker thread calls, so that no exception escapes into code that would
// swallow it (gRPC drops it and leaves the call unanswered) or terminate.
// What was thrown is logged with `where`; the caller learns that the body did
// not finish and answers or cleans up itself.
// Thread-safety: stateless.
#ifndef RUNNEL_HOST_STREAM_CALLBACK_GUARD_H_
#define RUNNEL_HOST_STREAM_CALLBACK_GUARD_H_

#include <exception>
#include <string>
#include <utility>

#include "runnel/log.h"

namespace runnel::host {

// Runs body(); returns false (with *why, if given, set) if it threw.
template <typename Body>
bool GuardCallback(const char* where, Body&& body, std::string* why = nullptr) {
  std::string what;
  try {
    std::forward<Body>(body)();
    return true;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown exception";
  }
  try {
    log::Error("exception in a callback", {{"where", where}, {"error", what}});
  } catch (...) {  // the log itself could not allocate; nothing else to do
  }
  if (why != nullptr) *why = std::move(what);
  return false;
}

}  // namespace runnel::host

#endif  // RUNNEL_HOST_STREAM_CALLBACK_GUARD_H_
