// Centrifuge disconnect codes: sent as the WebSocket close frame's code with
// a short text reason (centrifuge v0.38 disconnect.go). 3000-3499 make the
// client reconnect; 3500-3999 are terminal. 1009 is WebSocket's own
// "message too big". Pure constants.
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
inline constexpr Disconnect kDisconnectServerError{3004,
                                                   "internal server error"};
inline constexpr Disconnect kDisconnectExpired{3005, "connection expired"};
inline constexpr Disconnect kDisconnectSubExpired{3006, "subscription expired"};
inline constexpr Disconnect kDisconnectSlow{3008, "slow"};
inline constexpr Disconnect kDisconnectWriteError{3009, "write error"};
inline constexpr Disconnect kDisconnectInsufficientState{3010,
                                                         "insufficient state"};
inline constexpr Disconnect kDisconnectForceReconnect{3011, "force reconnect"};
inline constexpr Disconnect kDisconnectNoPong{3012, "no pong"};
inline constexpr Disconnect kDisconnectTooManyRequests{3013,
                                                       "too many requests"};

// Terminal codes (the client does not reconnect).
inline constexpr Disconnect kDisconnectInvalidToken{3500, "invalid token"};
inline constexpr Disconnect kDisconnectBadRequest{3501, "bad request"};
inline constexpr Disconnect kDisconnectStale{3502, "stale"};
inline constexpr Disconnect kDisconnectForce{3503, "force disconnect"};
inline constexpr Disconnect kDisconnectConnectionLimit{3504,
                                                       "connection limit"};
inline constexpr Disconnect kDisconnectChannelLimit{3505, "channel limit"};
inline constexpr Disconnect kDisconnectInappropriateProtocol{
    3506, "inappropriate protocol"};
inline constexpr Disconnect kDisconnectPermissionDenied{3507,
                                                        "permission denied"};
inline constexpr Disconnect kDisconnectNotAvailable{3508, "not available"};
inline constexpr Disconnect kDisconnectTooManyErrors{3509, "too many errors"};

// WebSocket (RFC 6455) codes.
inline constexpr Disconnect kDisconnectMessageTooBig{1009, "message too big"};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_DISCONNECT_H_
