// Origin check for WebSocket upgrades, in Grafana's exact order
// (pkg/services/live/live.go getCheckOriginFunc / checkAllowedOrigin):
//  1. no Origin header: allow
//  2. allowed_origins is exactly ["*"]: allow
//  3. lowercase and parse the origin; failure: deny
//  4. origin host == request Host (case-insensitive): allow
//  5. root_url: origin without port: scheme and hostname equal root_url's;
//     with a port: scheme and host:port equal root_url's host
//  6. any allowed_origins glob (gobwas-style `*`) matches the raw origin
//  7. deny (and log a warning)
// Thread-safety: pure functions.
#ifndef RUNNEL_HOST_LIVE_ORIGIN_H_
#define RUNNEL_HOST_LIVE_ORIGIN_H_

#include <string>
#include <string_view>
#include <vector>

namespace runnel::host {

bool CheckOrigin(std::string_view origin, std::string_view request_host,
                 std::string_view root_url,
                 const std::vector<std::string>& allowed_origins);

// The hostname of `url` ("http://Example.com:3000/" → "example.com", IPv6
// without brackets), lower-case; "" if it has none or does not parse.
std::string UrlHostname(std::string_view url);

// gobwas/glob-style match where `*` matches any run of characters and `?`
// one character. Exposed for tests.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_ORIGIN_H_
