#include "live/publish_route.h"

#include <utility>

#include "live/errors.h"

namespace runnel::host {

void PublishThrough(ChannelHandler& handler, Hub& hub,
                    const ClientIdentity& who, const std::string& wire_channel,
                    const LiveChannel& channel, const std::string& data,
                    std::function<void(PublishReply)> done) {
  handler.OnPublish(
      who, wire_channel, channel, data,
      [&hub, wire_channel, done = std::move(done)](PublishReply reply) {
        // Published from the handler's thread: it goes out even if the
        // publisher has left meanwhile.
        if (reply.error_code == 0 && !reply.data.empty() &&
            !hub.Publish(wire_channel, reply.data).ok()) {
          reply = PublishReply{kErrorLimitExceeded.code,
                               "publication too large", ""};
        }
        reply.data.clear();
        done(std::move(reply));
      });
}

}  // namespace runnel::host
