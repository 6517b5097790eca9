// DialPlugin: the gRPC connection to a plugin that has printed its
// handshake. Dial options as go-plugin's host uses them (grpc_client.go):
// insecure, message sizes up to INT_MAX; plus a connection of its own per
// plugin generation, never one shared with an earlier process.
//
// A unix socket named by the handshake must exist already (go-plugin's
// server listens before it prints the line), so a missing one fails at once
// with the path instead of after the whole connect time-out.
//
// Thread-safety: a pure function; `cancel` may fire from any thread.
#ifndef RUNNEL_HOST_PLUGIN_PLUGIN_DIAL_H_
#define RUNNEL_HOST_PLUGIN_PLUGIN_DIAL_H_

#include <grpcpp/channel.h>

#include <chrono>
#include <memory>

#include "plugin/cancel_signal.h"
#include "plugin/handshake_parser.h"
#include "runnel/status.h"

namespace runnel::host {

// Connects within `timeout`. Unavailable (naming the address) when it does
// not; Cancelled as soon as `cancel` (may be null) fires.
Status DialPlugin(const HandshakeInfo& handshake,
                  std::chrono::milliseconds timeout, const CancelSignal* cancel,
                  std::shared_ptr<grpc::Channel>* channel);

}  // namespace runnel::host

#endif  // RUNNEL_HOST_PLUGIN_PLUGIN_DIAL_H_
