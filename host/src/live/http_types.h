// HttpRequest / HttpResponse: the plain types routes see, so callers
// (the app, push) need no Beast types. Thread-safety: plain values.
#ifndef RUNNEL_HOST_LIVE_HTTP_TYPES_H_
#define RUNNEL_HOST_LIVE_HTTP_TYPES_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "live/http_body_stream.h"

namespace runnel::host {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path plus query, as received
  std::string path;    // target without the query
  std::string query;   // after '?', without it; "" if none
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;

  // First header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // The first query parameter `name`, percent- and '+'-decoded; nullopt
  // when absent (or badly encoded: then `*bad` is set, if given).
  std::optional<std::string> QueryParam(std::string_view name,
                                        bool* bad = nullptr) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";  // "": none sent
  std::string body;
  // Extra ones; a name may repeat.
  std::vector<std::pair<std::string, std::string>> headers;
  // Set: the body is sent as the stream produces it (chunked), after
  // `body` if any.
  std::shared_ptr<HttpBodyStream> body_stream;
};

// A plain-text response ("<text>\n"), for errors and refusals.
HttpResponse TextResponse(int status, std::string_view text);
// A JSON error body as Grafana writes one: {"message":"<text>"}.
HttpResponse JSONErrorResponse(int status, std::string_view message);

// Runs on an I/O thread: must not block for long.
using HttpGetHandler = std::function<HttpResponse(const HttpRequest&)>;

// Answers a request; call it exactly once, from any thread.
using HttpRespond = std::function<void(HttpResponse)>;
// Runs on an I/O thread: must not block; may answer later.
using HttpHandler = std::function<void(HttpRequest, HttpRespond)>;

// Which requests a handler serves: `method` on `path`, or on every path
// under it when `prefix` (then `path` ends with '/').
struct HttpRoute {
  std::string method;
  std::string path;
  bool prefix = false;
  // Bodies over it are answered 413 without being read whole.
  size_t max_body_bytes = 1024 * 1024;
};

// A WebSocket endpoint beside /api/live/ws, whose messages are plain
// requests: each whole message goes to the handler with the upgrade
// request; what it returns ("" for nothing) is sent back as a text message.
// Runs on an I/O thread: must not block for long.
using WebSocketMessageHandler = std::function<std::string(
    const HttpRequest& upgrade, std::string_view message)>;

struct WebSocketRoute {
  std::string path_prefix;  // ends with '/'
  size_t max_message_bytes = 1024 * 1024;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_HTTP_TYPES_H_
