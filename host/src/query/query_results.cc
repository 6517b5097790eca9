#include "query/query_results.h"

#include <utility>

#include "live/protocol.h"

namespace runnel::host {

QueryResult FailedResult(int status, std::string error,
                         std::string error_source) {
  QueryResult result;
  result.status = status;
  result.error = std::move(error);
  result.error_source = std::move(error_source);
  return result;
}

namespace {

void AppendResult(std::string* out, const QueryResult& result) {
  out->push_back('{');
  if (!result.error.empty()) {
    out->append("\"error\":");
    AppendJSONString(result.error, *out);
    out->append(",\"errorSource\":");
    AppendJSONString(result.error_source, *out);
    out->push_back(',');
  }
  out->append("\"status\":" + std::to_string(result.status));
  if (result.error.empty() || !result.frames_json.empty()) {
    out->append(",\"frames\":[");
    for (size_t i = 0; i < result.frames_json.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append(result.frames_json[i]);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

}  // namespace

std::string QueryResultsJSON(const QueryResults& results) {
  std::string out = "{\"results\":{";
  bool first = true;
  for (const auto& [ref_id, result] : results) {
    if (!first) out.push_back(',');
    first = false;
    AppendJSONString(ref_id, out);
    out.push_back(':');
    AppendResult(&out, result);
  }
  out.append("}}");
  return out;
}

int QueryHttpStatus(const QueryResults& results) {
  size_t failed = 0;
  for (const auto& [ref_id, result] : results) {
    if (!result.error.empty()) ++failed;
  }
  if (failed == 0) return 200;
  return failed < results.size() ? 207 : 400;
}

}  // namespace runnel::host
