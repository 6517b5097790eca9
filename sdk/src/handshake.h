// Handshake: the plugin side of hashicorp/go-plugin's start-up protocol as
// Grafana uses it (grafana-plugin-sdk-go backend/grpcplugin/handshake.go;
// docs/plugin-protocol.md#handshake-constants). The protocol constants live
// here and only here. Everything except OpenListener is a pure function of its
// inputs so it can be unit-tested without touching the process environment.
//
// Transport: a unix socket at a fresh temp path (honouring
// PLUGIN_UNIX_SOCKET_DIR) is the default, as go-plugin does on Linux. Setting
// the env RUNNEL_PLUGIN_TRANSPORT=tcp makes the plugin listen on tcp
// 127.0.0.1 on a free port within PLUGIN_MIN_PORT..PLUGIN_MAX_PORT instead.
// Thread-safety: pure functions are thread-safe; OpenListener touches the
// file system and is meant to be called once at start-up.
#ifndef RUNNEL_SDK_SRC_HANDSHAKE_H_
#define RUNNEL_SDK_SRC_HANDSHAKE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runnel/status.h"

namespace runnel::handshake {

// Protocol constants (go-plugin + grafana-plugin-sdk-go). Never change them.
inline constexpr std::string_view kMagicCookieKey = "grafana_plugin_type";
inline constexpr std::string_view kMagicCookieValue = "datasource";
inline constexpr int kCoreProtocolVersion = 1;
inline constexpr int kAppProtocolVersion = 2;
inline constexpr std::string_view kProtocolName = "grpc";
inline constexpr std::string_view kNotAPluginMessage =
    "This binary is a plugin. These are not meant to be executed directly. "
    "Please execute the program that consumes these plugins, which will load "
    "any plugin binaries.";

// Env variable names read at start-up.
inline constexpr std::string_view kEnvProtocolVersions =
    "PLUGIN_PROTOCOL_VERSIONS";
inline constexpr std::string_view kEnvUnixSocketDir = "PLUGIN_UNIX_SOCKET_DIR";
inline constexpr std::string_view kEnvMinPort = "PLUGIN_MIN_PORT";
inline constexpr std::string_view kEnvMaxPort = "PLUGIN_MAX_PORT";
inline constexpr std::string_view kEnvTransport = "RUNNEL_PLUGIN_TRANSPORT";

// Default tcp port range when the host sets none (go-plugin's defaults).
inline constexpr int kDefaultMinPort = 10000;
inline constexpr int kDefaultMaxPort = 25000;

// Looks an env variable up; nullopt when unset. Injected so the pure
// functions below can be tested with a fake environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
// The real process environment.
EnvLookup ProcessEnv();

// True when the magic cookie is set to the expected value.
bool CookieMatches(const EnvLookup& env);

// Picks the highest protocol version that both the host (the comma list in
// PLUGIN_PROTOCOL_VERSIONS) and this plugin (`supported`) speak. An unset or
// empty variable means the plugin's own highest version, as go-plugin does.
// Entries that are not integers are skipped. No common version: an
// InvalidArgument status saying which versions each side offered.
Status NegotiateProtocolVersion(std::string_view host_versions,
                                const std::vector<int>& supported,
                                int* version);

// Where to listen, decided from the environment.
struct ListenPlan {
  enum class Network { kUnix, kTcp };
  Network network = Network::kUnix;
  std::string unix_socket_dir;  // kUnix: directory for the socket ("" = TMPDIR)
  int min_port = kDefaultMinPort;  // kTcp: inclusive range to try
  int max_port = kDefaultMaxPort;
};
// Reads RUNNEL_PLUGIN_TRANSPORT, PLUGIN_UNIX_SOCKET_DIR and the port range.
// Invalid port values or an unknown transport give InvalidArgument.
Status PlanListener(const EnvLookup& env, ListenPlan* plan);

// A listening address in the two spellings needed: the one the handshake
// line carries and the one gRPC's ServerBuilder takes.
struct ListenAddress {
  std::string network;      // "unix" or "tcp"
  std::string address;      // socket path, or "127.0.0.1:<port>"
  std::string grpc_uri;     // "unix:<path>" or "127.0.0.1:<port>"
  std::string socket_path;  // unix only: the file to remove at exit
};

// Unix: creates a temp file in the plan's directory, deletes it, and returns
// its path for the server to bind (go-plugin's way). Tcp: returns the next
// port in [*next_port, max_port] that can be bound on 127.0.0.1 right now and
// advances *next_port past it, so a caller can retry when the bind races.
Status NextListenAddress(const ListenPlan& plan, int* next_port,
                         ListenAddress* address);

// The handshake line without the newline:
// CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT, e.g. "1|2|unix|/tmp/plugin1|grpc|"
// (the server cert is empty: Grafana does not use AutoMTLS).
std::string FormatHandshakeLine(int core_version, int app_version,
                                std::string_view network,
                                std::string_view address,
                                std::string_view protocol);

}  // namespace runnel::handshake

#endif  // RUNNEL_SDK_SRC_HANDSHAKE_H_
