// HostCheck: what the HTTP server does with a request's Host header(s),
// before routing or upgrading it.
//  - Go net/http's rules (server.go readRequest), which Grafana inherits:
//    two or more Host headers, none on HTTP/1.1, or one with a byte no
//    host may hold is 400 Bad Request.
//  - Grafana's [server] enforce_domain (middleware ValidateHostHeader):
//    when on, a request whose Host names another host than root_url's
//    (the port does not count) is refused, so a page that rebinds its own
//    DNS name to this server gets nothing. Grafana redirects every such
//    request to root_url; here pages are redirected too (301), but API
//    calls and WebSocket upgrades, which no browser user follows by hand,
//    get 421 Misdirected Request (RFC 9110 section 15.5.20).
// Thread-safety: pure function.
#ifndef RUNNEL_HOST_LIVE_HOST_CHECK_H_
#define RUNNEL_HOST_LIVE_HOST_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

namespace runnel::host {

struct HostRequest {
  std::vector<std::string_view> hosts;  // every Host header's value
  unsigned version = 11;                // HTTP version, 10 or 11
  std::string_view target;              // request target as received
  bool api_or_upgrade = false;          // /api/... or a WebSocket upgrade
};

struct HostPolicy {
  bool enforce_domain = false;
  std::string domain;    // root_url's hostname, lower-case
  std::string root_url;  // where pages are redirected
};

struct HostVerdict {
  int status = 0;        // 0: serve the request
  std::string reason;    // for the response body and the log line
  std::string location;  // for a redirect (301)
};

HostVerdict CheckHost(const HostRequest& request, const HostPolicy& policy);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_HOST_CHECK_H_
