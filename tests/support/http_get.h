// HttpGet: one plain HTTP/1.1 GET to 127.0.0.1:<port> on Boost.Beast, for
// tests that read the host's HTTP endpoints (/api/health, /metrics, ...).
// Blocking; thread-safe (each call has its own socket).
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

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_HTTP_GET_H_
