#include "live/host_check.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace runnel::host {
namespace {

// The bytes Go's httpguts.ValidHostHeader lets through: letters, digits
// and the few punctuation marks of host names, IP literals and ports.
bool IsHostByte(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!$%&'()*+,-.:;=[]_~").find(c) !=
         std::string_view::npos;
}

// The host of a Host header without its port (and brackets), lower-case.
std::string HostnameOf(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    host = host.substr(0, host.find(':'));
  }
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string WithoutTrailingSlash(std::string_view url) {
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

}  // namespace

HostVerdict CheckHost(const HostRequest& request, const HostPolicy& policy) {
  if (request.hosts.size() > 1) return {400, "too many Host headers", ""};
  if (request.hosts.empty() && request.version >= 11) {
    return {400, "missing required Host header", ""};
  }
  const std::string_view host =
      request.hosts.empty() ? std::string_view() : request.hosts.front();
  if (!std::all_of(host.begin(), host.end(), IsHostByte)) {
    return {400, "malformed Host header", ""};
  }
  if (!policy.enforce_domain || HostnameOf(host) == policy.domain) return {};
  if (request.api_or_upgrade) {
    return {421, "this server answers only for " + policy.domain, ""};
  }
  return {301, "moved to root_url",
          WithoutTrailingSlash(policy.root_url) + std::string(request.target)};
}

}  // namespace runnel::host
