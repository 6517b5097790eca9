// HttpRequest / HttpResponse: the plain types extra GET routes see, so
// callers (main.cc) need no Beast types. Thread-safety: plain values.
#ifndef RUNNEL_HOST_LIVE_HTTP_TYPES_H_
#define RUNNEL_HOST_LIVE_HTTP_TYPES_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runnel::host {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // path plus query, as received
  std::string path;    // target without the query
  std::string query;   // after '?', without it; "" if none
  std::vector<std::pair<std::string, std::string>> headers;  // as received

  // First header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

// A plain-text response ("<text>\n"), for errors and refusals.
HttpResponse TextResponse(int status, std::string_view text);

// Runs on an I/O thread: must not block for long.
using HttpGetHandler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_HTTP_TYPES_H_
