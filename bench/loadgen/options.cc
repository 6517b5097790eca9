#include "options.h"

#include <charconv>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace runnel::loadgen {
namespace {

constexpr std::string_view kUsage =
    R"(usage: runnel_loadgen --url ws://HOST:PORT/PATH [--url ...] [options]
  --url ws://HOST:PORT/PATH  server to connect to; repeated: connections go
                           round robin over the URLs (a cluster's hosts)
  --protocol v2|v1|plain   Centrifuge v2 JSON (Runnel), v1 JSON (Centrifuge 0.15),
                           or plain messages (Node ws)            [v2]
  --channel NAME           channel to subscribe to (v1, v2)
  --connections N          connections to open and hold            [1]
  --sources K              source addresses 127.0.0.2..(1+K); 0: none [4]
  --procs P                worker processes (0: fewest the file limit allows) [0]
  --concurrency C          handshakes in flight per worker         [256]
  --connect-timeout S      give up connecting after S seconds      [60]
  --stall-timeout S        ... or after S seconds without progress [10]
  --warmup S               seconds between all subscribed and measuring [1]
  --duration S             measurement window in seconds           [5]
  --watch-pid PID          report CPU seconds and RSS of PID (repeatable)
  --watch-tree PID         ... of PID and its direct children (repeatable)
  --watch-broker PID       report CPU seconds and RSS of PID apart (Redis)
  --push-url http://HOST:PORT/PATH
                           push mode: POST line protocol bodies there while
                           the subscribers measure (Grafana Live's push)
  --publish-url http://HOST:PORT/PATH
                           publish mode: POST {"channel":C,"data":{"values":
                           [[<send ns>]]}} there (Grafana Live's publish)
  --publish-channel C      the channel in the publish body
  --push-connections K     keep-alive connections   [4 push, 1 publish]
  --push-rate R            bodies per second, on a fixed schedule within
                           the window; 0: as the answers allow     [0]
  --push-lines N           lines per body                          [1000]
  --push-window W          bodies per connection ahead of the slowest
                           subscriber; 0: closed loop on the answers [2]
  --drain-timeout S        after pushing, wait up to S seconds without
                           progress for every frame to arrive      [10]
  --label TEXT             copied into the JSON result
  --ready-file PATH        written with the connection count once connected
Prints one JSON line with the results on stdout.)";

template <typename T>
bool ParseNumber(std::string_view text, T* value) {
  if constexpr (std::is_floating_point_v<T>) {
    char* end = nullptr;
    const std::string copy(text);
    *value = std::strtod(copy.c_str(), &end);
    return end != copy.c_str() && *end == '\0';
  } else {
    auto [ptr, ec] =
        std::from_chars(text.data(), text.data() + text.size(), *value);
    return ec == std::errc() && ptr == text.data() + text.size();
  }
}

// ws://host:port/path with an IPv4 host, added to options->urls.
bool ParseUrl(std::string_view url, Options* options) {
  constexpr std::string_view kScheme = "ws://";
  if (!url.starts_with(kScheme)) return false;
  url.remove_prefix(kScheme.size());
  const size_t slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  ServerUrl server;
  server.path =
      slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return false;
  server.host = std::string(authority.substr(0, colon));
  if (!ParseNumber(authority.substr(colon + 1), &server.port) ||
      server.port == 0) {
    return false;
  }
  options->urls.push_back(std::move(server));
  return true;
}

// http://host:port/path?query with an IPv4 host.
bool ParsePushUrl(std::string_view url, Options* options) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return false;
  url.remove_prefix(kScheme.size());
  const size_t slash = url.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view authority = url.substr(0, slash);
  options->push_target = std::string(url.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) return false;
  options->push_host = std::string(authority.substr(0, colon));
  return ParseNumber(authority.substr(colon + 1), &options->push_port) &&
         options->push_port != 0;
}

}  // namespace

bool ParseOptions(int argc, char** argv, Options* options, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      *error = std::string(kUsage);
      return false;
    }
    if (i + 1 >= argc) {
      *error =
          "missing value for " + std::string(flag) + "\n" + std::string(kUsage);
      return false;
    }
    const std::string_view value = argv[++i];
    bool ok = true;
    if (flag == "--url") {
      ok = ParseUrl(value, options);
    } else if (flag == "--protocol") {
      const auto protocol = ParseProtocol(value);
      ok = protocol.has_value();
      if (ok) options->protocol = *protocol;
    } else if (flag == "--channel") {
      options->channel = std::string(value);
    } else if (flag == "--connections") {
      ok =
          ParseNumber(value, &options->connections) && options->connections > 0;
    } else if (flag == "--sources") {
      ok = ParseNumber(value, &options->sources) && options->sources >= 0 &&
           options->sources < 250;
    } else if (flag == "--procs") {
      ok = ParseNumber(value, &options->procs) && options->procs >= 0;
    } else if (flag == "--concurrency") {
      ok = ParseNumber(value, &options->connect_concurrency) &&
           options->connect_concurrency > 0;
    } else if (flag == "--connect-timeout") {
      ok = ParseNumber(value, &options->connect_timeout_s);
    } else if (flag == "--stall-timeout") {
      ok = ParseNumber(value, &options->stall_timeout_s);
    } else if (flag == "--warmup") {
      ok = ParseNumber(value, &options->warmup_s);
    } else if (flag == "--duration") {
      ok = ParseNumber(value, &options->duration_s);
    } else if (flag == "--watch-pid") {
      pid_t pid = 0;
      ok = ParseNumber(value, &pid) && pid > 0;
      if (ok) options->watch_pids.push_back(pid);
    } else if (flag == "--watch-tree") {
      pid_t pid = 0;
      ok = ParseNumber(value, &pid) && pid > 0;
      if (ok) options->watch_tree_pids.push_back(pid);
    } else if (flag == "--watch-broker") {
      pid_t pid = 0;
      ok = ParseNumber(value, &pid) && pid > 0;
      if (ok) options->watch_broker_pids.push_back(pid);
    } else if (flag == "--push-url") {
      ok = ParsePushUrl(value, options);
      if (ok && options->push_connections == 0) options->push_connections = 4;
    } else if (flag == "--publish-url") {
      ok = ParsePushUrl(value, options);
      options->push_kind = PushKind::kPublish;
      if (ok && options->push_connections == 0) options->push_connections = 1;
    } else if (flag == "--publish-channel") {
      // Written into the JSON body as it is: no quotes or backslashes.
      ok = !value.empty() &&
           value.find_first_of("\"\\") == std::string_view::npos;
      options->publish_channel = std::string(value);
    } else if (flag == "--push-rate") {
      ok = ParseNumber(value, &options->push_rate) && options->push_rate >= 0;
    } else if (flag == "--push-connections") {
      ok = ParseNumber(value, &options->push_connections) &&
           options->push_connections > 0;
    } else if (flag == "--push-lines") {
      ok = ParseNumber(value, &options->push_lines) && options->push_lines > 0;
    } else if (flag == "--push-window") {
      ok = ParseNumber(value, &options->push_window) &&
           options->push_window >= 0;
    } else if (flag == "--drain-timeout") {
      ok = ParseNumber(value, &options->drain_timeout_s);
    } else if (flag == "--label") {
      options->label = std::string(value);
    } else if (flag == "--ready-file") {
      options->ready_file = std::string(value);
    } else {
      *error = "unknown flag " + std::string(flag) + "\n" + std::string(kUsage);
      return false;
    }
    if (!ok) {
      *error = "bad value for " + std::string(flag) + ": " +
               std::string(value) + "\n" + std::string(kUsage);
      return false;
    }
  }
  if (options->urls.empty()) {
    *error = "--url is required\n" + std::string(kUsage);
    return false;
  }
  if (options->push_connections > 0 && options->push_target.empty()) {
    *error = "--push-connections needs --push-url or --publish-url";
    return false;
  }
  if (options->push_kind == PushKind::kPublish) {
    if (options->publish_channel.empty()) {
      *error = "--publish-url needs --publish-channel";
      return false;
    }
    options->push_lines = 1;  // one publication per body: lines = bodies
  }
  if (options->protocol != Protocol::kPlain && options->channel.empty()) {
    *error = "--channel is required for protocol " +
             std::string(ProtocolName(options->protocol));
    return false;
  }
  return true;
}

}  // namespace runnel::loadgen
