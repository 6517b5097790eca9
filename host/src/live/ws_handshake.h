// The server side of the WebSocket opening handshake (RFC 6455 section 4.2):
// checks the client's upgrade request headers and builds the 101 response.
// Pure functions.
#ifndef RUNNEL_HOST_LIVE_WS_HANDSHAKE_H_
#define RUNNEL_HOST_LIVE_WS_HANDSHAKE_H_

#include <string>
#include <string_view>

namespace runnel::host::ws {

// The HTTP status refusing an upgrade whose WebSocket headers are wrong
// (400 for a missing or malformed Sec-WebSocket-Key, 426 for a version other
// than 13), or 0 when they are fine.
int CheckUpgradeHeaders(std::string_view key, std::string_view version);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string AcceptKey(std::string_view client_key);

// Whether a Sec-WebSocket-Protocol header offers `wanted` (comma list).
bool OffersSubprotocol(std::string_view header, std::string_view wanted);

// The whole "101 Switching Protocols" response, headers included.
// `subprotocol` is echoed when not empty.
std::string UpgradeResponse(std::string_view client_key,
                            std::string_view subprotocol);

}  // namespace runnel::host::ws

#endif  // RUNNEL_HOST_LIVE_WS_HANDSHAKE_H_
