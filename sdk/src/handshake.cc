#include "handshake.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace runnel::handshake {
namespace {

std::optional<int> ParseInt(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::string JoinInts(const std::vector<int>& values) {
  std::string out;
  for (int v : values) {
    if (!out.empty()) out += ",";
    out += std::to_string(v);
  }
  return out;
}

// True when a tcp socket can bind 127.0.0.1:port right now.
bool TcpPortIsFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

bool CookieMatches(const EnvLookup& env) {
  std::optional<std::string> value = env(kMagicCookieKey);
  return value.has_value() && *value == kMagicCookieValue;
}

Status NegotiateProtocolVersion(std::string_view host_versions,
                                const std::vector<int>& supported,
                                int* version) {
  if (supported.empty()) {
    return Status::Internal("the plugin supports no protocol version");
  }
  if (host_versions.empty()) {
    *version = *std::max_element(supported.begin(), supported.end());
    return Status::Ok();
  }
  std::vector<int> offered;
  std::string_view rest = host_versions;
  while (true) {
    size_t comma = rest.find(',');
    if (std::optional<int> v = ParseInt(rest.substr(0, comma))) {
      offered.push_back(*v);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  int best = -1;
  for (int v : offered) {
    if (std::find(supported.begin(), supported.end(), v) != supported.end()) {
      best = std::max(best, v);
    }
  }
  if (best < 0) {
    return Status::InvalidArgument(
        "no common plugin protocol version: the host offers " +
        std::string(kEnvProtocolVersions) + "=\"" + std::string(host_versions) +
        "\", this plugin speaks " + JoinInts(supported));
  }
  *version = best;
  return Status::Ok();
}

Status PlanListener(const EnvLookup& env, ListenPlan* plan) {
  ListenPlan result;
  std::string transport = env(kEnvTransport).value_or("");
  if (transport.empty() || transport == "unix") {
    result.network = ListenPlan::Network::kUnix;
  } else if (transport == "tcp") {
    result.network = ListenPlan::Network::kTcp;
  } else {
    return Status::InvalidArgument(std::string(kEnvTransport) +
                                   " must be \"unix\" or \"tcp\", not \"" +
                                   transport + "\"");
  }
  result.unix_socket_dir = env(kEnvUnixSocketDir).value_or("");
  for (auto [name, target] : {std::pair{kEnvMinPort, &result.min_port},
                              std::pair{kEnvMaxPort, &result.max_port}}) {
    std::string text = env(name).value_or("");
    if (text.empty()) continue;
    std::optional<int> port = ParseInt(text);
    if (!port || *port < 0 || *port > 65535) {
      return Status::InvalidArgument(std::string(name) +
                                     " is not a port number: \"" + text + "\"");
    }
    *target = *port;
  }
  if (result.network == ListenPlan::Network::kTcp &&
      result.min_port > result.max_port) {
    return Status::InvalidArgument("empty port range " +
                                   std::to_string(result.min_port) + ".." +
                                   std::to_string(result.max_port));
  }
  *plan = result;
  return Status::Ok();
}

Status NextListenAddress(const ListenPlan& plan, int* next_port,
                         ListenAddress* address) {
  if (plan.network == ListenPlan::Network::kUnix) {
    std::string dir = plan.unix_socket_dir;
    if (dir.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      dir = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
    }
    std::string pattern = dir + "/plugin" + "XXXXXX";
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) {
      return Status::Unavailable("cannot create a temp file in " + dir + ": " +
                                 std::strerror(errno));
    }
    ::close(fd);
    ::unlink(pattern.c_str());
    address->network = "unix";
    address->address = pattern;
    address->grpc_uri = "unix:" + pattern;
    address->socket_path = pattern;
    return Status::Ok();
  }
  for (int port = std::max(*next_port, plan.min_port); port <= plan.max_port;
       ++port) {
    if (port == 0 || !TcpPortIsFree(port)) continue;
    *next_port = port + 1;
    address->network = "tcp";
    address->address = "127.0.0.1:" + std::to_string(port);
    address->grpc_uri = address->address;
    address->socket_path.clear();
    return Status::Ok();
  }
  return Status::Unavailable("no free tcp port on 127.0.0.1 in " +
                             std::to_string(plan.min_port) + ".." +
                             std::to_string(plan.max_port));
}

std::string FormatHandshakeLine(int core_version, int app_version,
                                std::string_view network,
                                std::string_view address,
                                std::string_view protocol) {
  std::string line;
  line += std::to_string(core_version);
  line += '|';
  line += std::to_string(app_version);
  line += '|';
  line += network;
  line += '|';
  line += address;
  line += '|';
  line += protocol;
  line += '|';  // empty server cert: no AutoMTLS
  return line;
}

}  // namespace runnel::handshake
