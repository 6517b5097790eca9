// Centrifuge disconnect codes: sent as the WebSocket close frame's code with
// a short text reason (centrifuge v0.38 disconnect.go). 3000-3499 make the
// client reconnect; 3500-3999 are terminal. 1009 is WebSocket's own
// "message too big". Pure constants.
// Only the codes the host sends are here; the whole table, with what
// centrifuge-js does with each, is in docs/live-protocol.md#disconnect-codes.
#ifndef RUNNEL_HOST_LIVE_DISCONNECT_H_
#define RUNNEL_HOST_LIVE_DISCONNECT_H_

#include <cstdint>
#include <string_view>

namespace runnel::host {

struct Disconnect {
  uint16_t code;
  std::string_view reason;  // under 123 bytes (close frame limit)
};

// Reconnecting codes.
inline constexpr Disconnect kDisconnectShutdown{3001, "shutdown"};
inline constexpr Disconnect kDisconnectSlow{3008, "slow"};
inline constexpr Disconnect kDisconnectWriteError{3009, "write error"};
inline constexpr Disconnect kDisconnectNoPong{3012, "no pong"};

// Terminal codes (the client does not reconnect).
inline constexpr Disconnect kDisconnectBadRequest{3501, "bad request"};
inline constexpr Disconnect kDisconnectStale{3502, "stale"};
inline constexpr Disconnect kDisconnectConnectionLimit{3504,
                                                       "connection limit"};

// WebSocket (RFC 6455) codes.
inline constexpr Disconnect kDisconnectMessageTooBig{1009, "message too big"};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_DISCONNECT_H_
