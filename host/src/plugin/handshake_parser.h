// The host side of go-plugin's handshake: the first line a plugin prints on
// stdout, "CORE|APP|NETWORK|ADDR|PROTOCOL|SERVERCERT" (hashicorp/go-plugin
// client.go parses it; server.go prints it).
// Pure functions; thread-safe.
#ifndef RUNNEL_HOST_PLUGIN_HANDSHAKE_PARSER_H_
#define RUNNEL_HOST_PLUGIN_HANDSHAKE_PARSER_H_

#include <string>
#include <string_view>

#include "runnel/status.h"

namespace runnel::host {

struct HandshakeInfo {
  int core_version = 0;     // always 1
  int app_version = 0;      // always 2 (the only version the host offers)
  std::string network;      // "unix" or "tcp"
  std::string address;      // socket path or host:port
  std::string protocol;     // always "grpc"
  std::string server_cert;  // only when longer than 50 chars; else ""
};

// Parses one handshake line. On error returns InvalidArgument with a message
// that says which part is wrong and quotes the line.
Status ParseHandshakeLine(std::string_view line, HandshakeInfo* info);

// The gRPC target for the handshake's address: "unix:/tmp/plugin123" or
// "127.0.0.1:10000".
std::string GrpcTarget(const HandshakeInfo& info);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_HANDSHAKE_PARSER_H_
