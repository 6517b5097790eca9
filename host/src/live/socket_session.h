// SocketSession: what the server keeps of every open WebSocket session,
// whatever it speaks, so that Shutdown can close them all.
// Thread-safety: Close from any thread.
#ifndef RUNNEL_HOST_LIVE_SOCKET_SESSION_H_
#define RUNNEL_HOST_LIVE_SOCKET_SESSION_H_

#include "live/disconnect.h"

namespace runnel::host {

class SocketSession {
 public:
  virtual ~SocketSession() = default;
  // Closes with `disconnect`. `flush`: send what is queued first.
  virtual void Close(Disconnect disconnect, bool flush) = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_SOCKET_SESSION_H_
