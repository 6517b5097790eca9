// HttpGet / HttpPost: one plain HTTP/1.1 request to 127.0.0.1:<port> on
// Boost.Beast, for tests that call the host's HTTP endpoints (/api/health,
// /metrics, /api/live/push, ...). Blocking; thread-safe (each call has its
// own socket).
#ifndef RUNNEL_TESTS_SUPPORT_HTTP_GET_H_
#define RUNNEL_TESTS_SUPPORT_HTTP_GET_H_

#include <cstdint>
#include <string>

namespace runnel::testing {

struct HttpResult {
  int status = 0;  // 0: no response (`body` then says why)
  std::string body;
  std::string content_type;
};

HttpResult HttpGet(uint16_t port, const std::string& target);
HttpResult HttpPost(uint16_t port, const std::string& target,
                    const std::string& body,
                    const std::string& content_type = "text/plain");

// Writes `raw_request` (bytes as they go on the wire) and reads the reply
// until it holds `wanted`, for what a whole-message client cannot show: a
// reply read while it is still being sent, an answer before the body.
// Returns what was read, or "" after 10 s of silence or a closed
// connection first.
std::string SendUntil(uint16_t port, const std::string& raw_request,
                      const std::string& wanted);

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_HTTP_GET_H_
