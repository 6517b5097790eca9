// Resources: the testdata plugin's CallResource.
//   GET streams -> 200 {"running":N}, the number of live RunStream calls
//   GET chunks  -> 200 text/plain "chunk 0\n" ... "chunk <n-1>\n", sent as n
//                  CallResourceResponse messages (the first with the status
//                  and headers), n = kResourceChunks: a reply in several
//                  messages, for hosts that pass it on piece by piece
//   GET ticks   -> 200 text/plain "tick 0\n", "tick 1\n", ... one message
//                  every kTickInterval until the host cancels the call (or
//                  kMaxTicks): a reply that never ends on its own, which only
//                  a host that streams can pass on
//   * echo      -> 200 {"method","path","url","body","headers"}: the request
//                  as the plugin got it (headers: name -> list of values)
//   anything else -> 404 {"error":"no such resource: <path>"}
// Thread-safety: thread-safe (reads an atomic counter).
#ifndef RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_
#define RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_

#include <chrono>
#include <memory>

#include "runnel/resource.h"
#include "running_streams.h"

namespace runnel::testdata {

inline constexpr int kResourceChunks = 3;
inline constexpr std::chrono::milliseconds kTickInterval{50};
inline constexpr int kMaxTicks = 1200;

class Resources final : public runnel::CallResourceHandler {
 public:
  explicit Resources(std::shared_ptr<RunningStreams> running)
      : running_(std::move(running)) {}

  runnel::Status CallResource(const runnel::CallResourceRequest& req,
                              runnel::CallResourceResponse* resp) override;
  runnel::Status StreamResource(
      const runnel::CallResourceRequest& req,
      runnel::CallResourceResponseSender& sender) override;

 private:
  // GET ticks: one message per kTickInterval until the host goes away.
  runnel::Status SendTicks(runnel::CallResourceResponseSender& sender);

  std::shared_ptr<RunningStreams> running_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_
