// StreamSender's non-virtual helpers: frame and JSON sends on top of
// SendBytes.
#include <nlohmann/json.hpp>

#include "runnel/frame_json.h"
#include "runnel/stream.h"

namespace runnel {

Status StreamSender::SendFrame(const Frame& frame, FrameInclude include) {
  scratch_.clear();
  AppendFrameJSON(frame, include, scratch_);
  return SendBytes(scratch_);
}

Status StreamSender::SendJSON(std::string_view json) {
  if (!nlohmann::json::accept(json)) {
    return Status::InvalidArgument("SendJSON: the data is not valid JSON");
  }
  return SendBytes(json);
}

}  // namespace runnel
