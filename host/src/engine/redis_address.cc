#include "engine/redis_address.h"

#include <charconv>
#include <utility>

namespace runnel::host {
namespace {

constexpr std::string_view kSentinelScheme = "sentinel://";

Status Invalid(std::string_view text, const std::string& what) {
  return Status::InvalidArgument("ha_engine_address \"" + std::string(text) +
                                 "\": " + what);
}

bool ParsePort(std::string_view digits, int* port) {
  if (digits.empty() || digits.size() > 5) return false;
  int value = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return false;
  if (value < 1 || value > 65535) return false;
  *port = value;
  return true;
}

bool HasBadHostChar(std::string_view host) {
  for (char c : host) {
    if (c == '/' || c == ',' || c == '@' || c == ' ' || c == '[' || c == ']' ||
        static_cast<unsigned char>(c) < 0x21) {
      return true;
    }
  }
  return false;
}

// "host", "host:port", "[v6]", "[v6]:port" into *endpoint; "" or an error
// message naming the endpoint.
std::string ParseEndpoint(std::string_view text, int default_port,
                          RedisEndpoint* endpoint) {
  // Appended, not "\"" + std::string(...): GCC 12 warns (-Wrestrict) on that.
  std::string quoted(1, '"');
  quoted.append(text).append(1, '"');
  if (text.empty()) return "an empty host";
  std::string_view host = text;
  std::string_view port_text;
  bool has_port = false;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return quoted + " has no ']'";
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return quoted + ": expected ':' after ']'";
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      if (text.find(':', colon + 1) != std::string_view::npos) {
        return quoted + ": an IPv6 address must be in brackets, [::1]:6379";
      }
      host = text.substr(0, colon);
      port_text = text.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) return quoted + " has an empty host";
  if (HasBadHostChar(host)) return quoted + ": bad character in the host";
  int port = default_port;
  if (has_port && !ParsePort(port_text, &port)) {
    return quoted + ": the port must be a number in 1..65535";
  }
  endpoint->host = std::string(host);
  endpoint->port = port;
  return "";
}

Status ParseSentinel(std::string_view text, RedisAddress* address) {
  std::string_view rest = text.substr(kSentinelScheme.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return Invalid(text, "no master name: sentinel://host:port,.../<master>");
  }
  std::string_view list = rest.substr(0, slash);
  std::string_view name = rest.substr(slash + 1);
  if (name.empty()) return Invalid(text, "the master name is empty");
  if (name.find_first_of("/ ,") != std::string_view::npos) {
    return Invalid(text, "the master name has a '/', ' ' or ','");
  }
  if (list.empty()) return Invalid(text, "no Sentinel endpoints");
  RedisAddress parsed;
  parsed.sentinel = true;
  parsed.master_name = std::string(name);
  while (true) {
    size_t comma = list.find(',');
    RedisEndpoint endpoint;
    std::string error =
        ParseEndpoint(list.substr(0, comma), kSentinelDefaultPort, &endpoint);
    if (!error.empty()) return Invalid(text, "Sentinel endpoint " + error);
    parsed.endpoints.push_back(std::move(endpoint));
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
  }
  *address = std::move(parsed);
  return Status::Ok();
}

}  // namespace

std::string RedisEndpoint::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string RedisAddress::ToString() const {
  if (!sentinel) return endpoints.empty() ? "" : endpoints[0].ToString();
  std::string out(kSentinelScheme);
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (i > 0) out += ",";
    out += endpoints[i].ToString();
  }
  return out + "/" + master_name;
}

Status ParseRedisAddress(std::string_view text, RedisAddress* address) {
  if (text.empty()) return Invalid(text, "empty; expected host:port");
  if (text.substr(0, kSentinelScheme.size()) == kSentinelScheme) {
    return ParseSentinel(text, address);
  }
  if (text.find("://") != std::string_view::npos) {
    return Invalid(text, "unknown scheme; expected host:port or sentinel://");
  }
  RedisEndpoint endpoint;
  std::string error = ParseEndpoint(text, kRedisDefaultPort, &endpoint);
  if (!error.empty()) return Invalid(text, error);
  address->sentinel = false;
  address->endpoints = {std::move(endpoint)};
  address->master_name.clear();
  return Status::Ok();
}

}  // namespace runnel::host
