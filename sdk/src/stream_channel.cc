// StreamChannel's non-virtual helpers: frame and JSON sends on top of
// SendBytes. The encode buffer is per thread: a channel may be used from
// several threads, and SendBytes copies the bytes before it returns.
#include <nlohmann/json.hpp>
#include <string>

#include "runnel/async_stream.h"
#include "runnel/frame_json.h"

namespace runnel {

Status StreamChannel::SendFrame(const Frame& frame, FrameInclude include) {
  thread_local std::string scratch;
  scratch.clear();
  AppendFrameJSON(frame, include, scratch);
  Status status = SendBytes(scratch);
  // Do not pin one huge frame's buffer on this thread for good.
  if (scratch.capacity() > kMaxQueuedStreamBytes) std::string().swap(scratch);
  return status;
}

Status StreamChannel::SendJSON(std::string_view json) {
  if (!nlohmann::json::accept(json)) {
    return Status::InvalidArgument("SendJSON: the data is not valid JSON");
  }
  return SendBytes(json);
}

}  // namespace runnel
