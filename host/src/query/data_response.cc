#include "query/data_response.h"

#include <nlohmann/json.hpp>
#include <string>

#include "runnel/frame.h"
#include "runnel/frame_arrow.h"
#include "runnel/frame_json.h"

namespace runnel::host {
namespace {

// One encoded frame as frame JSON; false (with *why) if it is not one.
bool FrameJSON(const std::string& bytes, pluginv2::DataFrameFormat format,
               std::string* out, std::string* why) {
  if (format == pluginv2::JSON) {
    if (!nlohmann::json::accept(bytes)) {
      *why = "not JSON";
      return false;
    }
    *out = bytes;
    return true;
  }
  Frame frame;
  Status decoded = FrameFromArrow(bytes, &frame);
  if (!decoded.ok()) {
    *why = decoded.message();
    return false;
  }
  *out = FrameToJSON(frame, FrameInclude::kAll);
  return true;
}

}  // namespace

QueryResult ResultFromDataResponse(const pluginv2::DataResponse& response) {
  QueryResult result;
  result.error = response.error();
  result.error_source = response.errorsource();
  if (!result.error.empty() && result.error_source.empty()) {
    result.error_source = "plugin";
  }
  result.status = response.status() > 0      ? response.status()
                  : response.error().empty() ? 200
                                             : 500;
  for (int i = 0; i < response.frames_size(); ++i) {
    std::string json;
    std::string why;
    if (!FrameJSON(response.frames(i), response.format(), &json, &why)) {
      return FailedResult(500, "frame " + std::to_string(i) +
                                   " of the plugin's answer cannot be "
                                   "decoded: " +
                                   why);
    }
    result.frames_json.push_back(std::move(json));
  }
  return result;
}

}  // namespace runnel::host
