// ChannelHandler: what the Live server asks when a client subscribes to or
// publishes into a channel: whether the channel exists, who may use it, and
// what to publish. The stream layer implements it (the scope router, which
// hands ds/ and plugin/ channels on to the stream manager); the Live server
// only knows this header and has no scope of its own.
// Thread-safety: methods are called from the server's I/O threads and must
// not block; `done` may be called from any thread, exactly once.
#ifndef RUNNEL_HOST_LIVE_CHANNEL_HANDLER_H_
#define RUNNEL_HOST_LIVE_CHANNEL_HANDLER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "runnel/live_channel.h"

namespace runnel::host {

// Who is asking. Until authentication exists every connection is an
// anonymous Viewer of org 1.
struct ClientIdentity {
  std::string client_id;
  int64_t org_id = 1;
  std::string login = "anonymous";
  std::string role = "Viewer";
};

// error_code 0 means success. Otherwise a Centrifuge reply error code, which
// Grafana takes from HTTP (400 invalid channel, 403, 404, 500).
struct SubscribeReply {
  int32_t error_code = 0;
  std::string error_message;
  std::string data;  // raw JSON for the subscribe result's "data"; "" = none
};

struct PublishReply {
  int32_t error_code = 0;
  std::string error_message;
  std::string data;  // raw JSON the server publishes into it; "" = nothing
};

class ChannelHandler {
 public:
  virtual ~ChannelHandler() = default;

  // `wire_channel` is the org-prefixed id the client used
  // ("1/ds/testdata/random-20Hz-stream"); `channel` is it parsed without the
  // org. `data` is the subscriber's raw JSON (may be empty).
  virtual void OnSubscribe(const ClientIdentity& who,
                           const std::string& wire_channel,
                           const LiveChannel& channel, const std::string& data,
                           std::function<void(SubscribeReply)> done) = 0;

  virtual void OnPublish(const ClientIdentity& who,
                         const std::string& wire_channel,
                         const LiveChannel& channel, const std::string& data,
                         std::function<void(PublishReply)> done) = 0;
};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_CHANNEL_HANDLER_H_
