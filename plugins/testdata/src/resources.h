// Resources: the testdata plugin's CallResource.
//   GET streams -> 200 {"running":N}, the number of live RunStream calls
//   anything else -> 404 {"error":"no such resource: <path>"}
// Thread-safety: thread-safe (reads an atomic counter).
#ifndef RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_
#define RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_

#include <memory>

#include "runnel/resource.h"
#include "running_streams.h"

namespace runnel::testdata {

class Resources final : public runnel::CallResourceHandler {
 public:
  explicit Resources(std::shared_ptr<RunningStreams> running)
      : running_(std::move(running)) {}

  runnel::Status CallResource(const runnel::CallResourceRequest& req,
                              runnel::CallResourceResponse* resp) override;

 private:
  std::shared_ptr<RunningStreams> running_;
};

}  // namespace runnel::testdata

#endif  // RUNNEL_PLUGINS_TESTDATA_RESOURCES_H_
