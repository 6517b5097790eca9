// Resources: the testdata plugin's CallResource.
//   GET streams -> 200 {"running":N}, the number of live RunStream calls
//   GET chunks  -> 200 text/plain "chunk 0\n" ... "chunk <n-1>\n", sent as n
//                  CallResourceResponse messages (the first with the status
//                  and headers), n = kResourceChunks: a reply in several
//                  messages, for hosts that pass it on piece by piece
//   * echo      -> 200 {"method","path","url","body","headers"}: the request
//                  as the plugin got it (headers: name -> list of values)
//   anything else -> 404 {"error":"no such resource: <path>"}
// Thread-safety: thread-safe (reads an atomic counter).
#ifndef RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_
#define RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_

#include <memory>

#include "runnel/resource.h"
#include "running_streams.h"

namespace runnel::testdata {

inline constexpr int kResourceChunks = 3;

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
  std::shared_ptr<RunningStreams> running_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_
